// The status `endstate runs` shows (results/run_status.h) and the record
// behind it: pid and host of the running process, cancelled_at.
#include "results/run_status.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "results/browse.h"
#include "results/store.h"
#include "tests/results/temp_dir.h"
#include "util/clock.h"

namespace endstate::results {
namespace {

// A pid that surely names no process: a child that exited and was reaped.
int64_t DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(ShownRunStatus, FinishedCancelledKilledRunning) {
  const int64_t dead = DeadPid(), alive = getpid();
  auto shown = [](const RunLiveness& r) { return ShownRunStatus(r, "here"); };
  EXPECT_EQ("finished",
            shown({.status = "finished", .pid = dead, .pid_host = "here"}));
  EXPECT_EQ("cancelled", shown({.status = "running",
                                .cancelled = true,
                                .pid = dead,
                                .pid_host = "here"}));
  EXPECT_EQ("killed",
            shown({.status = "running", .pid = dead, .pid_host = "here"}));
  EXPECT_EQ("running",
            shown({.status = "running", .pid = alive, .pid_host = "here"}));
  // Another host's pid says nothing here; no pid (before schema v6) either.
  EXPECT_EQ("running",
            shown({.status = "running", .pid = dead, .pid_host = "elsewhere"}));
  EXPECT_EQ("running", shown({.status = "running"}));
  EXPECT_FALSE(ProcessAlive(0));
  EXPECT_FALSE(ProcessAlive(-1));
  EXPECT_TRUE(ProcessAlive(1));  // init: alive (EPERM or not)
}

TEST(ShownRunStatus, StoreRecordsPidCancelAndReopen) {
  test::TempDir dir;
  const std::string path = (dir.path() / "r.db").string();
  std::string err;
  auto store = Store::Open(path, &err);
  ASSERT_TRUE(store) << err;
  const int64_t run = store->BeginRun(
      {.config_json = "{}", .version = "t", .host = util::HostName()}, &err);
  ASSERT_GT(run, 0) << err;
  auto status = [&] {
    auto reader = test::OpenReader(path);
    auto runs = ListRuns(reader, &err);
    EXPECT_TRUE(runs) << err;
    return runs && runs->size() == 1 ? (*runs)[0].status : "?";
  };
  EXPECT_EQ("running", status());  // this process, alive
  ASSERT_TRUE(store->CancelRun(run, &err)) << err;
  EXPECT_EQ("cancelled", status());
  ASSERT_TRUE(store->ReopenRun(run, &err)) << err;
  EXPECT_EQ("running", status());
  ASSERT_TRUE(store->FinishRun(run, &err)) << err;
  EXPECT_EQ("finished", status());
  EXPECT_FALSE(store->CancelRun(run, &err));
  EXPECT_EQ("no running run with id 1", err);
}

}  // namespace
}  // namespace endstate::results
