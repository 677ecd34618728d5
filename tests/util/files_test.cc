#include "util/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

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

// Issue 12, finding 3: what a world may hold in place of a file never
// blocks the reader, and the options refuse symlinks and big files.
TEST(Files, HostileSpecialFilesAreRefusedAtOnce) {
  std::string err;
  auto dir =
      MakeTempDir(std::filesystem::temp_directory_path(), "files-test-", &err);
  ASSERT_FALSE(dir.empty()) << err;
  ASSERT_EQ(0, ::mkfifo((dir / "fifo").c_str(), 0644));
  EXPECT_FALSE(ReadFile(dir / "fifo", &err).has_value());
  EXPECT_EQ("cannot read " + (dir / "fifo").string() +
                ": is a fifo, not a regular file",
            err);
  EXPECT_FALSE(ReadFile(dir, &err).has_value());
  EXPECT_EQ(
      "cannot read " + dir.string() + ": is a directory, not a regular file",
      err);
  ASSERT_TRUE(WriteFile(dir / "big", std::string(100, 'x'), &err)) << err;
  std::filesystem::create_symlink(dir / "big", dir / "link");
  EXPECT_EQ(100u, ReadFile(dir / "link").value().size());
  EXPECT_FALSE(
      ReadFile(dir / "link", &err, {.follow_symlinks = false}).has_value());
  EXPECT_EQ("cannot open " + (dir / "link").string() + ": is a symlink", err);
  EXPECT_FALSE(ReadFile(dir / "big", &err, {.max_bytes = 99}).has_value());
  EXPECT_EQ("cannot read " + (dir / "big").string() +
                ": is 100 bytes, over the 99-byte limit",
            err);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace endstate::util
