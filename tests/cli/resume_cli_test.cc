// `run --retry-errors N` and the refusals of `run --resume`, end to end.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "results/store.h"
#include "tests/cli/tiny_agent.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

using Result = test::ShellResult;

Result Cli(const std::string& args) { return test::RunCli(args); }

test::ScriptedResponse Busy() {
  return test::ScriptedResponse::Status(
      500, R"({"error":{"message":"overloaded"}})");
}
using test::TinyDone;
using test::TinyFix;

class ResumeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    // One try per model call, so that a 500 is an attempt error at once.
    ASSERT_TRUE(test::MakeTinyCliFolder("resume-cli-", server_.base_url(),
                                        &root_, &suite_, &db_, &config_, &err))
        << err;
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Flags() {
    return " --db " + db_ + " --worlds-dir " + (root_ / "worlds").string() +
           " --concurrency 1";
  }
  std::string NewRun(const std::string& extra) {
    return "run --config " + config_ + " --tasks " + suite_.string() +
           " --model scripted" + Flags() + " " + extra;
  }
  std::vector<std::string> Tries() {
    std::string err;
    auto store = results::Store::Open(db_, &err);
    EXPECT_TRUE(store) << err;
    auto rows = store->ListAttempts(1, &err);
    EXPECT_TRUE(rows) << err;
    std::vector<std::string> out;
    for (const auto& r : *rows) {
      out.push_back(std::to_string(r.id) + " try" +
                    std::to_string(r.try_number) + " " +
                    std::string(results::OutcomeName(r.outcome)) + " " +
                    std::string(results::TerminationName(r.termination)) +
                    " parent " + std::to_string(r.parent_attempt_id));
    }
    return out;
  }

  test::ScriptedServer server_;
  fs::path root_, suite_;
  std::string db_, config_;
};

TEST_F(ResumeCliTest, ErrorsAreRetriedAsNewTriesAndOnlyTheLastCounts) {
  server_.Push(Busy());
  server_.Push(Busy());
  server_.Push(TinyFix());
  server_.Push(TinyDone());
  Result r = Cli(NewRun("--retry-errors 2"));
  ASSERT_EQ(0, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("endstate: scripted tiny-title #1: error (HTTP 500"))
      << r.out;
  EXPECT_NE(std::string::npos, r.out.find("), retry 1 of 2\n")) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("), retry 2 of 2\n")) << r.out;
  EXPECT_EQ((std::vector<std::string>{"1 try1 error model_error parent 0",
                                      "2 try2 error model_error parent 1",
                                      "3 try3 passed agent_stop parent 2"}),
            Tries());
  Result report = Cli("report --db " + db_ + " --format json");
  ASSERT_EQ(0, report.exit_code) << report.out;
  auto j = nlohmann::json::parse(report.out);
  EXPECT_EQ(1, j["models"][0]["attempts"]);
  EXPECT_EQ(1, j["models"][0]["passed"]);
  EXPECT_EQ(0, j["models"][0]["errored"]);
}

TEST_F(ResumeCliTest, RetryBudgetSpansResumes) {
  server_.Push(Busy());
  server_.Push(Busy());
  Result r = Cli(NewRun("--retry-errors 1"));
  EXPECT_EQ(3, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("endstate: 1 attempt(s) ended in infrastructure error"))
      << r.out;
  // The slot has had its one retry: resuming with the same budget runs
  // nothing; a larger budget retries once more.
  r = Cli("run --resume 1 --retry-errors 1" + Flags());
  EXPECT_EQ(3, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("1 slot(s): 1 kept, 0 interrupted, 0 error(s) to "
                       "retry, 0 not started; 0 attempt(s) to run"))
      << r.out;
  server_.Push(TinyFix());
  server_.Push(TinyDone());
  r = Cli("run --resume 1 --retry-errors 2" + Flags());
  EXPECT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ((std::vector<std::string>{"1 try1 error model_error parent 0",
                                      "2 try2 error model_error parent 1",
                                      "3 try3 passed agent_stop parent 2"}),
            Tries());
  EXPECT_EQ(4u, server_.requests().size());
}

TEST_F(ResumeCliTest, RefusesWhatItCannotContinueFaithfully) {
  Result r = Cli("run --resume 7" + Flags());
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("endstate run: --resume 7: no run with id 7\n", r.out);

  r = Cli("run --resume 1 --model builtin:oracle" + Flags());
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ(
      "--model excludes --resume\nRun with --help for more "
      "information.\n",
      r.out);

  server_.Push(TinyFix());
  server_.Push(TinyDone());
  ASSERT_EQ(0, Cli(NewRun("")).exit_code);

  // Another endpoint under the same model name is another model.
  std::string other = (root_ / "other.yaml").string();
  util::WriteFile(other,
                  "models:\n  - name: scripted\n    provider: openai\n    "
                  "base_url: http://127.0.0.1:9/v1\n    model: scripted\n");
  r = Cli("run --resume 1 --config " + other + Flags());
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("endstate run: --resume 1: " + other +
                ": model 'scripted': base_url 'http://127.0.0.1:9/v1' "
                "differs from run 1 ('" +
                server_.base_url() + "'); a resumed run keeps its models\n",
            r.out);

  // A task edited since the run started cannot be mixed into it.
  std::string yaml = *util::ReadFile(suite_ / "tiny-title/task.yaml");
  util::WriteFile(suite_ / "tiny-title/task.yaml",
                  yaml + "# edited after the run\n");
  r = Cli("run --resume 1" + Flags());
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ(0u, r.out.find("endstate run: --resume 1: task 'tiny-title' "
                           "changed since run 1 started (content hash "))
      << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("); resuming would mix two versions of it: start a "
                       "new run\n"))
      << r.out;
}

}  // namespace
}  // namespace endstate
