// `endstate history` on synthetic nights written through the real Store:
// the numbers equal the per-run reports, a planted regression is `worse`,
// a planted flaky task is flagged, and the filters and formats hold.
#include "report/history.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "report/compare.h"
#include "report/history_formats.h"
#include "report/history_html.h"
#include "report/model_stats.h"
#include "report/stats_text.h"
#include "results/run_data.h"
#include "tests/results/run_builder.h"
#include "tests/results/temp_dir.h"
#include "util/format.h"

namespace endstate::report {
namespace {

constexpr int kTasks = 8, kEpochs = 2, kNights = 5;

std::string TaskId(int t) { return "t" + std::to_string(t); }

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("h.db");
    results::test::RunBuilder b(db_);
    for (int night = 1; night <= kNights; ++night) {
      std::map<std::string, std::string> labels = {{"suite", "nightly"}};
      if (night == 1) labels["baseline"] = "yes";
      b.NewRun(labels, "endstate run", night == 5 ? "server upgraded" : "");
      for (int t = 0; t < kTasks; ++t) {
        for (int e = 0; e < kEpochs; ++e) {
          // base: a little noise, never a trend.
          b.Attempt("base", TaskId(t), e,
                    (t + e + night) % 5 == 0 ? "failed" : "passed");
          // cand: passes until night 5 fails everything; t7 alternates.
          std::string cand = night == 5 ? "failed" : "passed";
          if (t == 7 && night < 5) cand = night % 2 ? "passed" : "failed";
          b.Attempt("cand", TaskId(t), e, cand);
        }
      }
      if (night == 3) {
        ASSERT_GT(b.store().RecordProbe(b.run(), b.Model("cand"), "speed", {},
                                        {{"summary",
                                          {{"decode_tok_s", {{"median", 85.5}}},
                                           {"ttft_ms", {{"median", 210.0}}}}}},
                                        &err_),
                  0)
            << err_;
        ASSERT_GT(b.store().RecordProbe(
                      b.run(), b.Model("cand"), "toolcalls", {},
                      {{"summary", {{"valid", 9}, {"total", 10}}}}, &err_),
                  0)
            << err_;
      }
      ASSERT_TRUE(b.store().FinishRun(b.run(), &err_)) << err_;
    }
    // A replay run is not an evaluation: left out unless asked.
    b.NewRun({{"suite", "nightly"}}, "endstate replay 3");
    b.Attempt("cand", "t0", 0, "passed");
  }

  History Load(const HistoryOptions& o = {}) {
    auto h = LoadHistory(Reader(), o, &err_);
    EXPECT_TRUE(h) << err_;
    return h ? *h : History{};
  }

  const ModelHistory& Model(const History& h, const std::string& name) {
    for (const auto& m : h.models) {
      if (m.name == name) return m;
    }
    ADD_FAILURE() << "no model " << name;
    static ModelHistory none;
    return none;
  }

  // The record's reader, opened on first use.
  results::RunReader& Reader() {
    if (!reader_) reader_ = results::test::OpenReader(db_);
    return *reader_;
  }
  std::optional<results::RunReader> reader_;
  results::test::TempDir dir_;
  std::string db_, err_;
};

TEST_F(HistoryTest, NumbersEqualThePerRunReports) {
  History h = Load();
  ASSERT_EQ(5u, h.runs.size());
  EXPECT_EQ(1, h.skipped_runs);  // the replay run
  ASSERT_EQ(2u, h.models.size());
  auto reader = results::RunReader::Open(db_, &err_);
  ASSERT_TRUE(reader) << err_;
  std::map<int64_t, results::RunData> data;
  for (const auto& run : h.runs) {
    auto d = reader->Load(run.id, &err_);
    ASSERT_TRUE(d) << err_;
    data.emplace(run.id, std::move(*d));
  }
  for (const auto& m : h.models) {
    ASSERT_EQ(5u, m.points.size()) << m.name;
    for (size_t k = 0; k < m.points.size(); ++k) {
      const HistoryPoint& p = m.points[k];
      const results::RunData& d = data.at(h.runs[p.run].id);
      const int index = d.ModelIndex(m.name);
      const ModelStats report = ComputeModelStats(d)[index];
      EXPECT_EQ(report.passed, p.stats.passed);
      EXPECT_EQ(report.graded, p.stats.graded);
      EXPECT_EQ(RateText(report.rate), RateText(p.stats.rate));
      EXPECT_EQ(report.rate.method, p.stats.rate.method);
      if (k == 0) {
        EXPECT_FALSE(p.vs_previous);
        continue;
      }
      // The change against the previous run is `compare PREV:M RUN:M`.
      const results::RunData& prev = data.at(p.previous_run);
      const CompareResult c =
          Compare(prev, prev.ModelIndex(m.name), "a", d, index, "b");
      ASSERT_TRUE(p.vs_previous);
      EXPECT_EQ(c.paired.tasks, p.vs_previous->tasks);
      EXPECT_DOUBLE_EQ(c.paired.mean_difference,
                       p.vs_previous->mean_difference);
      EXPECT_DOUBLE_EQ(c.paired.p_value, p.vs_previous->p_value);
      EXPECT_EQ(c.paired.verdict, p.vs_previous->verdict);
    }
  }
}

TEST_F(HistoryTest, PlantedRegressionIsWorse) {
  History h = Load();
  const ModelHistory& cand = Model(h, "cand");
  const HistoryPoint& last = cand.points.back();
  ASSERT_TRUE(last.vs_previous);
  EXPECT_EQ("worse", last.vs_previous->verdict);
  EXPECT_EQ(7, last.vs_previous->b_worse);  // t7 already failed night 4
  EXPECT_EQ(7u, last.flips.size());
  EXPECT_EQ("t0", last.flips[0].task);
  EXPECT_EQ("passed", last.flips[0].from);
  EXPECT_EQ("failed", last.flips[0].to);
  // base's noise never reaches significance.
  for (const auto& p : Model(h, "base").points) {
    if (p.vs_previous) {
      EXPECT_EQ("inconclusive", p.vs_previous->verdict);
    }
  }
  auto regressions = FindRegressions(h);
  ASSERT_EQ(1u, regressions.size());
  EXPECT_EQ("cand", regressions[0].model);
  EXPECT_EQ(h.runs.back().id, regressions[0].run);
  EXPECT_EQ("previous", regressions[0].reference);
  EXPECT_EQ(h.runs[3].id, regressions[0].against);

  // Against the baseline label: night 1.
  History hb = Load({.baseline_labels = {{"baseline", "yes"}}});
  EXPECT_EQ(h.runs[0].id, hb.baseline_run);
  const ModelHistory& cb = Model(hb, "cand");
  EXPECT_FALSE(cb.points[0].vs_baseline);  // the baseline itself
  ASSERT_TRUE(cb.points.back().vs_baseline);
  EXPECT_EQ("worse", cb.points.back().vs_baseline->verdict);
  EXPECT_EQ(8, cb.points.back().vs_baseline->b_worse);
  regressions = FindRegressions(hb);
  ASSERT_EQ(1u, regressions.size());
  EXPECT_EQ("baseline", regressions[0].reference);
  EXPECT_EQ(hb.baseline_run, regressions[0].against);
}

TEST_F(HistoryTest, PlantedFlakyTaskIsFlagged) {
  History h = Load();
  const ModelHistory& cand = Model(h, "cand");
  EXPECT_EQ(5, cand.noise_runs);
  ASSERT_EQ(8u, cand.task_noise.size());
  const FlakyTask& t7 = cand.task_noise[0];  // flaky ones first
  EXPECT_EQ("t7", t7.task);
  EXPECT_TRUE(t7.flaky);
  EXPECT_EQ("PFPFF", t7.pattern);
  EXPECT_EQ(3, t7.flips);
  EXPECT_DOUBLE_EQ(0.75, t7.flip_rate);
  // The step change of night 5 alone is a regression, not noise.
  for (size_t i = 1; i < cand.task_noise.size(); ++i) {
    EXPECT_FALSE(cand.task_noise[i].flaky) << cand.task_noise[i].task;
    EXPECT_EQ("PPPPF", cand.task_noise[i].pattern);
  }
  auto flaky = FlakyTasksOf(h, "cand");
  ASSERT_EQ(1u, flaky.size());
  EXPECT_EQ("t7", flaky[0].task);
  EXPECT_EQ(
      "note: flaky in the history of cand (flip rate over its runs of one "
      "configuration): t7 0.75 (PFPFF)\n",
      FlakyNoteText("cand", flaky));
  // base's planted noise: every task has one failing epoch in 2 of the 5
  // nights (mixed), which is flaky by the epochs-disagree rule.
  const auto base = FlakyTasksOf(h, "base");
  ASSERT_EQ(8u, base.size());
  for (const auto& t : base) {
    EXPECT_EQ(2, t.mixed_runs) << t.task;
    EXPECT_EQ(5, t.runs) << t.task;
  }
  // Fewer runs than --flaky-min-runs: nothing is called flaky.
  EXPECT_TRUE(FlakyTasksOf(Load({.last = 2}), "cand").empty());
}

TEST_F(HistoryTest, ProbeFiguresOfTheRunItself) {
  History h = Load();
  const ModelHistory& cand = Model(h, "cand");
  EXPECT_FALSE(cand.points[1].probes.decode_tok_s);  // night 2: no probe
  const ProbeFigures& p = cand.points[2].probes;
  ASSERT_TRUE(p.decode_tok_s && p.ttft_ms && p.toolcall_valid);
  EXPECT_DOUBLE_EQ(85.5, *p.decode_tok_s);
  EXPECT_DOUBLE_EQ(210.0, *p.ttft_ms);
  EXPECT_DOUBLE_EQ(0.9, *p.toolcall_valid);
  EXPECT_FALSE(Model(h, "base").points[2].probes.decode_tok_s);
  EXPECT_NE(std::string::npos,
            RenderHistoryHtml(h).find("<svg id=\"tok-chart\""));
}

TEST_F(HistoryTest, FiltersSelectRuns) {
  EXPECT_EQ(6u, Load({.all_kinds = true}).runs.size());
  History last2 = Load({.last = 2});
  ASSERT_EQ(2u, last2.runs.size());
  EXPECT_EQ(4, last2.runs[0].id);
  EXPECT_EQ("server upgraded", last2.runs[1].note);
  EXPECT_EQ(1u, Load({.labels = {{"baseline", "yes"}}}).runs.size());
  EXPECT_TRUE(Load({.labels = {{"suite", "other"}}}).runs.empty());
  History base_only = Load({.models = {"base"}});
  ASSERT_EQ(1u, base_only.models.size());
  EXPECT_EQ("base", base_only.models[0].name);
  EXPECT_EQ(5u,
            Load({.since = "2000-01-01", .until = "2999-12-31"}).runs.size());
  EXPECT_TRUE(Load({.until = "2000-01-01"}).runs.empty());

  EXPECT_FALSE(LoadHistory(Reader(), {.baseline_run = 99}, &err_));
  EXPECT_EQ("baseline: no run 99 in " + db_, err_);
  EXPECT_FALSE(
      LoadHistory(Reader(), {.baseline_labels = {{"baseline", "no"}}}, &err_));
  EXPECT_EQ("baseline: no evaluation run with label baseline=no in " + db_,
            err_);
}

TEST_F(HistoryTest, Formats) {
  History h = Load({.baseline_labels = {{"baseline", "yes"}}});
  const std::string csv = RenderHistoryCsv(h);
  EXPECT_EQ(
      "model,run,started_at,labels,note,passed,graded,errored,"
      "completion_rate,ci_low,ci_high,previous_run,previous_difference,"
      "previous_p,previous_verdict,baseline_run,baseline_difference,"
      "baseline_p,baseline_verdict,decode_tok_s,ttft_ms,toolcall_valid,"
      "flipped_tasks\n",
      csv.substr(0, csv.find('\n') + 1));
  // base first (first seen), then cand: 1 header + 10 rows.
  EXPECT_EQ(11, std::count(csv.begin(), csv.end(), '\n'));
  const std::string last = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  const HistoryPoint& p = Model(h, "cand").points.back();
  EXPECT_EQ(0u, last.find("cand,5," + h.runs[4].started_at +
                          ",suite=nightly,server upgraded,0,16,0,0.0000,"));
  EXPECT_NE(
      std::string::npos,
      last.find(",4," + util::Fixed(p.vs_previous->mean_difference, 4) + "," +
                util::Fixed(p.vs_previous->p_value, 4) + ",worse,1,-1.0000,"));
  EXPECT_NE(std::string::npos, last.find(",,,,t0:passed->failed t1:"));

  nlohmann::json j = HistoryJson(h);
  EXPECT_EQ(1, j["baseline_run"]);
  EXPECT_EQ(1, j["skipped_runs"]);
  ASSERT_EQ(1u, j["regressions"].size());
  EXPECT_EQ("cand", j["regressions"][0]["model"]);
  EXPECT_EQ("baseline", j["regressions"][0]["reference"]);
  const auto& cand = j["models"][1];
  EXPECT_EQ("cand", cand["name"]);
  EXPECT_EQ("worse", cand["points"][4]["vs_baseline"]["verdict"]);
  EXPECT_EQ(0.0, cand["points"][4]["completion_rate"]);
  EXPECT_EQ(true, cand["tasks"][0]["flaky"]);
  EXPECT_EQ("PFPFF", cand["tasks"][0]["pattern"]);

  const std::string table = RenderHistoryTable(h, false);
  EXPECT_NE(std::string::npos,
            table.find("history of " + db_ +
                       ": 5 run(s), baseline run 1 (1 replay/probe run(s) "
                       "left out; --all-kinds shows them)\n"));
  EXPECT_NE(std::string::npos,
            table.find("  t7 flip rate 0.75 over 5 runs (PFPFF)\n"));
  EXPECT_NE(std::string::npos,
            table.find("regression: cand in run 5 is significantly worse "
                       "than baseline run 1 (-100.0 worse (p 0.0078))\n"));
  const std::string md = RenderHistoryMarkdown(h);
  EXPECT_EQ(0u, md.find("# History of " + db_ +
                        "\n\n5 run(s), baseline run "
                        "1.\n\n## base\n\n| run | started |"));
  const std::string html = RenderHistoryHtml(h);
  EXPECT_NE(std::string::npos, html.find("<a href=\"run-5.html\">5</a>"));
  EXPECT_NE(std::string::npos,
            html.find("<tr class=\"is-flaky\"><th class=\"t\">t7<span "
                      "class=\"flaky\">flaky 0.75</span></th>"));
  EXPECT_EQ(std::string::npos, html.find("http://"));
  EXPECT_EQ(std::string::npos, html.find("https://"));
}

}  // namespace
}  // namespace endstate::report
