// SshSession's SFTP operations against a real, confined sshd.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/sandbox/ssh_test_support.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;
using testing::SshHostFixture;

class SshSftpTest : public SshHostFixture {};

TEST_F(SshSftpTest, WritesAndReadsBack) {
  std::string err;
  ASSERT_TRUE(session_->WriteFile("/srv/www/about.html", "<h1>About</h1>\n",
                                  0644, false, &err))
      << err;
  EXPECT_EQ("<h1>About</h1>\n",
            util::ReadFile(root_ / "www/about.html").value_or("missing"));
  EXPECT_EQ("<h1>About</h1>\n",
            session_->ReadFile("/srv/www/about.html", &err).value_or(err));
  struct stat st;
  ASSERT_EQ(0, ::stat((root_ / "www/about.html").c_str(), &st));
  EXPECT_EQ(0644u, st.st_mode & 07777);
  EXPECT_EQ(0u, st.st_uid);  // uid 1000 inside is root outside
}

TEST_F(SshSftpTest, ReplacesAnExistingFile) {
  std::string err;
  ASSERT_TRUE(
      session_->WriteFile("/srv/www/index.html", "new", 0600, false, &err))
      << err;
  EXPECT_EQ("new", util::ReadFile(root_ / "www/index.html").value_or(""));
  struct stat st;
  ASSERT_EQ(0, ::stat((root_ / "www/index.html").c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 07777);
}

TEST_F(SshSftpTest, WritesLargeAndBinaryContent) {
  std::string big(700'000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  std::string err;
  ASSERT_TRUE(session_->WriteFile("/srv/blob", big, 0644, false, &err)) << err;
  EXPECT_EQ(big, util::ReadFile(root_ / "blob").value_or(""));
  EXPECT_EQ(big, session_->ReadFile("/srv/blob", &err).value_or(""));
}

TEST_F(SshSftpTest, MissingParentIsAnErrorWithoutMakeParents) {
  std::string err;
  EXPECT_FALSE(
      session_->WriteFile("/srv/www/docs/v2/a.html", "x", 0644, false, &err));
  EXPECT_EQ("no such directory: /srv/www/docs/v2", err);
  EXPECT_FALSE(fs::exists(root_ / "www/docs"));
}

TEST_F(SshSftpTest, MakeParentsCreatesEachMissingDirectory) {
  std::string err;
  ASSERT_TRUE(
      session_->WriteFile("/srv/www/docs/v2/a.html", "x", 0644, true, &err))
      << err;
  EXPECT_TRUE(fs::is_directory(root_ / "www/docs/v2"));
  EXPECT_EQ("x", util::ReadFile(root_ / "www/docs/v2/a.html").value_or(""));
  // A file in the way is named.
  EXPECT_FALSE(
      session_->WriteFile("/srv/www/index.html/b.html", "x", 0644, true, &err));
  EXPECT_EQ("not a directory: /srv/www/index.html", err);
  EXPECT_FALSE(session_->WriteFile("/srv/www/index.html/b.html", "x", 0644,
                                   false, &err));
  EXPECT_EQ("not a directory: /srv/www/index.html", err);
}

TEST_F(SshSftpTest, RelativePathsAreBelowSrv) {
  std::string err;
  ASSERT_TRUE(session_->WriteFile("www/rel.txt", "r", 0644, false, &err))
      << err;
  EXPECT_EQ("r", util::ReadFile(root_ / "www/rel.txt").value_or(""));
}

TEST_F(SshSftpTest, CannotWriteOutsideSrv) {
  std::string err;
  EXPECT_FALSE(session_->WriteFile("/etc/evil", "x", 0644, false, &err));
  EXPECT_EQ("cannot create /etc/evil: failed (read-only, a directory, or full)",
            err);
  EXPECT_FALSE(fs::exists("/etc/evil"));
  EXPECT_FALSE(session_->WriteFile("/evil", "x", 0644, false, &err));
  EXPECT_FALSE(fs::exists("/evil"));
  EXPECT_FALSE(session_->WriteFile("/srv/www", "x", 0644, false, &err));
  EXPECT_EQ("is a directory: /srv/www", err);
  // The host's secrets stay unreadable over SFTP too.
  EXPECT_FALSE(session_->ReadFile("/etc/shadow", &err));
  EXPECT_EQ("cannot read /etc/shadow: permission denied", err);
}

TEST_F(SshSftpTest, ReadMissingFile) {
  std::string err;
  EXPECT_FALSE(session_->ReadFile("/srv/www/nope.html", &err));
  EXPECT_EQ("no such file: /srv/www/nope.html", err);
}

TEST_F(SshSftpTest, StatFileDirectoryAndMissing) {
  std::string err = "stale";
  auto f = session_->Stat("/srv/www/index.html", &err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ("/srv/www/index.html", f->path);
  EXPECT_FALSE(f->is_dir);
  EXPECT_EQ(13u, f->size);
  auto d = session_->Stat("/srv/www", &err);
  ASSERT_TRUE(d) << err;
  EXPECT_TRUE(d->is_dir);
  EXPECT_FALSE(session_->Stat("/srv/nope", &err));
  EXPECT_EQ("", err);
}

TEST_F(SshSftpTest, ListTreeIsRecursiveAndSorted) {
  fs::create_directories(root_ / "www/b/c");
  fs::create_directories(root_ / "empty");
  ASSERT_TRUE(util::WriteFile(root_ / "www/b/c/deep.txt", "deep"));
  ASSERT_TRUE(util::WriteFile(root_ / "www/a.txt", "a"));
  ASSERT_TRUE(util::WriteFile(root_ / "top.txt", "top!"));
  fs::create_symlink("top.txt", root_ / "link");
  std::string err;
  auto all = session_->ListTree("/srv", &err);
  ASSERT_TRUE(all) << err;
  std::string listing;
  for (const RemoteEntry& e : *all) {
    listing += e.path + " " + std::to_string(e.size) + "\n";
  }
  EXPECT_EQ(
      "/srv/top.txt 4\n/srv/www/a.txt 1\n/srv/www/b/c/deep.txt 4\n"
      "/srv/www/index.html 13\n",
      listing);
  EXPECT_FALSE(session_->ListTree("/srv/missing", &err));
  EXPECT_EQ("no such directory: /srv/missing", err);
}

TEST_F(SshSftpTest, SftpAndExecShareOneSession) {
  std::string err;
  ASSERT_TRUE(
      session_->WriteFile("/srv/run.sh", "echo ran\n", 0755, false, &err))
      << err;
  EXPECT_EQ("ran\n", Run("./run.sh").out);
  EXPECT_EQ("echo ran\n", session_->ReadFile("/srv/run.sh", &err).value_or(""));
}

}  // namespace
}  // namespace endstate::sandbox
