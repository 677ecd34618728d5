// The nightly story end to end through the real CLI: four labelled nights
// of a model named "nightly" on an 8-task suite (builtin:flaky at rate 0.1
// three nights, then the null model: a planted regression), then
// `history` (numbers equal `report`, the gate exits 1), the history page in
// headless Chromium (with a screenshot), `runs --label`, `runs delete` and
// `export` in both formats.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "results/sqlite.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::RunCli;
using test::Shell;

constexpr int kTasks = 8;
constexpr char kChromium[] = "/usr/bin/chromium";

class HistoryCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "history-cli-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    db_ = (root_ / "n.db").string();
    // Eight one-step tasks: the tiny task under eight ids.
    const fs::path one = test::WriteTinySuite(root_ / "one");
    fs::create_directories(root_ / "suite");
    for (int t = 0; t < kTasks; ++t) {
      const std::string id = "tiny-" + std::to_string(t);
      fs::copy(one / "tiny-title", root_ / "suite" / id,
               fs::copy_options::recursive);
      std::string yaml =
          util::ReadFile(root_ / "suite" / id / "task.yaml").value_or("");
      yaml.replace(yaml.find("tiny-title"), 10, id);
      util::WriteFile(root_ / "suite" / id / "task.yaml", yaml);
    }
    for (int night = 1; night <= 4; ++night) {
      const std::string model = night < 4
                                    ? "    model: flaky\n    flaky_rate: 0.1\n"
                                    : "    model: \"null\"\n";
      const fs::path config =
          root_ / ("night" + std::to_string(night) + ".yaml");
      util::WriteFile(config,
                      "models:\n  - name: nightly\n    provider: "
                      "builtin\n" +
                          model);
      const auto r =
          RunCli("run -q --config " + config.string() + " --tasks " +
                 (root_ / "suite").string() + " --db " + db_ + " --seed " +
                 std::to_string(night) + " --label suite=nightly" +
                 (night == 1 ? " --label baseline=yes" : "") +
                 (night == 4 ? " --note 'null model tonight'" : ""));
      ASSERT_EQ(0, r.exit_code) << r.out;
    }
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  static fs::path root_;
  static std::string db_;
};
fs::path HistoryCliTest::root_;
std::string HistoryCliTest::db_;

TEST_F(HistoryCliTest, HistoryEqualsReportsAndTheGateFails) {
  const auto h = RunCli("history --db " + db_ + " --format json", false);
  ASSERT_EQ(0, h.exit_code) << h.out;
  const json j = json::parse(h.out);
  ASSERT_EQ(4u, j["runs"].size());
  ASSERT_EQ(1u, j["models"].size());
  const json& points = j["models"][0]["points"];
  ASSERT_EQ(4u, points.size());
  for (int run = 1; run <= 4; ++run) {
    const auto rep = RunCli("report --db " + db_ + " --run " +
                                std::to_string(run) + " --format json",
                            false);
    ASSERT_EQ(0, rep.exit_code) << rep.out;
    const json r = json::parse(rep.out);
    const json& m = r["models"][0];
    EXPECT_EQ(m["passed"], points[run - 1]["passed"]) << run;
    EXPECT_EQ(m["failed"], points[run - 1]["failed"]) << run;
    EXPECT_EQ(m["completion_rate"], points[run - 1]["completion_rate"]) << run;
    json labels = {{"suite", "nightly"}};
    if (run == 1) labels["baseline"] = "yes";
    EXPECT_EQ(labels, r["labels"]);
  }
  EXPECT_EQ(0, points[3]["passed"]);
  const auto table = RunCli("report --db " + db_ + " --run 4", false);
  EXPECT_EQ(0u, table.out.find("run 4\nlabels: suite=nightly\nnote: null "
                               "model tonight\nmodel "))
      << table.out;
  EXPECT_EQ("null model tonight", j["runs"][3]["note"]);

  const auto gate = RunCli("history --db " + db_ +
                           " --label suite=nightly --baseline baseline=yes "
                           "--fail-on-regression");
  EXPECT_EQ(1, gate.exit_code) << gate.out;
  EXPECT_NE(std::string::npos,
            gate.out.find("regression: nightly in run 4 is significantly "
                          "worse than baseline run 1 (-"))
      << gate.out;
  EXPECT_NE(std::string::npos,
            gate.out.find("endstate history: 1 model(s) significantly worse "
                          "(--fail-on-regression)\n"));
  // compare names the flaky tasks of the history (none here).
  const auto cmp =
      RunCli("compare --db " + db_ + " --flaky 1:nightly 4:nightly", false);
  EXPECT_EQ(0, cmp.exit_code);
  EXPECT_NE(std::string::npos,
            cmp.out.find("\nnote: no flaky task in the history of nightly\n"))
      << cmp.out;
  const auto bad = RunCli("history --db " + db_ + " --baseline nope");
  EXPECT_EQ(2, bad.exit_code);
  EXPECT_EQ(
      "endstate history: --baseline 'nope': expected a run id or "
      "KEY=VALUE\n",
      bad.out);
  const auto bad_date = RunCli("history --db " + db_ + " --since 2026-13");
  EXPECT_EQ(2, bad_date.exit_code);
  EXPECT_EQ(
      "endstate history: --since '2026-13': expected YYYY-MM-DD or "
      "YYYY-MM-DDTHH:MM[:SS] (UTC)\n",
      bad_date.out);
  const auto bad_label = RunCli("run --model builtin:oracle --label x");
  EXPECT_EQ(2, bad_label.exit_code);
  EXPECT_EQ("endstate run: label 'x': expected KEY=VALUE\n", bad_label.out);
}

TEST_F(HistoryCliTest, RunsFilterDeleteAndExport) {
  const auto base =
      RunCli("runs --db " + db_ + " --label baseline=yes --json", false);
  ASSERT_EQ(0, base.exit_code) << base.out;
  const json runs = json::parse(base.out);
  ASSERT_EQ(1u, runs.size());
  EXPECT_EQ(1, runs[0]["id"]);
  EXPECT_EQ("evaluation", runs[0]["kind"]);
  EXPECT_EQ("yes", runs[0]["labels"]["baseline"]);

  const auto jsonl = RunCli("export --db " + db_ + " --run 1", false);
  ASSERT_EQ(0, jsonl.exit_code) << jsonl.out;
  EXPECT_EQ(kTasks, std::count(jsonl.out.begin(), jsonl.out.end(), '\n'));
  const json first = json::parse(jsonl.out.substr(0, jsonl.out.find('\n')));
  EXPECT_EQ("user", first["messages"][1]["role"]);
  EXPECT_EQ("nightly", first["metadata"]["model"]);

  const std::string log = (root_ / "night4.json").string();
  const auto inspect =
      RunCli("export --db " + db_ + " --run 4 --format inspect -o " + log);
  ASSERT_EQ(0, inspect.exit_code) << inspect.out;
  EXPECT_EQ("endstate export: wrote 8 attempt(s) to " + log + "\n",
            inspect.out);
  const json eval = json::parse(util::ReadFile(log).value_or("{}"));
  EXPECT_EQ("builtin/null", eval["eval"]["model"]);
  ASSERT_EQ(8u, eval["samples"].size());
  for (const auto& s : eval["samples"]) {
    EXPECT_EQ("I", s["scores"]["end_state"]["value"]);
  }

  // Delete a night from a copy: consistent, and history has one night less.
  const std::string copy = (root_ / "copy.db").string();
  fs::copy_file(db_, copy);
  const auto del = RunCli("runs delete --db " + copy + " 2 --vacuum");
  ASSERT_EQ(0, del.exit_code) << del.out;
  EXPECT_EQ(0u, del.out.find("deleted 1 run(s), 8 attempt(s), "));
  std::string err;
  auto db = results::Db::OpenReadOnly(copy, &err);
  ASSERT_TRUE(db) << err;
  auto fk = db->QueryInt("SELECT count(*) FROM pragma_foreign_key_check", &err);
  ASSERT_TRUE(fk) << err;
  EXPECT_EQ(0, *fk);
  auto s = results::Stmt::Prepare(*db, "PRAGMA integrity_check", &err);
  ASSERT_TRUE(s) << err;
  ASSERT_EQ(results::Stmt::StepResult::kRow, s->Step(&err));
  EXPECT_EQ("ok", s->Text(0));
  const auto h = RunCli("history --db " + copy + " --format json", false);
  EXPECT_EQ(3u, json::parse(h.out)["runs"].size());
  const auto missing = RunCli("runs delete --db " + copy + " 2");
  EXPECT_EQ(2, missing.exit_code);
  EXPECT_EQ("endstate runs delete: no run 2 in " + copy + "\n", missing.out);
  const auto prune =
      RunCli("runs prune --db " + copy + " --keep-last 1 --dry-run");
  EXPECT_EQ(0, prune.exit_code);
  EXPECT_EQ("would delete 2 run(s): 1 3\n", prune.out);
}

// deploy/endstate-nightly.sh, the nightly gate: a first night becomes the
// baseline and passes; a regressed night exits 1 with the page updated.
TEST_F(HistoryCliTest, NightlyScriptGatesTheRegression) {
  const fs::path web = root_ / "gate-www";
  const std::string env =
      "ENDSTATE=" + std::string(ENDSTATE_BINARY) +
      " DB=" + (root_ / "gate.db").string() + " WEB=" + web.string() +
      " EPOCHS=1 EXTRA_ARGS='--tasks " + (root_ / "suite").string() + "' ";
  const std::string script =
      std::string(ENDSTATE_SOURCE_DIR) + "/deploy/endstate-nightly.sh";
  auto night = [&](int n) {
    return Shell(env + "CONFIG=" +
                 (root_ / ("night" + std::to_string(n) + ".yaml")).string() +
                 " sh " + script + " 2>&1");
  };
  const auto first = night(1);
  ASSERT_EQ(0, first.exit_code) << first.out;
  const auto base = RunCli(
      "runs --json --label baseline=yes --db " + (root_ / "gate.db").string(),
      false);
  EXPECT_EQ(1u, json::parse(base.out).size()) << base.out;
  const auto bad = night(4);
  EXPECT_EQ(1, bad.exit_code) << bad.out;
  EXPECT_NE(std::string::npos,
            bad.out.find("regression: nightly in run 2 is significantly worse "
                         "than baseline run 1"))
      << bad.out;
  EXPECT_TRUE(fs::exists(web / "history.html"));
  EXPECT_TRUE(fs::exists(web / "run-2.html"));
  EXPECT_FALSE(fs::exists(web / "history.html.new"));
}

TEST_F(HistoryCliTest, HistoryPageInChromium) {
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run scripts/bootstrap (as root)";
  const fs::path web = root_ / "www";
  fs::create_directories(web);
  const std::string page = (web / "history.html").string();
  const auto h = RunCli("history --db " + db_ + " --baseline baseline=yes " +
                        "--html " + page + " --write-run-reports");
  ASSERT_EQ(0, h.exit_code) << h.out;
  EXPECT_NE(std::string::npos,
            h.out.find("endstate history: wrote 4 run report(s) in " +
                       web.string() + "\n"));
  for (int run = 1; run <= 4; ++run) {
    EXPECT_TRUE(fs::exists(web / ("run-" + std::to_string(run) + ".html")));
  }
  const auto dom = Shell("HOME=" + root_.string() + " timeout 90 " + kChromium +
                         " --headless --no-sandbox --disable-gpu" +
                         " --no-first-run --disable-background-networking" +
                         " --virtual-time-budget=2000 --window-size=1280,2000" +
                         " --user-data-dir=" + (root_ / "p1").string() +
                         " --dump-dom file://" + page + " 2>/dev/null");
  ASSERT_EQ(0, dom.exit_code) << dom.out;
  auto has = [&](const std::string& s) {
    return dom.out.find(s) != std::string::npos;
  };
  EXPECT_TRUE(has("<svg id=\"rate-chart\"")) << dom.out.substr(0, 3000);
  EXPECT_TRUE(has("<polygon class=\"band\""));
  EXPECT_TRUE(has("<a href=\"run-4.html\">4</a>"));
  EXPECT_TRUE(has("<p class=\"reg\">regression: nightly in run "));
  // The script ran: it counted the heatmap's rows.
  EXPECT_TRUE(
      has("<span id=\"heat-0-count\" class=\"note\">(0 flaky of 8)"
          "</span>"));
  const std::string png =
      (fs::path(ENDSTATE_BINARY).parent_path() / "history_browser.png")
          .string();
  fs::remove(png);
  const auto shot =
      Shell("HOME=" + root_.string() + " timeout 90 " + kChromium +
            " --headless --no-sandbox --disable-gpu" +
            " --no-first-run --hide-scrollbars" +
            " --virtual-time-budget=2000 --window-size=1280,1600" +
            " --user-data-dir=" + (root_ / "p2").string() +
            " --screenshot=" + png + " file://" + page + " 2>/dev/null");
  ASSERT_EQ(0, shot.exit_code) << shot.out;
  EXPECT_GT(fs::file_size(png), 20'000u);
  std::cout << "screenshot: " << png << '\n';
}

}  // namespace
}  // namespace endstate
