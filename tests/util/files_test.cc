#include "util/files.h"

#include <gtest/gtest.h>

namespace endstate::util {
namespace {

TEST(Files, Sha256OfKnownInput) {
  EXPECT_EQ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            Sha256Hex("abc"));
}

TEST(Files, WriteReadCopy) {
  std::string err;
  auto dir =
      MakeTempDir(std::filesystem::temp_directory_path(), "files-test-", &err);
  ASSERT_FALSE(dir.empty()) << err;
  std::filesystem::create_directories(dir / "a/b");
  ASSERT_TRUE(WriteFile(dir / "a/b/c.txt", "hello", &err)) << err;
  ASSERT_TRUE(CopyTree(dir / "a", dir / "copy", &err)) << err;
  EXPECT_EQ("hello", ReadFile(dir / "copy/b/c.txt").value());
  EXPECT_FALSE(ReadFile(dir / "missing", &err).has_value());
  EXPECT_EQ("cannot open " + (dir / "missing").string() +
                ": No such file or directory",
            err);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace endstate::util
