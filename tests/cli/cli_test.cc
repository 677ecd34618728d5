// The endstate binary end to end, as a user runs it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "results/store.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

using test::RunCli;
using CliResult = test::ShellResult;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "cli-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    suite_ = test::WriteTinySuite(root_ / "suite");
    db_ = (root_ / "a.db").string();
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_, suite_;
  std::string db_;
};

TEST_F(CliTest, OracleAndNullRunRecordAndReport) {
  CliResult run =
      RunCli("run --tasks " + suite_.string() +
             " --model builtin:oracle --model builtin:null --db " + db_);
  ASSERT_EQ(0, run.exit_code) << run.out;
  CliResult report = RunCli("report --db " + db_ + " --format json", false);
  ASSERT_EQ(0, report.exit_code) << report.out;
  auto j = nlohmann::json::parse(report.out);
  ASSERT_EQ(2u, j["models"].size());
  EXPECT_EQ("builtin:oracle", j["models"][0]["name"]);
  EXPECT_EQ(1, j["models"][0]["attempts"]);
  EXPECT_EQ(1, j["models"][0]["passed"]);
  EXPECT_EQ(1.0, j["models"][0]["completion_rate"]);
  EXPECT_EQ("builtin:null", j["models"][1]["name"]);
  EXPECT_EQ(0, j["models"][1]["passed"]);
  EXPECT_EQ(1, j["models"][1]["failed"]);
  EXPECT_EQ(0, j["models"][1]["errored"]);

  // The table names both models; a run that does not exist is a usage
  // error that names the run.
  CliResult table = RunCli("report --db " + db_, false);
  ASSERT_EQ(0, table.exit_code) << table.out;
  EXPECT_NE(std::string::npos, table.out.find("builtin:oracle")) << table.out;
  EXPECT_NE(std::string::npos, table.out.find("builtin:null")) << table.out;
  CliResult missing = RunCli("report --db " + db_ + " --run 99");
  EXPECT_EQ(2, missing.exit_code) << missing.out;
  EXPECT_NE(std::string::npos,
            missing.out.find("run 99 not found or has no models"))
      << missing.out;

  // Every turn is in the record: the oracle's two, null's one.
  std::string err;
  auto store = results::Store::Open(db_, &err);
  ASSERT_TRUE(store) << err;
  EXPECT_EQ(2, store->CountTurns(1, &err));
  EXPECT_EQ(1, store->CountTurns(2, &err));
}

TEST_F(CliTest, OpenAiSpecAgainstScriptedServer) {
  test::ScriptedServer server;
  server.Push(test::ScriptedResponse::Json(test::ChatCompletion(
      "",
      {{"c1", "edit_file",
        R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})"}})));
  server.Push(test::ScriptedResponse::Json(test::ChatCompletion("Done.")));
  CliResult run = RunCli("run -q --tasks " + suite_.string() +
                         " --model 'openai:" + server.base_url() +
                         "#test-model' --db " + db_);
  ASSERT_EQ(0, run.exit_code) << run.out;
  EXPECT_NE(std::string::npos, run.out.find("100.0%")) << run.out;
  EXPECT_EQ("test-model", server.requests()[0].json()["model"]);
}

TEST_F(CliTest, DeadEndpointIsInfrastructureError) {
  CliResult run = RunCli("run -q --tasks " + suite_.string() +
                         " --model 'openai:http://127.0.0.1:1/v1#m' --db " +
                         db_ + " --config " + (root_ / "c.yaml").string());
  EXPECT_EQ(2, run.exit_code) << run.out;  // missing config file: usage
  util::WriteFile(
      root_ / "c.yaml",
      "models:\n  - name: dead\n    provider: openai\n    base_url: "
      "http://127.0.0.1:1/v1\n    model: m\n    retries: {max_tries: 2, "
      "initial_backoff_ms: 1}\n");
  // The pre-flight stops the run before any attempt, in one line.
  run = RunCli("run -q --tasks " + suite_.string() + " --config " +
               (root_ / "c.yaml").string() + " --db " + db_);
  EXPECT_EQ(3, run.exit_code) << run.out;
  EXPECT_EQ(
      "endstate run: model 'dead': http://127.0.0.1:1/v1 does not answer "
      "(GET http://127.0.0.1:1/v1/models: connection error: ",
      run.out.substr(0, 119))
      << run.out;
  // Without it, every attempt ends in an infrastructure error.
  run = RunCli("run -q --no-preflight --tasks " + suite_.string() +
               " --config " + (root_ / "c.yaml").string() + " --db " + db_);
  EXPECT_EQ(3, run.exit_code) << run.out;
  EXPECT_NE(std::string::npos,
            run.out.find("1 attempt(s) ended in infrastructure error"))
      << run.out;
  CliResult report = RunCli("report --db " + db_ + " --format json", false);
  auto j = nlohmann::json::parse(report.out);
  EXPECT_EQ(1, j["models"][0]["errored"]);
  EXPECT_EQ(0, j["models"][0]["failed"]);
}

TEST_F(CliTest, BadInputNamesTheProblem) {
  util::WriteFile(root_ / "bad.yaml", "run:\n  epochs: 0\n");
  CliResult run = RunCli("run --config " + (root_ / "bad.yaml").string() +
                         " --model builtin:oracle --db " + db_);
  EXPECT_EQ(2, run.exit_code);
  EXPECT_EQ("endstate run: " + (root_ / "bad.yaml").string() +
                ":2: run.epochs: expected an integer >= 1\n",
            run.out);
  run = RunCli("run --tasks " + suite_.string() +
               " --task nope --model builtin:oracle --db " + db_);
  EXPECT_EQ(2, run.exit_code);
  EXPECT_EQ("endstate run: --task 'nope': no such task in " + suite_.string() +
                " (known: tiny-title)\n",
            run.out);
  run = RunCli("run --tasks " + suite_.string() +
               " --model builtin:genius --db " + db_);
  EXPECT_EQ(2, run.exit_code);
  EXPECT_NE(std::string::npos, run.out.find("builtin:genius")) << run.out;
  run = RunCli("report --db " + (root_ / "none.db").string());
  EXPECT_EQ(2, run.exit_code);
  run = RunCli("frobnicate");
  EXPECT_EQ(2, run.exit_code);
}

TEST_F(CliTest, TasksCheckNamesATaskThatCannotFail) {
  CliResult ok = RunCli("tasks check --tasks " + suite_.string());
  EXPECT_EQ(0, ok.exit_code) << ok.out;
  EXPECT_NE(std::string::npos, ok.out.find("1 of 1 tasks valid")) << ok.out;

  // A check that holds in the initial state lets null pass: broken task.
  std::string yaml = test::kTinyTaskYaml;
  yaml.replace(yaml.find("text: \"<title>About the Lab</title>\""), 36,
               "text: \"<h1>About</h1>\"");
  util::WriteFile(suite_ / "tiny-title/task.yaml", yaml);
  CliResult broken = RunCli("tasks check --tasks " + suite_.string());
  EXPECT_EQ(1, broken.exit_code) << broken.out;
  EXPECT_NE(std::string::npos,
            broken.out.find("BROKEN tiny-title\n    null passed (the checks "
                            "cannot tell it from success)"))
      << broken.out;
}

TEST_F(CliTest, HelpOnEverySubcommand) {
  for (const char* sub :
       {"run", "report", "tasks", "tasks list", "tasks check"}) {
    CliResult r = RunCli(std::string(sub) + " --help");
    EXPECT_EQ(0, r.exit_code) << sub;
    EXPECT_NE(std::string::npos, r.out.find("Usage")) << sub << r.out;
  }
}

TEST(BundledSuite, EveryTaskIsValid) {
  CliResult r = RunCli("tasks check --concurrency 4");
  EXPECT_EQ(0, r.exit_code) << r.out;
  CliResult list = RunCli("tasks list --json", false);
  auto j = nlohmann::json::parse(list.out);
  EXPECT_GE(j.size(), 20u);
}

}  // namespace
}  // namespace endstate
