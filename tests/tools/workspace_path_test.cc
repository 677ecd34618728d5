#include "tools/workspace_path.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/tools/fake_world.h"

namespace endstate::tools {
namespace {

namespace fs = std::filesystem;

class WorkspacePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = fs::canonical(world_.workspace());
    fs::create_directories(ws_ / "docs/sub");
    util::WriteFile(ws_ / "docs/a.html", "a");
  }
  // Resolves `rel`; returns the error, or "" and sets out_.
  std::string Resolve(const std::string& rel) {
    std::string err;
    out_.clear();
    if (!ResolveWorkspacePath(world_.workspace(), rel, &out_, &err)) {
      return err;
    }
    return "";
  }

  testing::FakeWorld world_;
  fs::path ws_, out_;
};

TEST_F(WorkspacePathTest, RelativePaths) {
  EXPECT_EQ("", Resolve("docs/a.html"));
  EXPECT_EQ(ws_ / "docs/a.html", out_);
  EXPECT_EQ("", Resolve("./docs//sub/../a.html"));
  EXPECT_EQ(ws_ / "docs/a.html", out_);
  EXPECT_EQ("", Resolve("."));
  EXPECT_EQ(ws_, out_);
  EXPECT_EQ("", Resolve("new/dir/file.txt"));  // need not exist
  EXPECT_EQ(ws_ / "new/dir/file.txt", out_);
  EXPECT_EQ("docs/a.html",
            DisplayPath(world_.workspace(), ws_ / "docs/a.html"));
  EXPECT_EQ(".", DisplayPath(world_.workspace(), ws_));
}

TEST_F(WorkspacePathTest, DotDotEscapes) {
  EXPECT_EQ("path '../x' leaves the workspace", Resolve("../x"));
  EXPECT_EQ("path 'docs/../../x' leaves the workspace",
            Resolve("docs/../../x"));
  EXPECT_EQ("path '/workspace/../etc' leaves the workspace",
            Resolve("/workspace/../etc"));
  EXPECT_EQ("path is empty", Resolve(""));
}

TEST_F(WorkspacePathTest, AbsolutePaths) {
  EXPECT_EQ("", Resolve("/workspace/docs/a.html"));
  EXPECT_EQ(ws_ / "docs/a.html", out_);
  EXPECT_EQ("", Resolve("/workspace"));
  EXPECT_EQ(ws_, out_);
  EXPECT_EQ(
      "path '/etc/passwd' is outside the workspace; use a path relative to "
      "the workspace (or below /workspace)",
      Resolve("/etc/passwd"));
  EXPECT_EQ(
      "path '/workspacex/a' is outside the workspace; use a path relative to "
      "the workspace (or below /workspace)",
      Resolve("/workspacex/a"));
  // The host path of the workspace is not a way in either.
  EXPECT_NE("", Resolve(ws_.string() + "/docs/a.html"));
}

TEST_F(WorkspacePathTest, SymlinksInsideAreFollowed) {
  fs::create_symlink("docs", ws_ / "d");
  fs::create_symlink("/workspace/docs/a.html", ws_ / "abs-link");
  fs::create_symlink("../a.html", ws_ / "docs/sub/up");
  EXPECT_EQ("", Resolve("d/a.html"));
  EXPECT_EQ(ws_ / "docs/a.html", out_);
  EXPECT_EQ("", Resolve("abs-link"));
  EXPECT_EQ(ws_ / "docs/a.html", out_);
  EXPECT_EQ("", Resolve("docs/sub/up"));
  EXPECT_EQ(ws_ / "docs/a.html", out_);
  EXPECT_EQ("", Resolve("d/sub/.."));  // physical: parent of docs/sub
  EXPECT_EQ(ws_ / "docs", out_);
}

TEST_F(WorkspacePathTest, SymlinkEscapesAreRefused) {
  fs::create_symlink("/etc", ws_ / "etc");
  fs::create_symlink("../..", ws_ / "docs/out");
  fs::create_symlink(ws_.parent_path(), ws_ / "host");
  EXPECT_EQ("path 'etc/passwd' leaves the workspace through symlink 'etc'",
            Resolve("etc/passwd"));
  EXPECT_EQ("path 'docs/out/x' leaves the workspace through symlink 'docs/out'",
            Resolve("docs/out/x"));
  EXPECT_EQ("path 'host' leaves the workspace through symlink 'host'",
            Resolve("host"));
  // A missing component before ".." does not skip the check of the link.
  EXPECT_EQ("path 'nope/../etc/x' leaves the workspace through symlink 'etc'",
            Resolve("nope/../etc/x"));
  fs::create_symlink("loop", ws_ / "loop");
  EXPECT_EQ("path 'loop' has too many levels of symlinks", Resolve("loop"));
}

TEST_F(WorkspacePathTest, SpecialFilesAreRefused) {
  ASSERT_EQ(0, ::mkfifo((ws_ / "pipe").c_str(), 0644));
  EXPECT_EQ(
      "path 'pipe' is a special file (fifo); only regular files and "
      "directories can be used",
      Resolve("pipe"));
  fs::create_symlink("/dev/null", ws_ / "null");
  EXPECT_EQ("path 'null' leaves the workspace through symlink 'null'",
            Resolve("null"));
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = (ws_ / "sock").string();
  ASSERT_LT(sock.size(), sizeof(addr.sun_path));
  std::copy(sock.begin(), sock.end(), addr.sun_path);
  ASSERT_EQ(0, ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)));
  EXPECT_EQ(
      "path 'sock' is a special file (socket); only regular files and "
      "directories can be used",
      Resolve("sock"));
  ::close(fd);
}

}  // namespace
}  // namespace endstate::tools
