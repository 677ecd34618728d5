// A hostile task.yaml: every path and name a task may set, aimed out of the
// task folder (`..`, absolute paths, symlinks in the folder pointing out)
// or at names that would land outside the world. Task files are trusted
// less than code: each is refused by the loader with a message naming the
// file, line and field. (What the world does with what the loader lets
// through: tests/sandbox/hostile_world_test.cc.)
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tasks/loader.h"
#include "util/files.h"

namespace endstate::tasks {
namespace {

namespace fs = std::filesystem;

class HostileTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "hostile-task-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    dir_ = root_ / "evil";
    fs::create_directories(dir_ / "workspace");
    fs::create_directories(dir_ / "site");
    util::WriteFile(dir_ / "answer.txt", "42\n");
    // Symlinks in the task folder that lead out of it.
    fs::create_directory_symlink("/etc", dir_ / "etc-link");
    fs::create_directory_symlink("../..", dir_ / "up-link");
    fs::create_symlink("/etc/shadow", dir_ / "shadow.txt");
    // A symlink that stays inside is fine.
    fs::create_directory_symlink("site", dir_ / "site-link");
  }
  void TearDown() override { fs::remove_all(root_); }

  // Loads a task whose `world:` block is `world` and whose first solution
  // step is `step`; returns the error ("" when it loaded).
  std::string Load(const std::string& world,
                   const std::string& step = "  - say: Done.\n") {
    util::WriteFile(dir_ / "task.yaml",
                    "id: evil\ntitle: Evil\nlevel: easy\ninstruction: x\n"
                    "world:\n" +
                        world +
                        "checks:\n  - kind: file_exists\n    path: a\n"
                        "solution:\n" +
                        step);
    Task t;
    std::string err;
    if (LoadTask(dir_, {}, &t, &err)) return "";
    return err;
  }
  std::string At(int line, const std::string& rest) const {
    return (dir_ / "task.yaml").string() + ":" + std::to_string(line) + ": " +
           rest;
  }

  fs::path root_, dir_;
};

TEST_F(HostileTaskTest, TheBaseTaskLoads) {
  EXPECT_EQ("", Load("  workspace: workspace\n"));
  EXPECT_EQ("", Load("  sites: {site.test: site-link}\n"));
  EXPECT_EQ("", Load("  workspace: workspace\n",
                     "  - tool: write_file\n"
                     "    args_from: {content: answer.txt}\n"));
}

TEST_F(HostileTaskTest, DotDotAndAbsolutePathsAreRefused) {
  EXPECT_EQ(At(6, "world.workspace: path '../..' leaves the task folder"),
            Load("  workspace: ../..\n"));
  EXPECT_EQ(At(6, "world.workspace: path '/etc' leaves the task folder"),
            Load("  workspace: /etc\n"));
  EXPECT_EQ(At(6,
               "world.sites.site.test: path 'site/../../..' leaves the task "
               "folder"),
            Load("  sites: {site.test: site/../../..}\n"));
  EXPECT_EQ(At(6, "world.hosts[0].files: path '/root' leaves the task folder"),
            Load("  hosts: [{name: prod.test, files: /root}]\n"));
  EXPECT_EQ(
      At(6,
         "world.repos[0].commits[0].copy_from: path '../' leaves the task "
         "folder"),
      Load("  repos: [{commits: [{message: m, copy_from: ../}]}]\n"));
  EXPECT_EQ(
      At(12,
         "solution[0].args_from.content: path '/etc/shadow' leaves the task "
         "folder"),
      Load("  workspace: workspace\n",
           "  - tool: write_file\n    args_from: {content: /etc/shadow}\n"));
}

TEST_F(HostileTaskTest, SymlinksLeadingOutAreRefused) {
  const std::string kOut = "leaves the task folder through symlink ";
  EXPECT_EQ(At(6, "world.workspace: path 'etc-link' " + kOut + "'etc-link'"),
            Load("  workspace: etc-link\n"));
  EXPECT_EQ(At(6, "world.workspace: path 'up-link' " + kOut + "'up-link'"),
            Load("  workspace: up-link\n"));
  EXPECT_EQ(
      At(6, "world.sites.site.test: path 'etc-link' " + kOut + "'etc-link'"),
      Load("  sites: {site.test: etc-link}\n"));
  EXPECT_EQ(
      At(6, "world.hosts[0].files: path 'etc-link/ssh' " + kOut + "'etc-link'"),
      Load("  hosts: [{name: prod.test, files: etc-link/ssh}]\n"));
  EXPECT_EQ(At(6, "world.repos[0].commits[0].copy_from: path 'up-link' " +
                      kOut + "'up-link'"),
            Load("  repos: [{commits: [{message: m, copy_from: up-link}]}]\n"));
  EXPECT_EQ(At(12, "solution[0].args_from.content: path 'shadow.txt' " + kOut +
                       "'shadow.txt'"),
            Load("  workspace: workspace\n",
                 "  - tool: write_file\n    args_from: {content: "
                 "shadow.txt}\n"));
}

// The suite's shared fixtures ("../_shared/...") are a second allowed root
// of the same rule: a symlink in them may not lead out of them, not even
// into the task folder that names them.
TEST_F(HostileTaskTest, SymlinksLeadingOutOfTheSharedFixturesAreRefused) {
  const fs::path shared = root_ / "_shared";
  fs::create_directories(shared / "site");
  fs::create_directory_symlink("/etc", shared / "site" / "etc-link");
  fs::create_directory_symlink("../evil", shared / "back");
  EXPECT_EQ("", Load("  workspace: ../_shared/site\n"));
  EXPECT_EQ(At(6,
               "world.workspace: path '../_shared/site/etc-link' leaves the "
               "task folder through symlink 'site/etc-link'"),
            Load("  workspace: ../_shared/site/etc-link\n"));
  EXPECT_EQ(At(6,
               "world.workspace: path '../_shared/back' leaves the task "
               "folder through symlink 'back'"),
            Load("  workspace: ../_shared/back\n"));
  // Only the shared folder is a second root, not the suite beside it.
  EXPECT_EQ(At(6,
               "world.workspace: path '../_shared/../other' leaves the "
               "task folder"),
            Load("  workspace: ../_shared/../other\n"));
}

TEST_F(HostileTaskTest, HostDocrootsAndRepoPathsStayInside) {
  EXPECT_EQ(At(6, "world.hosts[0].docroot: path '/etc' leaves the host root"),
            Load("  hosts: [{name: prod.test, docroot: /etc}]\n"));
  EXPECT_EQ(At(6,
               "world.hosts[0].docroot: path 'www/../../..' leaves the host "
               "root"),
            Load("  hosts: [{name: prod.test, docroot: www/../../..}]\n"));
  EXPECT_EQ(At(6, "world.repos[0].path: path '../../x' leaves the workspace"),
            Load("  repos: [{path: ../../x, commits: [{message: m}]}]\n"));
  EXPECT_EQ(At(6, "world.repos[0].path: path '/tmp/x' leaves the workspace"),
            Load("  repos: [{path: /tmp/x, commits: [{message: m}]}]\n"));
  EXPECT_EQ(At(7, "world.workspace[0].at: path '/srv' leaves the workspace"),
            Load("  workspace:\n    - {path: workspace, at: /srv}\n"));
  EXPECT_EQ(At(7,
               "world.hosts[0].files[0].at: path 'a/../..' leaves the host "
               "root"),
            Load("  hosts:\n    - {name: prod.test, files: [{path: site, "
                 "at: a/../..}]}\n"));
  // Staying inside after a `..` is fine: the rule, not a substring test.
  EXPECT_EQ("", Load("  hosts: [{name: prod.test, docroot: www/../html}]\n"));
}

TEST_F(HostileTaskTest, HostNamesMustBePlainTestNames) {
  for (const std::string name :
       {"evil.com", "../../x.test", "a/../../b.test", "prod.test.", "PROD.test",
        "localhost", "169.254.169.254"}) {
    EXPECT_EQ(At(6, "world.hosts[0].name: host name '" + name +
                        "' must end in .test (e.g. site.test)"),
              Load("  hosts: [{name: '" + name + "'}]\n"))
        << name;
    EXPECT_EQ(At(6, "world.sites: host name '" + name +
                        "' must end in .test (e.g. site.test)"),
              Load("  sites: {'" + name + "': site}\n"))
        << name;
  }
}

TEST_F(HostileTaskTest, IdMustBeTheFolderName) {
  util::WriteFile(dir_ / "task.yaml",
                  "id: ../../escape\ntitle: t\nlevel: easy\ninstruction: x\n");
  Task t;
  std::string err;
  EXPECT_FALSE(LoadTask(dir_, {}, &t, &err));
  EXPECT_EQ(At(1, "id: must equal the folder name 'evil'"), err);
}

}  // namespace
}  // namespace endstate::tasks
