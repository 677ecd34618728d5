// A hostile task that the loader lets through (its folders and names are
// fine) but whose content aims out of the world: symlinks inside the
// workspace or a host's files that a repo or a docroot would follow, commit
// paths with `..`, and a deploy that swaps the docroot for a symlink to the
// host's `/`. Building the world must either fail with a clear error or
// write nothing outside its own directory (checked on a canary directory
// and the worlds' base), and the fixture server must never serve a file
// from outside the world.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "sandbox/world.h"
#include "sandbox/world_disk.h"
#include "tasks/loader.h"
#include "util/files.h"
#include "util/http.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;

class HostileWorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path("/var/tmp") /
            ("es-hostile-world-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    canary_ = root_ / "canary";
    dir_ = root_ / "suite/evil";
    fs::create_directories(canary_);
    fs::create_directories(dir_ / "workspace");
    fs::create_directories(dir_ / "prod/www");
    util::WriteFile(dir_ / "prod/www/index.html", "<h1>prod</h1>");
    options_.base = root_ / "worlds";
  }
  void TearDown() override { fs::remove_all(root_); }

  // Loads the task with `world` as its `world:` block, then builds it.
  // Returns the world, or nullptr with *err.
  std::unique_ptr<World> Build(const std::string& world, std::string* err) {
    util::WriteFile(dir_ / "task.yaml",
                    "id: evil\ntitle: Evil\nlevel: easy\ninstruction: x\n"
                    "world:\n" +
                        world +
                        "checks:\n  - kind: file_exists\n    path: a\n"
                        "solution:\n  - say: Done.\n");
    tasks::Task task;
    if (!tasks::LoadTask(dir_, {}, &task, err)) {
      *err = "loader: " + *err;
      return nullptr;
    }
    return World::Create(task, options_, err);
  }
  // Entries of `dir` (names only), sorted.
  static std::vector<std::string> List(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  util::HttpResponse Get(const World& world, const std::string& host,
                         const std::string& path) {
    util::HttpRequest req;
    req.url = "http://" + host + path;
    req.connect_to[host + ":80"] = *world.HttpAddress(host);
    req.total_timeout = std::chrono::seconds(5);
    return util::Fetch(req);
  }

  fs::path root_, canary_, dir_;
  WorldOptions options_;
};

// A workspace symlink to the canary used as a repo path: the repo would be
// created in the canary.
TEST_F(HostileWorldTest, RepoThroughAWorkspaceSymlinkIsRefused) {
  fs::create_directory_symlink(canary_, dir_ / "workspace/out");
  std::string err;
  auto world = Build(
      "  workspace: workspace\n"
      "  repos: [{path: out, commits: [{message: m, write: {a: b}}]}]\n",
      &err);
  EXPECT_EQ(nullptr, world);
  EXPECT_EQ("repo out: path 'out' leaves the workspace through symlink 'out'",
            err);
  EXPECT_TRUE(List(canary_).empty());
  EXPECT_TRUE(List(options_.base).empty());
}

// A commit writing below a workspace symlink: libgit2's checkout writes
// through it (measured before the fix: canary/x appeared), so such a
// workspace is refused when it holds a repo.
TEST_F(HostileWorldTest, CommitBelowAWorkspaceSymlinkWritesNothingOutside) {
  fs::create_directory_symlink(canary_, dir_ / "workspace/out");
  std::string err;
  auto world = Build(
      "  workspace: workspace\n"
      "  repos: [{path: ., commits: [{message: m, write: {out/x: pwned}}]}]\n",
      &err);
  EXPECT_EQ(nullptr, world);
  EXPECT_EQ("repo .: path 'out' leaves the workspace through symlink 'out'",
            err);
  EXPECT_TRUE(List(canary_).empty());
  EXPECT_TRUE(List(options_.base).empty());
  // The same through a `.git` link of a sub-repo.
  fs::remove(dir_ / "workspace/out");
  fs::create_directories(dir_ / "workspace/sub");
  fs::create_directory_symlink(canary_, dir_ / "workspace/sub/.git");
  world = Build(
      "  workspace: workspace\n"
      "  repos: [{path: sub, commits: [{message: m, write: {a: b}}]}]\n",
      &err);
  EXPECT_EQ(nullptr, world);
  EXPECT_EQ(
      "repo sub: path 'sub/.git' leaves the workspace through symlink "
      "'sub/.git'",
      err);
  EXPECT_TRUE(List(canary_).empty());
}

TEST_F(HostileWorldTest, CommitPathsWithDotDotAreRefused) {
  std::string err;
  auto world = Build(
      "  repos: [{path: ., commits: [{message: m, write: {../../x: b}}]}]\n",
      &err);
  EXPECT_EQ(nullptr, world);
  EXPECT_EQ("repo .: commits[0]: write: path '../../x' leaves the repository",
            err);
  world = Build(
      "  repos: [{path: ., commits: [{message: m, write: {a: b}, remove: "
      "[../x]}]}]\n",
      &err);
  EXPECT_EQ(nullptr, world);
  EXPECT_EQ("repo .: commits[0]: remove: path '../x' leaves the repository",
            err);
  EXPECT_TRUE(List(options_.base).empty());
}

// Symlinks inside the workspace are copied as links, never as the host
// files they point to.
TEST_F(HostileWorldTest, WorkspaceSymlinksAreCopiedAsLinks) {
  fs::create_symlink("/etc/shadow", dir_ / "workspace/shadow");
  std::string err;
  auto world = Build("  workspace: workspace\n", &err);
  ASSERT_NE(nullptr, world) << err;
  EXPECT_TRUE(fs::is_symlink(world->workspace() / "shadow"));
  EXPECT_TRUE(fs::is_symlink(world->initial_workspace() / "shadow"));
  ProcessResult r = world->RunShell("cat shadow 2>&1", world->options().shell);
  EXPECT_EQ("cat: shadow: Permission denied\n", r.out);
}

// A host's files with `www -> /etc` (measured before the fix: the fixture
// server served the host's /etc/passwd), or `srv -> canary` with docroot
// srv/html (the world would create canary/html).
TEST_F(HostileWorldTest, DocrootThroughASymlinkOutOfTheHostIsRefused) {
  fs::remove_all(dir_ / "prod/www");
  fs::create_directory_symlink("/etc", dir_ / "prod/www");
  std::string err;
  auto world = Build("  hosts: [{name: prod.test, files: prod}]\n", &err);
  EXPECT_EQ(nullptr, world);
  EXPECT_EQ(
      "host prod.test: docroot: path 'www' leaves the host root through "
      "symlink 'www'",
      err);
  fs::create_directory_symlink(canary_, dir_ / "prod/srv");
  world = Build(
      "  hosts: [{name: prod.test, files: prod, docroot: srv/html}]\n", &err);
  EXPECT_EQ(nullptr, world);
  EXPECT_EQ(
      "host prod.test: docroot: path 'srv/html' leaves the host root through "
      "symlink 'srv'",
      err);
  EXPECT_TRUE(List(canary_).empty());
  EXPECT_TRUE(List(options_.base).empty());
}

// The agent deploys a symlink to `/` in place of the docroot, then fetches
// the host's secrets through the world's web server.
TEST_F(HostileWorldTest, DeployedSymlinkCannotExposeTheHost) {
  std::string err;
  auto world = Build("  hosts: [{name: prod.test, files: prod}]\n", &err);
  ASSERT_NE(nullptr, world) << err;
  EXPECT_EQ("<h1>prod</h1>", Get(*world, "prod.test", "/").body);
  ExecResult r;
  ASSERT_TRUE(world->RunOnHost(
      "prod.test",
      "mkdir -p rel/v2 && echo '<h1>v2</h1>' > rel/v2/index.html && "
      "rm -r www && ln -s / www",
      world->options().shell, &r, &err))
      << err;
  ASSERT_EQ(0, r.exit_code) << r.err;
  // Unconfined, the same path would read the host's /etc/passwd.
  ASSERT_TRUE(
      fs::is_regular_file(world->deploy_hosts()[0].docroot / "etc/passwd"));
  EXPECT_EQ(404, Get(*world, "prod.test", "/etc/passwd").status);
  EXPECT_EQ(404, Get(*world, "prod.test", "/etc/shadow").status);
  EXPECT_EQ(404, Get(*world, "prod.test", "/var/tmp/").status);
  // A relative symlink swap inside the host root (a common deploy) works.
  ASSERT_TRUE(world->RunOnHost("prod.test", "rm www && ln -s rel/v2 www",
                               world->options().shell, &r, &err))
      << err;
  EXPECT_EQ("<h1>v2</h1>\n", Get(*world, "prod.test", "/").body);
}

}  // namespace
}  // namespace endstate::sandbox

namespace endstate::sandbox {
namespace {

// Issue 12, finding 4: what the agent plants in the workspace for a
// `command` check to pick up (a re.py shadowing Python's module, a
// .gitconfig in what used to be HOME) is not used, and a failing command
// in a pipeline fails the check's command.
TEST_F(HostileWorldTest, CheckCommandsIgnoreWhatTheAgentPlanted) {
  std::string err;
  auto world = Build("  workspace: workspace\n", &err);
  ASSERT_NE(nullptr, world) << err;
  util::WriteFile(world->workspace() / "re.py", "def search(*a): return 1\n");
  util::WriteFile(world->workspace() / ".gitconfig", "[[[ broken\n");
  const ShellLimits& limits = world->options().shell;
  ProcessResult r = world->RunCheckCommand(
      "echo $HOME; python3 -c 'import re; print(re.search(\"x\", \"y\"))'; "
      "git config --global --list 2>&1 | wc -l",
      limits);
  EXPECT_EQ("/tmp\nNone\n0\n", r.out) << r.err;
  EXPECT_EQ(0, r.exit_code);
  r = world->RunCheckCommand("grep -c x missing.txt | cat", limits);
  EXPECT_EQ(2, r.exit_code);  // pipefail: grep's failure is the pipeline's
  // The agent's own shell keeps its usual HOME and cwd import.
  r = world->RunShell("python3 -c 'import re; print(re.search(1))'", limits);
  EXPECT_EQ("1\n", r.out) << r.err;
}

}  // namespace
}  // namespace endstate::sandbox

namespace endstate::sandbox {
namespace {

// Issue 12, finding 6: four processes of 150 MiB each fit under the
// per-process address-space limit; the run's total (a memory cgroup) stops
// them, and the result says so.
TEST_F(HostileWorldTest, RunMemoryTotalIsBounded) {
  if (!fs::exists("/sys/fs/cgroup/memory/tasks")) {
    GTEST_SKIP() << "no cgroup v1 memory controller";
  }
  std::string err;
  auto world = Build("  workspace: workspace\n", &err);
  ASSERT_NE(nullptr, world) << err;
  ShellLimits limits = world->options().shell;
  limits.max_total_memory_bytes = 256ull << 20;
  ProcessResult r = world->RunShell(
      "for i in 1 2 3 4; do python3 -c 'b = bytearray(150 << 20); "
      "import time; time.sleep(1)' & done; wait",
      limits);
  EXPECT_TRUE(r.memory_limit_hit) << r.out << r.err;
  limits.max_total_memory_bytes = 1ull << 30;
  r = world->RunShell("python3 -c 'b = bytearray(150 << 20)'", limits);
  EXPECT_FALSE(r.memory_limit_hit);
  EXPECT_EQ(0, r.exit_code) << r.err;
}

// The world's disk total (sandbox/world_disk.h): the world is its own
// tmpfs of max_world_bytes. A shell `dd` and an ssh session writing to
// /srv both stop at "No space left on device", the host's disk (the
// worlds' base) holds nothing of it, and the mount is gone with the world.
TEST_F(HostileWorldTest, WorldDiskTotalIsBounded) {
  options_.shell.max_world_bytes = 8ull << 20;
  std::string err;
  auto world = Build(
      "  workspace: workspace\n  hosts: [{name: prod.test, files: prod}]\n",
      &err);
  ASSERT_NE(nullptr, world) << err;
  const fs::path dir = world->dir();
  struct statvfs vfs {};
  ASSERT_EQ(0, ::statvfs(dir.c_str(), &vfs));
  EXPECT_EQ(8ull << 20, uint64_t{vfs.f_blocks} * vfs.f_frsize);
  struct stat world_st {
  }, base_st{};
  ASSERT_EQ(0, ::stat(dir.c_str(), &world_st));
  ASSERT_EQ(0, ::stat(options_.base.c_str(), &base_st));
  EXPECT_NE(base_st.st_dev, world_st.st_dev);  // not the host's disk

  ProcessResult r =
      world->RunShell("dd if=/dev/zero of=fill bs=1M count=20 2>&1 | head -1",
                      world->options().shell);
  EXPECT_EQ("dd: error writing 'fill': No space left on device\n", r.out);
  EXPECT_LE(fs::file_size(world->workspace() / "fill"), 8ull << 20);
  // The deploy host's root is on the same disk: a session sees it full.
  auto session = SshSession::Connect(world->deploy_hosts()[0].ssh, &err);
  ASSERT_NE(nullptr, session) << err;
  ExecResult er;
  ASSERT_TRUE(session->Exec("echo x > /srv/www/more.html",
                            std::chrono::seconds(10), 4096, &er, &err))
      << err;
  EXPECT_EQ(1, er.exit_code);
  EXPECT_NE(std::string::npos, er.err.find("No space left on device"))
      << er.err;
  // Freeing space works again (the agent can recover).
  fs::remove(world->workspace() / "fill");
  r = world->RunShell("echo ok > small && cat small", world->options().shell);
  EXPECT_EQ("ok\n", r.out);
  world.reset();
  EXPECT_FALSE(fs::exists(dir));
  const std::string mounts = util::ReadFile("/proc/self/mounts").value_or("");
  EXPECT_EQ(std::string::npos, mounts.find(dir.string()));
  EXPECT_TRUE(List(options_.base).empty());
}

// A world whose directory cannot be mounted says why and how to go on.
TEST_F(HostileWorldTest, WorldDiskMountFailureIsClear) {
  std::string err;
  fs::create_directories(options_.base);
  EXPECT_FALSE(MountWorldDisk(options_.base / "missing", 1 << 20, &err));
  EXPECT_EQ("cannot mount the world's 1 MiB disk on " +
                (options_.base / "missing").string() +
                ": No such file or directory",
            err);
  options_.shell.max_world_bytes = 0;  // no limit: no mount
  auto world = Build("  workspace: workspace\n", &err);
  ASSERT_NE(nullptr, world) << err;
  struct stat world_st {
  }, base_st{};
  ASSERT_EQ(0, ::stat(world->dir().c_str(), &world_st));
  ASSERT_EQ(0, ::stat(options_.base.c_str(), &base_st));
  EXPECT_EQ(base_st.st_dev, world_st.st_dev);
}

}  // namespace
}  // namespace endstate::sandbox
