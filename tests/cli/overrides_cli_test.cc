// `run --max-turns/--temperature/--max-tokens/--set` end to end: applied,
// recorded with the run, shown by `runs` and `report`, honoured by
// `--resume`, and a bad value is a usage error naming the flag.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

using test::RunCli;

class OverridesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "overrides-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    suite_ = test::WriteTinySuite(root_ / "suite");
    db_ = (root_ / "o.db").string();
    config_ = (root_ / "c.yaml").string();
    util::WriteFile(config_,
                    "models:\n  - name: scripted\n    provider: openai\n"
                    "    base_url: " +
                        server_.base_url() +
                        "\n    model: m\n    sampling: {temperature: 1.0}\n"
                        "    retries: {max_tries: 1}\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Flags() const {
    return " -q --tasks " + suite_.string() + " --db " + db_ +
           " --worlds-dir " + (root_ / "worlds").string();
  }
  nlohmann::json Json(const std::string& args) {
    test::ShellResult r = RunCli(args, false);
    EXPECT_EQ(0, r.exit_code) << r.out;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  // The edit that fixes the tiny task, as a tool call.
  static test::ScriptedResponse Fix() {
    return test::ScriptedResponse::Json(test::ChatCompletion(
        "", {{"c1", "edit_file",
              R"({"path":"about.html","old_text":"<title>Untitled</title>",)"
              R"("new_text":"<title>About the Lab</title>"})"}}));
  }

  test::ScriptedServer server_;
  fs::path root_, suite_;
  std::string db_, config_;
};

TEST_F(OverridesCliTest, MaxTurnsEndsTheAttemptAtTheTurnLimit) {
  test::ShellResult run =
      RunCli("run --model builtin:oracle --max-turns 1" + Flags());
  ASSERT_EQ(0, run.exit_code) << run.out;
  nlohmann::json attempts = Json("attempts --db " + db_ + " --json");
  ASSERT_EQ(1u, attempts.size());
  EXPECT_EQ("max_turns", attempts[0]["termination"]);
  EXPECT_EQ(1, attempts[0]["turns"]);
  nlohmann::json settings = Json("runs --db " + db_ + " --json")[0]["settings"];
  EXPECT_EQ(
      R"({"concurrency":4,"epochs":1,"limits":{"max_turns":1},)"
      R"("overrides":[{"flag":"--max-turns 1","key":"run.limits.max_turns",)"
      R"("value":1}],"sampling":{"builtin:oracle":{}},"seed":0})",
      settings.dump());
}

TEST_F(OverridesCliTest, SamplingReachesTheRequestAndIsRecorded) {
  server_.Push(Fix());
  server_.Push(test::ScriptedResponse::Json(test::ChatCompletion("Done.")));
  test::ShellResult run = RunCli(
      "run --config " + config_ +
      " --temperature 0.3 --max-tokens 77 --set models.scripted.sampling.top_p="
      "0.5" +
      Flags());
  ASSERT_EQ(0, run.exit_code) << run.out;
  ASSERT_EQ(2u, server_.requests().size());
  for (const auto& req : server_.requests()) {
    nlohmann::json body = req.json();
    EXPECT_EQ(0.3, body["temperature"]);
    EXPECT_EQ(77, body["max_tokens"]);
    EXPECT_EQ(0.5, body["top_p"]);
  }
  nlohmann::json report = Json("report --db " + db_ + " --format json");
  EXPECT_EQ(R"({"scripted":{"max_tokens":77,"temperature":0.3,"top_p":0.5}})",
            report["settings"]["sampling"].dump());
  ASSERT_EQ(3u, report["settings"]["overrides"].size());
  EXPECT_EQ(R"({"flag":"--set models.scripted.sampling.top_p=0.5",)"
            R"("key":"models.scripted.sampling.top_p","value":0.5})",
            report["settings"]["overrides"][0].dump());
  EXPECT_EQ(
      R"({"flag":"--temperature 0.3","key":"models.*.sampling.temperature",)"
      R"("value":0.3})",
      report["settings"]["overrides"][1].dump());
}

TEST_F(OverridesCliTest, ResumeRunsWithTheRecordedOverrides) {
  // The first try fails at the server; the run stops with it as an error.
  server_.Push(test::ScriptedResponse::Status(
      500, R"({"error":{"message":"overloaded"}})"));
  test::ShellResult run = RunCli("run --config " + config_ +
                                 " --temperature 0.25 --max-turns 1" + Flags());
  ASSERT_EQ(3, run.exit_code) << run.out;
  // Overrides are the run's: not given again, and refused with --resume.
  test::ShellResult again =
      RunCli("run --resume 1 --temperature 0.5" + Flags());
  EXPECT_EQ(2, again.exit_code) << again.out;
  EXPECT_EQ(0u, again.out.find("--resume excludes --temperature\n"))
      << again.out;
  // The retry runs at temperature 0.25 and stops after one turn.
  server_.Push(Fix());
  test::ShellResult resumed =
      RunCli("run --resume 1 --retry-errors 1 --config " + config_ + Flags());
  ASSERT_EQ(0, resumed.exit_code) << resumed.out;
  ASSERT_EQ(2u, server_.requests().size());
  EXPECT_EQ(0.25, server_.requests()[1].json()["temperature"]);
  nlohmann::json attempts = Json("attempts --db " + db_ + " --json");
  ASSERT_EQ(2u, attempts.size());  // the error, then the retry
  EXPECT_EQ("error", attempts[0]["outcome"]);
  EXPECT_EQ("max_turns", attempts[1]["termination"]);
  EXPECT_EQ("passed", attempts[1]["outcome"]);
}

TEST_F(OverridesCliTest, BadValueIsAUsageErrorNamingTheFlag) {
  test::ShellResult run = RunCli(
      "run --model builtin:oracle --set run.limits.max_turns=0" + Flags());
  EXPECT_EQ(2, run.exit_code);
  EXPECT_EQ(
      "endstate run: --set run.limits.max_turns=0: run.limits.max_turns: "
      "expected an integer >= 1\n",
      run.out);
  run = RunCli("run --model builtin:oracle --temperature hot" + Flags());
  EXPECT_EQ(2, run.exit_code);
  EXPECT_EQ(
      "endstate run: --temperature hot: models.*.sampling.temperature: "
      "expected a number from 0 to 2\n",
      run.out);
  run = RunCli("run --model builtin:oracle --set models.qwen.sampling.seed=1" +
               Flags());
  EXPECT_EQ(2, run.exit_code);
  EXPECT_EQ(
      "endstate run: --set models.qwen.sampling.seed=1: no model 'qwen' in "
      "this run (models: builtin:oracle)\n",
      run.out);
  EXPECT_FALSE(fs::exists(db_));  // nothing recorded
}

}  // namespace
}  // namespace endstate
