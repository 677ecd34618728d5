// `endstate run` with managed servers, end to end with real processes
// (tests/servers/fake_model_server.py): exclusive models never overlap, a
// dead server ends its in-flight attempts as errors within seconds, a
// server that never gets ready runs no attempt, and SIGINT or SIGKILL of
// endstate leaves no server process (then `run --resume` starts it again).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "results/sqlite.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/servers/fake_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;
using servers::testing::AllGone;
using servers::testing::FakeServerScript;
using servers::testing::ReadPids;
using std::chrono::milliseconds;

// One row per result row, columns as text.
std::vector<std::vector<std::string>> Query(const std::string& db,
                                            const std::string& sql) {
  std::string err;
  auto d = results::Db::OpenReadOnly(db, &err);
  EXPECT_TRUE(d) << err;
  if (!d) return {};
  auto st = results::Stmt::Prepare(*d, sql, &err);
  EXPECT_TRUE(st) << err;
  if (!st) return {};
  std::vector<std::vector<std::string>> rows;
  while (st->Step(&err) == results::Stmt::StepResult::kRow) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(st->get()); ++i)
      row.push_back(st->Text(i));
    rows.push_back(row);
  }
  return rows;
}

class ManagedRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "managed-run-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    suite_ = test::WriteTinySuite(root_ / "suite");
    db_ = (root_ / "r.db").string();
    config_ = (root_ / "c.yaml").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  // A model entry served by the fake server with `args`.
  std::string Model(const std::string& name, const std::string& args,
                    const std::string& serve_extra = "") {
    return "  - name: " + name +
           "\n    provider: openai\n    model: fake-model\n"
           "    retries: {max_tries: 3, initial_backoff_ms: 200}\n"
           "    serve:\n      command: [python3, " +
           FakeServerScript() + ", --port, \"{port}\"" + args +
           "]\n      ready: {timeout_s: 20}\n      stop: {grace_s: 1}\n" +
           serve_extra;
  }
  void WriteConfig(const std::string& models) {
    util::WriteFile(config_, "models:\n" + models);
  }
  std::string Flags() {
    return " --config " + config_ + " --tasks " + suite_.string() + " --db " +
           db_ + " --worlds-dir " + (root_ / "worlds").string() +
           " --server-logs " + (root_ / "logs").string();
  }
  // Starts `endstate run ARGS` in the background; returns its pid.
  pid_t Spawn(const std::string& args) {
    pid_t pid = fork();
    if (pid == 0) {
      std::string cmd = std::string("exec ") + ENDSTATE_BINARY + " run" + args +
                        " >" + (root_ / "out.txt").string() + " 2>&1";
      execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
      _exit(127);
    }
    return pid;
  }

  fs::path root_, suite_;
  std::string db_, config_;
};

TEST_F(ManagedRunTest, ExclusiveModelsNeverOverlapOthersRunAlongside) {
  const std::string excl = "      exclusive: gpu0\n";
  WriteConfig(Model("a", ", --reply-delay, \"0.2\"", excl) +
              Model("b", ", --reply-delay, \"0.2\"", excl) +
              Model("c", ", --reply-delay, \"0.2\""));
  test::ShellResult r =
      test::RunCli("run" + Flags() + " --epochs 3 --concurrency 4");
  ASSERT_EQ(0, r.exit_code) << r.out;
  // Every attempt ran (the agent says it is done without fixing: failed).
  auto outcomes = Query(db_,
                        "SELECT m.name, a.outcome, count(*) FROM attempts a "
                        "JOIN models m ON m.id = a.model_id GROUP BY 1, 2 "
                        "ORDER BY 1");
  EXPECT_EQ(
      (std::vector<std::vector<std::string>>{
          {"a", "failed", "3"}, {"b", "failed", "3"}, {"c", "failed", "3"}}),
      outcomes);
  // Server lifetimes and attempt spans per model, from the record.
  std::map<std::string, std::pair<std::string, std::string>> server, span;
  for (const auto& row : Query(db_,
                               "SELECT m.name, s.started_at, s.stopped_at, "
                               "s.ready_at FROM servers s JOIN models m ON "
                               "m.id = s.model_id")) {
    EXPECT_FALSE(row[3].empty()) << row[0];  // ready
    server[row[0]] = {row[1], row[2]};
  }
  for (const auto& row :
       Query(db_,
             "SELECT m.name, min(a.started_at), max(a.finished_at) FROM "
             "attempts a JOIN models m ON m.id = a.model_id GROUP BY 1")) {
    span[row[0]] = {row[1], row[2]};
  }
  ASSERT_EQ(3u, server.size());
  for (const char* m : {"a", "b", "c"}) {
    // Attempts only while the model's server was up.
    EXPECT_LE(server[m].first, span[m].first) << m;
    EXPECT_LE(span[m].second, server[m].second) << m;
  }
  // a and b: one stopped before the other started.
  EXPECT_TRUE(server["a"].second <= server["b"].first ||
              server["b"].second <= server["a"].first)
      << server["a"].first << " " << server["a"].second << " / "
      << server["b"].first << " " << server["b"].second;
  // c (no group) was up while a or b was.
  EXPECT_TRUE(
      server["c"].first < std::max(server["a"].second, server["b"].second) &&
      std::min(server["a"].first, server["b"].first) < server["c"].second);
  EXPECT_NE(std::string::npos, r.out.find("endstate: server a: ready after"));
  EXPECT_NE(std::string::npos, r.out.find("endstate: server b: stopping"));

  // Provenance in every report format and beside compare.
  const std::string db = " --db " + db_;
  r = test::RunCli("report --format table" + db, false);
  EXPECT_NE(std::string::npos, r.out.find("\nmanaged servers\n  ")) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("\n  a: vllm 0.0.1-fake, max_model_len 4096, ready in "))
      << r.out;
  EXPECT_NE(std::string::npos, r.out.find("    command: python3 " +
                                          FakeServerScript() + " --port "))
      << r.out;
  r = test::RunCli("report --format csv" + db, false);
  EXPECT_NE(std::string::npos, r.out.find(",server,server_command\r\n"));
  EXPECT_NE(std::string::npos, r.out.find(",\"vllm 0.0.1-fake, max_model_len"));
  r = test::RunCli("report --format markdown" + db, false);
  EXPECT_NE(std::string::npos,
            r.out.find("## Managed servers\n\n| model | server | command |"));
  r = test::RunCli("report --format junit" + db, false);
  EXPECT_NE(std::string::npos,
            r.out.find("<property name=\"server\" value=\"vllm 0.0.1-fake"));
  r = test::RunCli("report --format json" + db, false);
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(3u, j["servers"].size());
  std::set<std::string> served;
  for (const auto& row : j["servers"]) {
    served.insert(row["model"].get<std::string>());
    EXPECT_EQ("0.0.1-fake", row["provenance"]["identity"]["version"]);
  }
  EXPECT_EQ((std::set<std::string>{"a", "b", "c"}), served);
  const std::string html = (root_ / "r.html").string();
  r = test::RunCli("report --html " + html + db);
  EXPECT_NE(std::string::npos,
            util::ReadFile(html).value_or("").find(
                "<section id=\"servers\"><h2>Managed servers</h2>"));
  r = test::RunCli("compare a b --format json" + db, false);
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ("a", j["servers"]["a"]["model"]);
  EXPECT_EQ("b", j["servers"]["b"]["model"]);
  r = test::RunCli("compare a b" + db, false);
  EXPECT_NE(std::string::npos, r.out.find("managed servers\n  a: vllm"))
      << r.out;
}

TEST_F(ManagedRunTest, ADeadServerEndsItsInFlightAttemptsAsErrorsFast) {
  WriteConfig(Model("fake", ", --die-on-request, \"1\""));
  const auto t0 = std::chrono::steady_clock::now();
  test::ShellResult r =
      test::RunCli("run" + Flags() + " --epochs 2 --concurrency 2");
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(3, r.exit_code) << r.out;  // infrastructure errors
  EXPECT_LT(took, milliseconds(15'000));
  auto rows = Query(db_,
                    "SELECT outcome, termination, error, wall_ms FROM "
                    "attempts ORDER BY id");
  ASSERT_EQ(2u, rows.size());
  for (const auto& row : rows) {
    EXPECT_EQ("error", row[0]);
    EXPECT_EQ("server_exited", row[1]);
    EXPECT_EQ(0u, row[2].find("server 'fake' exited with status 3; log tail ("))
        << row[2];
    EXPECT_NE(std::string::npos,
              row[2].find("fake server: fatal: CUDA error: an illegal memory "
                          "access"))
        << row[2];
    EXPECT_LT(std::stod(row[3]), 5000.0);  // within seconds
  }
}

TEST_F(ManagedRunTest, AServerThatNeverGetsReadyRunsNoAttempt) {
  WriteConfig(
      "  - name: fake\n    provider: openai\n    model: fake-model\n"
      "    serve:\n      command: [python3, " +
      FakeServerScript() +
      ", --port, \"{port}\", --never-ready]\n      ready: {timeout_s: 1}\n");
  test::ShellResult r = test::RunCli("run" + Flags() + " --epochs 2");
  EXPECT_EQ(3, r.exit_code) << r.out;
  auto rows = Query(db_, "SELECT outcome, termination, error FROM attempts");
  ASSERT_EQ(2u, rows.size());
  for (const auto& row : rows) {
    EXPECT_EQ("error", row[0]);
    EXPECT_EQ("server_error", row[1]);
    EXPECT_EQ(0u, row[2].find("server 'fake': not ready after 1 s (last: GET "
                              "/health: HTTP 503); log tail ("))
        << row[2];
  }
  auto servers = Query(db_, "SELECT ready_at IS NULL, error FROM servers");
  ASSERT_EQ(1u, servers.size());
  EXPECT_EQ("1", servers[0][0]);
  EXPECT_EQ("server 'fake': not ready after 1 s (last: GET /health: HTTP 503)",
            servers[0][1]);
}

TEST_F(ManagedRunTest, ServeKeepsOneServerUpUntilSigint) {
  const std::string pids_file = (root_ / "pids").string();
  WriteConfig(Model("fake", ", --pid-file, " + pids_file));
  pid_t pid = fork();
  if (pid == 0) {
    std::string cmd = std::string("exec ") + ENDSTATE_BINARY +
                      " serve fake --config " + config_ + " --server-logs " +
                      (root_ / "logs").string() + " >" +
                      (root_ / "out.txt").string() + " 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  std::vector<pid_t> pids = ReadPids(pids_file);
  ASSERT_EQ(1u, pids.size());
  std::string out;
  for (int i = 0; i < 200 && out.find("stop with Ctrl-C") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    out = util::ReadFile(root_ / "out.txt").value_or("");
  }
  EXPECT_NE(std::string::npos, out.find("ready: http://127.0.0.1:")) << out;
  EXPECT_FALSE(servers::testing::ProcessGone(pids[0]));
  ASSERT_EQ(0, kill(pid, SIGINT));
  int status = 0;
  ASSERT_EQ(pid, waitpid(pid, &status, 0));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(AllGone(pids, milliseconds(2000)));
  out = util::ReadFile(root_ / "out.txt").value_or("");
  EXPECT_NE(std::string::npos,
            out.find("endstate serve: stopped fake (killed by signal 15 "
                     "(SIGTERM))\n"))
      << out;

  test::ShellResult r = test::RunCli("serve nope --config " + config_);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("endstate serve: no model 'nope' with a serve: block in " +
                config_ + " (models with one: fake)\n",
            r.out);
}

TEST_F(ManagedRunTest, ProbeStartsAndStopsTheServer) {
  const std::string pids_file = (root_ / "pids").string();
  WriteConfig(Model("fake", ", --pid-file, " + pids_file));
  test::ShellResult r =
      test::RunCli("probe toolcalls --n 1 --config " + config_ + " --db " +
                   db_ + " --server-logs " + (root_ / "logs").string());
  EXPECT_NE(std::string::npos, r.out.find("endstate: server fake: ready"))
      << r.out;
  EXPECT_NE(std::string::npos, r.out.find("endstate: server fake: stopping"))
      << r.out;
  EXPECT_EQ("1", Query(db_, "SELECT count(*) FROM probes")[0][0]);
  auto rows = Query(db_,
                    "SELECT ready_at IS NOT NULL, stopped_at IS NOT NULL, "
                    "error IS NULL FROM servers");
  EXPECT_EQ((std::vector<std::vector<std::string>>{{"1", "1", "1"}}), rows);
  EXPECT_TRUE(AllGone(ReadPids(pids_file), milliseconds(2000)));
}

TEST_F(ManagedRunTest, RunProbesAManagedModelWhileItsServerIsUp) {
  WriteConfig(Model("fake", ""));
  test::ShellResult r = test::RunCli("run --probes" + Flags());
  EXPECT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ((std::vector<std::vector<std::string>>{{"failed", "agent_stop"}}),
            Query(db_, "SELECT outcome, termination FROM attempts"));
  // Every probe ran after the server was ready and before it stopped.
  EXPECT_EQ((std::vector<std::vector<std::string>>{{"3", "3"}}),
            Query(db_,
                  "SELECT count(*), sum(p.created_at BETWEEN s.ready_at AND "
                  "s.stopped_at) FROM probes p, servers s"));
}

class KilledRunTest : public ManagedRunTest,
                      public ::testing::WithParamInterface<int> {};

TEST_P(KilledRunTest, NoServerOutlivesEndstateAndResumeStartsItAgain) {
  const std::string hang = (root_ / "hang").string();
  const std::string pids_file = (root_ / "pids").string();
  util::WriteFile(hang, "");
  WriteConfig(Model("fake", ", --ignore-term, --leak-child, --pid-file, " +
                                pids_file + ", --hang-while, " + hang));
  pid_t endstate = Spawn(Flags());
  std::vector<pid_t> pids = ReadPids(pids_file);
  ASSERT_EQ(2u, pids.size());
  // The attempt is in flight once a turn is being requested.
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_EQ(0, kill(endstate, GetParam()));
  int status = 0;
  ASSERT_EQ(endstate, waitpid(endstate, &status, 0));
  // SIGINT stops the run cleanly (exit 130, the server stopped on the way
  // out: docs/cli.md, "Stopping a run"); SIGKILL leaves it to PDEATHSIG.
  const bool sigint = GetParam() == SIGINT;
  if (sigint) {
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
    EXPECT_TRUE(AllGone(pids, milliseconds(0)));
  } else {
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  // The server ignores SIGTERM: gone after the 1 s grace, child included.
  EXPECT_TRUE(AllGone(pids, milliseconds(5000)));

  fs::remove(hang);
  fs::remove(pids_file);
  test::ShellResult r = test::RunCli(
      "run --resume 1 --db " + db_ + " --tasks " + suite_.string() +
      " --worlds-dir " + (root_ / "worlds").string() + " --server-logs " +
      (root_ / "logs").string());
  EXPECT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ(
      (std::vector<std::vector<std::string>>{
          {"error", sigint ? "cancelled" : "interrupted"},
          {"failed", "agent_stop"}}),
      Query(db_, "SELECT outcome, termination FROM attempts ORDER BY id"));
  EXPECT_EQ("2", Query(db_, "SELECT count(*) FROM servers")[0][0]);
  EXPECT_TRUE(AllGone(ReadPids(pids_file), milliseconds(5000)));
}

INSTANTIATE_TEST_SUITE_P(Signals, KilledRunTest,
                         ::testing::Values(SIGINT, SIGKILL),
                         [](const auto& info) {
                           return info.param == SIGINT ? "Sigint" : "Sigkill";
                         });

}  // namespace
}  // namespace endstate
