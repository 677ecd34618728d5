// The terminal surface of the endstate binary (issue 15): the final table
// at 80 columns with short model names, bare `endstate`, `--help` footers,
// and filters that name the valid choices.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

using test::RunCli;
using CliResult = test::ShellResult;

class TerminalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "terminal-cli-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    suite_ = test::WriteTinySuite(root_ / "suite");
    db_ = (root_ / "a.db").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  // Two epochs of the tiny suite for an OpenAI-compatible endpoint (which
  // solves it) and builtin:null, one attempt at a time; returns the
  // model spec of the endpoint.
  std::string RunTwoModels(test::ScriptedServer* server, CliResult* run) {
    for (int epoch = 0; epoch < 2; ++epoch) {
      server->Push(test::ScriptedResponse::Json(test::ChatCompletion(
          "",
          {{"c1", "edit_file",
            R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})"}})));
      server->Push(test::ScriptedResponse::Json(test::ChatCompletion("Done.")));
    }
    const std::string spec = "openai:" + server->base_url() + "#test-model";
    *run = test::Shell("COLUMNS=80 " + std::string(ENDSTATE_BINARY) +
                       " run -q --tasks " + suite_.string() + " --model '" +
                       spec + "' --model builtin:null --epochs 2 " +
                       "--concurrency 1 --db " + db_ + " 2>/dev/null");
    return spec;
  }

  fs::path root_, suite_;
  std::string db_;
};

TEST_F(TerminalCliTest, FinalTableFitsEightyColumnsWithShortNames) {
  test::ScriptedServer server;
  CliResult run;
  const std::string spec = RunTwoModels(&server, &run);
  ASSERT_EQ(0, run.exit_code) << run.out;
  // The model table is split in two so that no line reaches 80 columns;
  // the endpoint shows as its model id. (The cost lines below hold wall
  // times, so the exact text stops before them.)
  const std::string table = run.out.substr(0, run.out.find("\ncost per"));
  EXPECT_EQ(
      "run 1\n"
      "model         attempts  passed  failed  errors        rate [95% CI]\n"
      "test-model           2       2       0       0  100.0% [2.5, 100.0]\n"
      "builtin:null         2       0       2       0     0.0% [0.0, 97.5]\n"
      "\n"
      "model         pass@2  pass^2  turns  tokens  invalid/100\n"
      "test-model    100.0%  100.0%    2.0     240          0.0\n"
      "builtin:null    0.0%    0.0%    1.0     107          0.0\n"
      "\n"
      "failure modes (graded attempts)\n"
      "  test-model    terminations: agent_stop 2\n"
      "                invalid calls per 100: none (of 2 calls)\n"
      "                replies cut at max_tokens: none; reasoning tokens 0\n"
      "  builtin:null  terminations: agent_stop 2\n"
      "                invalid calls per 100: none (of 0 calls)\n"
      "                replies cut at max_tokens: none; reasoning tokens 0\n"
      "\n"
      "failed checks (failed / graded attempts)\n"
      "  task        check                    test-model  builtin:null\n"
      "  tiny-title  file_contains (check 1)         0/2           2/2\n",
      table);
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LT(line.size(), 80u) << line;
  }
  // JSON keeps the full spec, and the short name works as a filter.
  CliResult json = RunCli("report --format json --db " + db_, false);
  ASSERT_EQ(0, json.exit_code) << json.out;
  EXPECT_EQ(spec, nlohmann::json::parse(json.out)["models"][0]["name"]);
  CliResult attempts =
      RunCli("attempts --model test-model --json --db " + db_, false);
  ASSERT_EQ(0, attempts.exit_code) << attempts.out;
  auto aj = nlohmann::json::parse(attempts.out);
  ASSERT_EQ(2u, aj.size());
  EXPECT_EQ(spec, aj[0]["model"]);
  // The HTML report shows the short name, with the spec as its tooltip.
  const fs::path html = root_ / "r.html";
  CliResult page =
      RunCli("report --db " + db_ + " --html " + html.string(), false);
  ASSERT_EQ(0, page.exit_code) << page.out;
  const std::string text = util::ReadFile(html).value_or("");
  EXPECT_NE(std::string::npos, text.find("<td class=\"name\" title=\"" + spec +
                                         "\">test-model<div class=\"sub\">"));
  EXPECT_NE(std::string::npos, text.find("<th>test-model</th>"));
  EXPECT_EQ(std::string::npos, text.find("<th>" + spec + "</th>"));
  // Without a width (a pipe, COLUMNS unset) the table stays one piece.
  CliResult wide =
      test::Shell("env -u COLUMNS " + std::string(ENDSTATE_BINARY) +
                  " report --db " + db_ + " 2>/dev/null");
  EXPECT_NE(std::string::npos,
            wide.out.find("model         attempts  passed  failed  errors    "
                          "    rate [95% CI]  pass@2  pass^2  turns  tokens  "
                          "invalid/100\n"))
      << wide.out;
}

TEST_F(TerminalCliTest, WrongModelOrTaskListsTheValidNames) {
  test::ScriptedServer server;
  CliResult run;
  RunTwoModels(&server, &run);
  ASSERT_EQ(0, run.exit_code) << run.out;
  CliResult wrong = RunCli("attempts --model WRONG --db " + db_);
  EXPECT_EQ(2, wrong.exit_code);
  EXPECT_EQ(
      "endstate attempts: run 1 has no model 'WRONG' (models: test-model, "
      "builtin:null)\n",
      wrong.out);
  CliResult history = RunCli("history --model WRONG --db " + db_);
  EXPECT_EQ(2, history.exit_code);
  EXPECT_EQ("endstate history: no model 'WRONG' in " + db_ +
                " (models: test-model, builtin:null)\n",
            history.out);
  // The short name selects the model; the history table shows it.
  history = RunCli("history --model test-model --db " + db_, false);
  EXPECT_EQ(0, history.exit_code);
  EXPECT_NE(std::string::npos, history.out.find("\nmodel test-model (1 run"))
      << history.out;
  // `runs` and `compare` show short names too, and compare takes them.
  CliResult runs = RunCli("runs --db " + db_, false);
  EXPECT_NE(std::string::npos, runs.out.find("  test-model,builtin:null  "))
      << runs.out;
  CliResult compare =
      RunCli("compare test-model builtin:null --db " + db_, false);
  EXPECT_EQ(0, compare.exit_code) << compare.out;
  EXPECT_EQ(0u, compare.out.find("A  test-model    run 1  100.0% [2.5, 100.0]"))
      << compare.out;
  CliResult task = RunCli("export --task WRONG --db " + db_);
  EXPECT_EQ(2, task.exit_code);
  EXPECT_EQ("endstate export: run 1 has no task 'WRONG' (tasks: tiny-title)\n",
            task.out);
}

TEST(TerminalCli, BareEndstatePrintsItsUsage) {
  CliResult bare = RunCli("");
  EXPECT_EQ(2, bare.exit_code);
  EXPECT_EQ(0u, bare.out.find("endstate: which LLM deployment")) << bare.out;
  EXPECT_NE(std::string::npos, bare.out.find("\nSubcommands:\n")) << bare.out;
  EXPECT_NE(std::string::npos, bare.out.find("\nExamples:\n")) << bare.out;
  EXPECT_NE(std::string::npos,
            bare.out.find("Manual: docs/cli.md; every command has --help"))
      << bare.out;
}

TEST(TerminalCli, EveryHelpShowsExitCodesAndDefaults) {
  for (const char* sub :
       {"run", "report", "tasks", "tasks list", "tasks check", "show", "runs",
        "runs delete", "runs prune", "attempts", "replay", "compare",
        "serve-replay", "probe", "merge", "serve", "history", "export"}) {
    CliResult r = RunCli(std::string(sub) + " --help", false);
    EXPECT_EQ(0, r.exit_code) << sub;
    EXPECT_NE(std::string::npos,
              r.out.find("\nExit codes:\n  0  success (failed attempts are "
                         "results, not errors)\n"))
        << sub << "\n"
        << r.out;
    EXPECT_NE(std::string::npos, r.out.find("\nExamples:\n  endstate "))
        << sub << "\n"
        << r.out;
  }
  CliResult report = RunCli("report --help", false);
  EXPECT_NE(std::string::npos,
            report.out.find("--format TEXT:{table,json,csv,markdown,junit}="
                            "table\n"))
      << report.out;
  // A "not given" sentinel is no default to show.
  CliResult run = RunCli("run --help", false);
  EXPECT_NE(std::string::npos, run.out.find("--resume RUN_ID:POSITIVE Excl"))
      << run.out;
  CliResult tasks = RunCli("tasks check --help", false);
  EXPECT_NE(std::string::npos,
            tasks.out.find("  1  a task is broken (each one is named)\n"))
      << tasks.out;
  // The old spelling of `probe --requests` still parses, unlisted.
  CliResult probe = RunCli("probe --help", false);
  EXPECT_NE(std::string::npos, probe.out.find("--requests")) << probe.out;
  EXPECT_EQ(std::string::npos, probe.out.find("--n ")) << probe.out;
}

}  // namespace
}  // namespace endstate
