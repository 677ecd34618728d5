// Stopping `endstate run` with SIGINT / SIGTERM (docs/cli.md, "Stopping a
// run"), the statuses `runs` shows (running, cancelled, killed, finished),
// and "the latest run" meaning the latest evaluation run. End to end: the
// real binary in a child process, a scripted endpoint in this one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "results/reader.h"
#include "results/store.h"
#include "tests/cli/tiny_agent.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class StopCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    // One try per model call, so that a 500 is an attempt error at once.
    ASSERT_TRUE(test::MakeTinyCliFolder("stop-cli-", server_.base_url(), &root_,
                                        &suite_, &db_, &config_, &err))
        << err;
    // The agent fixes the title, then says it is done; the first request
    // is held (no byte sent) while hold_first_ is set, until Release().
    server_.SetResponder([this](const test::RecordedRequest& r) {
      {
        std::unique_lock lock(mu_);
        ++requests_;
        cv_.notify_all();
        if (hold_first_ && requests_ == 1) {
          cv_.wait_for(lock, std::chrono::seconds(20),
                       [&] { return released_; });
        }
      }
      return r.body.find("\"role\":\"tool\"") == std::string::npos
                 ? test::TinyFix()
                 : test::TinyDone();
    });
  }
  void TearDown() override {
    Release();
    fs::remove_all(root_);
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // Waits until the endpoint has received `n` requests.
  bool WaitRequests(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20),
                        [&] { return requests_ >= n; });
  }

  std::string Flags() {
    return " --db " + db_ + " --worlds-dir " + (root_ / "worlds").string();
  }
  // Starts `endstate ARGS` in the background (stdout and stderr to
  // out.txt); returns its pid.
  pid_t Spawn(const std::string& args) {
    pid_t pid = fork();
    if (pid == 0) {
      std::string cmd = std::string("exec ") + ENDSTATE_BINARY + " " + args +
                        " >" + Out() + " 2>&1";
      execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
      _exit(127);
    }
    return pid;
  }
  std::string Out() { return (root_ / "out.txt").string(); }
  std::string Output() { return util::ReadFile(Out()).value_or(""); }
  // The exit code of `pid`, or -signal when a signal ended it.
  int Wait(pid_t pid) {
    int status = 0;
    EXPECT_EQ(pid, waitpid(pid, &status, 0));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  std::string ScriptedRun() {
    return "run --config " + config_ + " --tasks " + suite_.string() +
           " --model scripted --concurrency 1" + Flags();
  }
  // "id outcome termination" of every attempt, in id order.
  std::vector<std::string> Attempts() {
    std::string err;
    auto store = results::Store::Open(db_, &err);
    EXPECT_TRUE(store) << err;
    auto rows = store->ListAttempts(1, &err);
    EXPECT_TRUE(rows) << err;
    std::vector<std::string> out;
    for (const auto& r : *rows) {
      out.push_back(std::to_string(r.id) + " " +
                    std::string(results::OutcomeName(r.outcome)) + " " +
                    std::string(results::TerminationName(r.termination)));
    }
    return out;
  }
  // The "status" of every run, from `runs --json`.
  std::vector<std::string> Statuses() {
    test::ShellResult r = test::RunCli("runs --json --db " + db_, false);
    EXPECT_EQ(0, r.exit_code);
    std::vector<std::string> out;
    for (const auto& run : nlohmann::json::parse(r.out))
      out.push_back(run.at("status"));
    return out;
  }
  std::string ResumeLine() {
    return "endstate run --resume 1 --db " + db_ + "\n";
  }

  test::ScriptedServer server_;
  std::mutex mu_;
  std::condition_variable cv_;
  int requests_ = 0;
  bool hold_first_ = true, released_ = false;
  fs::path root_, suite_;
  std::string db_, config_;
};

TEST_F(StopCliTest, SigintCutsTheRequestInFlightMarksCancelledAndResumes) {
  pid_t pid = Spawn(ScriptedRun());
  ASSERT_TRUE(WaitRequests(1));
  EXPECT_EQ((std::vector<std::string>{"running"}), Statuses());
  const auto sent = Clock::now();
  ASSERT_EQ(0, kill(pid, SIGINT));
  EXPECT_EQ(130, Wait(pid));
  // libcurl polls the stop at least about once a second on an idle socket.
  EXPECT_LT(Clock::now() - sent, milliseconds(2500));
  const std::string out = Output();
  EXPECT_NE(std::string::npos,
            out.find("endstate: SIGINT: stopping: no new attempt starts, "
                     "those in flight end as cancelled (a second Ctrl-C "
                     "exits at once)\n"))
      << out;
  EXPECT_TRUE(out.ends_with(
      "endstate: run 1 cancelled (1 attempt(s) in flight ended as "
      "cancelled); resume it with:\n" +
      ResumeLine()))
      << out;
  EXPECT_EQ((std::vector<std::string>{"1 error cancelled"}), Attempts());
  EXPECT_EQ((std::vector<std::string>{"cancelled"}), Statuses());
  test::ShellResult table = test::RunCli("runs --db " + db_);
  EXPECT_EQ(0u, table.out.find("id  status     started")) << table.out;
  EXPECT_NE(std::string::npos, table.out.find("\n1   cancelled  "))
      << table.out;

  // The cancelled try is no result: resume runs the slot again.
  Release();
  test::ShellResult r = test::RunCli("run --resume 1" + Flags());
  EXPECT_EQ(0, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("endstate: resuming run 1: 1 slot(s): 0 kept, 1 "
                       "interrupted, 0 error(s) to retry, 0 not started; 1 "
                       "attempt(s) to run"))
      << r.out;
  EXPECT_EQ(
      (std::vector<std::string>{"1 error cancelled", "2 passed agent_stop"}),
      Attempts());
  EXPECT_EQ((std::vector<std::string>{"finished"}), Statuses());
}

TEST_F(StopCliTest, SigtermStopsTheSameWay) {
  pid_t pid = Spawn(ScriptedRun());
  ASSERT_TRUE(WaitRequests(1));
  ASSERT_EQ(0, kill(pid, SIGTERM));
  EXPECT_EQ(130, Wait(pid));
  EXPECT_NE(std::string::npos, Output().find("endstate: SIGTERM: stopping: "))
      << Output();
  EXPECT_EQ((std::vector<std::string>{"cancelled"}), Statuses());
}

TEST_F(StopCliTest, SecondSigintExitsAtOnceAndTheRunStaysResumable) {
  // A grading command that takes 3 s: the first stop waits for it (grading
  // is never cut), so the second signal surely lands during the stop.
  util::WriteFile(
      suite_ / "tiny-title/task.yaml",
      std::string(test::kTinyTaskYaml)
          .replace(std::string(test::kTinyTaskYaml).find("solution:"), 9,
                   "  - kind: command\n    run: sleep 3\nsolution:"));
  hold_first_ = false;
  pid_t pid = Spawn(ScriptedRun());
  ASSERT_TRUE(WaitRequests(2));  // the agent said it is done: grading
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_EQ(0, kill(pid, SIGINT));
  std::this_thread::sleep_for(milliseconds(200));
  const auto sent = Clock::now();
  ASSERT_EQ(0, kill(pid, SIGINT));
  EXPECT_EQ(130, Wait(pid));
  EXPECT_LT(Clock::now() - sent, milliseconds(500));
  EXPECT_TRUE(Output().ends_with(
      "endstate: second interrupt: exiting at once; run 1 stays resumable "
      "with:\n" +
      ResumeLine()))
      << Output();
  // The process is gone while the run says running.
  EXPECT_EQ((std::vector<std::string>{"killed"}), Statuses());
  EXPECT_EQ((std::vector<std::string>{"1  "}), Attempts());  // running
}

TEST_F(StopCliTest, SigintStopsAProbeRun) {
  pid_t pid = Spawn("probe toolcalls --n 3 --config " + config_ +
                    " --model scripted --db " + db_);
  ASSERT_TRUE(WaitRequests(1));
  ASSERT_EQ(0, kill(pid, SIGINT));
  EXPECT_EQ(130, Wait(pid));
  EXPECT_NE(std::string::npos,
            Output().find("endstate: SIGINT: stopping the probes (a second "
                          "Ctrl-C exits at once)\n"))
      << Output();
  // The probe's further requests are cut before they are sent.
  EXPECT_TRUE(Output().ends_with(
      "connection error: stopped; stopped after 2 requests\nendstate: probe "
      "run 1 cancelled (the measurements recorded so far are kept)\n"))
      << Output();
  EXPECT_EQ((std::vector<std::string>{"cancelled"}), Statuses());
  EXPECT_EQ(1, requests_);
}

TEST_F(StopCliTest, SigkilledRunShowsKilled) {
  pid_t pid = Spawn(ScriptedRun());
  ASSERT_TRUE(WaitRequests(1));
  EXPECT_EQ((std::vector<std::string>{"running"}), Statuses());
  ASSERT_EQ(0, kill(pid, SIGKILL));
  EXPECT_EQ(-SIGKILL, Wait(pid));
  EXPECT_EQ((std::vector<std::string>{"killed"}), Statuses());
  test::ShellResult table = test::RunCli("runs --db " + db_);
  EXPECT_NE(std::string::npos, table.out.find("\n1   killed  ")) << table.out;
  // Resumed, the run is running again (this process), then finished.
  Release();
  test::ShellResult r = test::RunCli("run --resume 1 -q" + Flags());
  EXPECT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ(
      (std::vector<std::string>{"1 error interrupted", "2 passed agent_stop"}),
      Attempts());
  EXPECT_EQ((std::vector<std::string>{"finished"}), Statuses());
}

TEST_F(StopCliTest, LatestRunIsTheLatestEvaluationRun) {
  hold_first_ = false;
  test::ShellResult run = test::RunCli(ScriptedRun() + " -q");
  ASSERT_EQ(0, run.exit_code) << run.out;
  test::ShellResult replay =
      test::RunCli("replay 1 --db " + db_ + " --tasks " + suite_.string() +
                   " --from-turn 1 --model builtin:null");
  EXPECT_EQ(0, replay.exit_code) << replay.out;
  EXPECT_NE(std::string::npos, replay.out.find("new attempt 2 (run 2, parent "
                                               "1): failed"))
      << replay.out;
  test::ShellResult runs = test::RunCli("runs --json --db " + db_, false);
  auto kinds = nlohmann::json::parse(runs.out);
  ASSERT_EQ(2u, kinds.size()) << runs.out;
  EXPECT_EQ("replay", kinds[1].at("kind"));
  test::ShellResult report =
      test::RunCli("report --format json --db " + db_, false);
  ASSERT_EQ(0, report.exit_code) << report.out;
  EXPECT_EQ(1, nlohmann::json::parse(report.out).at("run")) << report.out;
  test::ShellResult attempts =
      test::RunCli("attempts --json --db " + db_, false);
  ASSERT_EQ(0, attempts.exit_code) << attempts.out;
  auto rows = nlohmann::json::parse(attempts.out);
  ASSERT_EQ(1u, rows.size()) << attempts.out;
  EXPECT_EQ(1, rows[0].at("run_id"));
  EXPECT_EQ("passed", rows[0].at("outcome"));
  // The `jq` example of docs/report.md reads the evaluation run (the
  // replay's builtin:null, at 0%, would be listed otherwise).
  test::ShellResult jq =
      test::Shell("cd " + root_.string() + " && " + ENDSTATE_BINARY +
                  " report --format json --db " + db_ +
                  " | jq -r '.models[] | select(.completion_rate != null and "
                  ".completion_rate < 0.8) | .name'");
  EXPECT_EQ(0, jq.exit_code);
  EXPECT_EQ("", jq.out);
  test::ShellResult all =
      test::Shell(std::string(ENDSTATE_BINARY) + " report --format json --db " +
                  db_ + " | jq -r '.models[] | .name'");
  EXPECT_EQ("scripted\n", all.out);
  std::string err;
  auto reader = results::RunReader::Open(db_, &err);
  ASSERT_TRUE(reader) << err;
  EXPECT_EQ(1, reader->LatestRun(&err));
}

// The verdict of the latest try of every slot: "model task epoch outcome".
std::vector<std::string> SlotVerdicts(const std::string& db) {
  test::ShellResult r = test::Shell(
      "sqlite3 " + db +
      " \"SELECT m.name || ' ' || t.task_id || ' ' || a.epoch || ' ' || "
      "a.outcome FROM attempts a JOIN models m ON m.id = a.model_id JOIN "
      "tasks t ON t.id = a.task_id WHERE a.id IN (SELECT max(id) FROM "
      "attempts GROUP BY model_id, task_id, epoch) ORDER BY 1\"");
  EXPECT_EQ(0, r.exit_code);
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    out.push_back(r.out.substr(start, nl - start));
  }
  return out;
}

TEST_F(StopCliTest, InterruptedAndResumedRunEqualsAnUninterruptedOne) {
  // The bundled suite, builtin models (flaky is seeded: the same per slot).
  const std::string plan =
      "run --model builtin:oracle --model builtin:flaky --task "
      "find-answer-across-pages --task fix-page-title --task add-table-row "
      "--epochs 2 --concurrency 1 --worlds-dir " +
      (root_ / "worlds").string();
  const std::string whole = (root_ / "whole.db").string();
  test::ShellResult r = test::RunCli(plan + " -q --db " + whole);
  ASSERT_EQ(0, r.exit_code) << r.out;
  const std::vector<std::string> expected = SlotVerdicts(whole);
  ASSERT_EQ(12u, expected.size());

  pid_t pid = Spawn(plan + " --db " + db_);
  for (int i = 0; i < 400 && Output().find("[2/12") == std::string::npos; ++i)
    std::this_thread::sleep_for(milliseconds(25));
  ASSERT_EQ(0, kill(pid, SIGINT));
  EXPECT_EQ(130, Wait(pid));
  EXPECT_TRUE(Output().ends_with(ResumeLine())) << Output();
  EXPECT_EQ((std::vector<std::string>{"cancelled"}), Statuses());
  EXPECT_GT(12u, SlotVerdicts(db_).size());

  r = test::RunCli("run --resume 1 -q" + Flags());
  ASSERT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ(expected, SlotVerdicts(db_));
  EXPECT_EQ((std::vector<std::string>{"finished"}), Statuses());
}

}  // namespace
}  // namespace endstate
