// Sweeping the worlds a killed run left behind: only directories of dead
// processes go, never kept worlds, live runs' worlds or foreign names.
#include "sandbox/world_sweep.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "sandbox/limits.h"
#include "util/files.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;

TEST(WorldOwnerPid, ReadsThePidFromTheEnd) {
  EXPECT_EQ(1234, WorldOwnerPid("tiny-title-1234-0-a3f9c1"));
  EXPECT_EQ(77, WorldOwnerPid("task-2-77-15-ff"));
  EXPECT_EQ(99, WorldOwnerPid("world-99-3-0"));
  EXPECT_EQ(4321, WorldOwnerPid(".keys-4321"));
  EXPECT_EQ(0, WorldOwnerPid("notes"));
  EXPECT_EQ(0, WorldOwnerPid("a-b-c"));
  EXPECT_EQ(0, WorldOwnerPid("1234-0-ab"));  // no prefix
  EXPECT_EQ(0, WorldOwnerPid("x-12a-0-ab"));
  EXPECT_EQ(0, WorldOwnerPid("x-12-0-xyz"));  // not hex
  EXPECT_EQ(0, WorldOwnerPid(".keys-"));
}

// A process id that certainly belongs to no process: a child that exited
// and was reaped (pids are not reused this quickly).
int DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(SweepStaleWorlds, RemovesOnlyWorldsOfDeadProcesses) {
  std::string err;
  fs::path base = util::MakeTempDir(fs::temp_directory_path(), "sweep-", &err);
  ASSERT_FALSE(base.empty()) << err;
  const std::string dead = std::to_string(DeadPid());
  const std::string alive = std::to_string(getpid());
  for (const std::string& name :
       {"t-" + dead + "-0-ab", "t-" + dead + "-1-cd", ".keys-" + dead,
        "kept-" + dead + "-2-ef", "t-" + alive + "-0-ab", ".keys-" + alive,
        std::string("notes"), std::string("t-1-0-ab")}) {
    fs::create_directories(base / name / "workspace");
    util::WriteFile(base / name / "workspace/f", "x");
  }
  util::WriteFile(base / ("kept-" + dead + "-2-ef") / kKeepMarker, "");
  util::WriteFile(base / ("t-" + dead + "-9-aa"), "a file, not a world");

  SweepResult r = SweepStaleWorlds(base);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(3u, r.removed.size());
  EXPECT_FALSE(fs::exists(base / ("t-" + dead + "-0-ab")));
  EXPECT_FALSE(fs::exists(base / ("t-" + dead + "-1-cd")));
  EXPECT_FALSE(fs::exists(base / (".keys-" + dead)));
  EXPECT_TRUE(fs::exists(base / ("kept-" + dead + "-2-ef/workspace/f")));
  EXPECT_TRUE(fs::exists(base / ("t-" + alive + "-0-ab/workspace/f")));
  EXPECT_TRUE(fs::exists(base / (".keys-" + alive)));
  EXPECT_TRUE(fs::exists(base / "notes"));
  EXPECT_TRUE(fs::exists(base / "t-1-0-ab"));  // pid 1 is never stale
  EXPECT_TRUE(fs::exists(base / ("t-" + dead + "-9-aa")));
  fs::remove_all(base);
}

TEST(SweepStalePidsCgroups, RemovesOnlyCgroupsOfDeadProcesses) {
  const fs::path parent = "/sys/fs/cgroup/pids/endstate";
  std::error_code ec;
  fs::create_directories(parent, ec);
  const fs::path dead = parent / ("run-" + std::to_string(DeadPid()) + "-0");
  const fs::path alive = parent / ("run-" + std::to_string(getpid()) + "-999");
  if (!fs::create_directory(dead, ec) || ec) {
    GTEST_SKIP() << "no writable pids cgroup v1 here: " << ec.message();
  }
  ASSERT_TRUE(fs::create_directory(alive, ec)) << ec.message();
  EXPECT_GE(SweepStalePidsCgroups(), 1);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(alive));
  fs::remove(alive, ec);
}

TEST(SweepStaleWorlds, MissingBaseIsNothingToDo) {
  SweepResult r = SweepStaleWorlds("/nonexistent/endstate-worlds");
  EXPECT_TRUE(r.removed.empty());
  EXPECT_TRUE(r.errors.empty());
}

}  // namespace
}  // namespace endstate::sandbox
