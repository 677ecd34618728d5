// The one path-confinement rule (util/confine.h) on its host side: the
// mode the task loader, the world set-up and the git builder use. (The
// sandbox side, `inside` = /workspace or /srv, is pinned through the file
// tools: tests/tools/workspace_path_test.cc.)
#include "util/confine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "util/files.h"

namespace endstate::util {
namespace {

namespace fs = std::filesystem;

class ConfineHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = MakeTempDir(fs::temp_directory_path(), "confine-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    root_ = fs::canonical(root_);
    task_ = root_ / "task";
    shared_ = root_ / "_shared";
    fs::create_directories(task_ / "site");
    fs::create_directories(shared_ / "lab");
    fs::create_directory_symlink("/etc", task_ / "etc-link");
    fs::create_directory_symlink("site", task_ / "site-link");
    fs::create_directory_symlink("../../task", shared_ / "lab" / "back");
  }
  void TearDown() override { fs::remove_all(root_); }

  // ResolveBelow on the host side below `root` (empty: lexical); returns
  // the message, or "ok PATH" on success.
  static std::string Below(const fs::path& root, const std::string& rel) {
    fs::path out;
    std::string err;
    if (ResolveBelow({.root = root, .inside = "", .name = "the workspace"}, rel,
                     &out, &err) != ConfineError::kNone) {
      return err;
    }
    return "ok " + out.string();
  }
  std::string Task(const std::string& rel) const {
    fs::path out;
    std::string err;
    if (ResolveTaskPath(task_, rel, {task_, shared_}, "the task folder", &out,
                        &err) != ConfineError::kNone) {
      return err;
    }
    return "ok " + out.lexically_relative(root_).string();
  }

  fs::path root_, task_, shared_;
};

TEST_F(ConfineHostTest, AbsolutePathsAlwaysLeave) {
  EXPECT_EQ("path '/etc' leaves the workspace", Below(task_, "/etc"));
  // No `inside` to map onto the root, even for a path below it.
  EXPECT_EQ("path '" + (task_ / "site").string() + "' leaves the workspace",
            Below(task_, (task_ / "site").string()));
  EXPECT_EQ("path '/srv/www' leaves the workspace", Below({}, "/srv/www"));
  EXPECT_EQ("path '/etc' leaves the task folder", Task("/etc"));
}

TEST_F(ConfineHostTest, DotDotMayNotClimbOut) {
  EXPECT_EQ("path '..' leaves the workspace", Below(task_, ".."));
  EXPECT_EQ("path 'site/../../x' leaves the workspace",
            Below(task_, "site/../../x"));
  EXPECT_EQ("ok " + (task_ / "x").string(), Below(task_, "site/../x"));
  EXPECT_EQ("path '../_shared/../x' leaves the task folder",
            Task("../_shared/../x"));
  EXPECT_EQ("path '../../etc' leaves the task folder", Task("../../etc"));
}

TEST_F(ConfineHostTest, SymlinksMayNotLeadOut) {
  EXPECT_EQ("path 'etc-link' leaves the workspace through symlink 'etc-link'",
            Below(task_, "etc-link"));
  EXPECT_EQ(
      "path 'etc-link/passwd' leaves the workspace through symlink "
      "'etc-link'",
      Below(task_, "etc-link/passwd"));
  EXPECT_EQ("ok " + (task_ / "site/a").string(), Below(task_, "site-link/a"));
  // A shared folder's symlink may not lead back into a task folder: each
  // root confines on its own.
  EXPECT_EQ(
      "path '../_shared/lab/back' leaves the task folder through symlink "
      "'lab/back'",
      Task("../_shared/lab/back"));
  EXPECT_EQ("ok _shared/lab", Task("../_shared/lab"));
  EXPECT_EQ("ok task/site-link", Task("site-link"));
}

// With an empty root nothing is looked up: a folder that does not exist
// yet (a docroot, a layer's `at`) is checked by its text alone, and the
// result is the normal relative path.
TEST_F(ConfineHostTest, EmptyRootIsLexical) {
  EXPECT_EQ("ok html", Below({}, "www/../html"));
  EXPECT_EQ("ok ", Below({}, "."));
  EXPECT_EQ("ok a/b", Below({}, "./a//b/"));
  EXPECT_EQ("path 'www/../..' leaves the workspace", Below({}, "www/../.."));
  EXPECT_EQ("path is empty", Below({}, ""));
  EXPECT_EQ("path contains a NUL byte", Below({}, std::string("a\0b", 3)));
}

}  // namespace
}  // namespace endstate::util
