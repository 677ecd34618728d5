// The failure breakdown (report/failed_checks.h), the reason of one attempt
// (results/failed_checks.h) and compare's check differences, on a database
// built attempt by attempt: named and unnamed checks, a failure without a
// failed check, errors and epochs.
#include "report/failed_checks.h"

#include <gtest/gtest.h>

#include "report/compare.h"
#include "report/model_stats.h"
#include "report/report_formats.h"
#include "results/failed_checks.h"
#include "results/reader.h"
#include "tests/results/run_builder.h"
#include "tests/results/temp_dir.h"

namespace endstate::report {
namespace {

using results::test::RunBuilder;
using results::test::TempDir;

class FailedChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("f.db");
    RunBuilder b(path_);
    b.NewRun();
    const RunBuilder::Spec title{.failed_check = "want \"About\"",
                                 .failed_check_name = "title is set"};
    b.Attempt("alpha", "t1", 0, "passed");
    b.Attempt("alpha", "t1", 1, "failed", title);
    b.Attempt("beta", "t1", 0, "failed", title);
    b.Attempt("beta", "t1", 1, "failed", {.failed_check = "no <h1>"});
    b.Attempt("alpha", "t2", 0, "failed", {.termination = "max_turns"});
    b.Attempt("alpha", "t2", 1, "passed");
    b.Attempt("beta", "t2", 0, "passed");
    b.Attempt("beta", "t2", 1, "error");
    data_ = results::test::LoadRunData(path_, b.run());
    stats_ = ComputeModelStats(data_);
  }

  TempDir dir_;
  std::string path_;
  results::RunData data_;
  std::vector<ModelStats> stats_;
};

TEST(FailedCheckTest, LabelIsTheNameElseTheKindAndNumberFromOne) {
  results::FailedCheck named{.index = 0, .kind = "html", .name = "title"};
  EXPECT_EQ("title", named.Label());
  results::FailedCheck unnamed{.index = 2, .kind = "file"};
  EXPECT_EQ("file (check 3)", unnamed.Label());
}

TEST(FailedCheckTest, WhyNotPassedNamesTheCheckElseTheTermination) {
  results::FailedCheck c{.index = 0, .kind = "html", .name = "title"};
  EXPECT_EQ("title", results::WhyNotPassed("failed", "agent_stop", &c));
  EXPECT_EQ("termination: max_turns",
            results::WhyNotPassed("failed", "max_turns", nullptr));
  EXPECT_EQ("termination: unknown",
            results::WhyNotPassed("failed", "", nullptr));
  EXPECT_EQ("error: model_error",
            results::WhyNotPassed("error", "model_error", nullptr));
  EXPECT_EQ("error", results::WhyNotPassed("error", "", nullptr));
  EXPECT_EQ("", results::WhyNotPassed("passed", "agent_stop", nullptr));
  EXPECT_EQ("", results::WhyNotPassed("", "", nullptr));
}

TEST_F(FailedChecksTest, ReaderLoadsFailedChecksWithTheirNames) {
  // beta t1 epoch 0: the named check; epoch 1: the unnamed one.
  const results::AttemptData& named = data_.attempts[2];
  ASSERT_EQ(1u, named.failed_checks.size());
  EXPECT_EQ(1, named.failed_checks[0].index);
  EXPECT_EQ("html", named.failed_checks[0].kind);
  EXPECT_EQ("title is set", named.failed_checks[0].name);
  EXPECT_EQ("failed", named.failed_checks[0].verdict);
  EXPECT_EQ("want \"About\"", named.failed_checks[0].detail);
  EXPECT_EQ("html (check 2)", data_.attempts[3].failed_checks[0].Label());
  EXPECT_TRUE(data_.attempts[4].failed_checks.empty());  // max_turns
}

TEST_F(FailedChecksTest, TableGroupsByTaskAndCheckPerModel) {
  const auto rows = FailedCheckBreakdown(data_);
  EXPECT_EQ(
      "failed checks (failed / graded attempts)\n"
      "  task  check                   alpha  beta\n"
      "  t1    html (check 2)            0/2   1/2\n"
      "  t1    title is set              1/2   1/2\n"
      "  t2    termination: max_turns    1/2   0/1\n",
      RenderFailedChecksTable(data_, rows, stats_, false));
}

TEST_F(FailedChecksTest, LongCheckNamesAreCutToTheWidth) {
  const auto rows = FailedCheckBreakdown(data_);
  // 43 columns wide without a limit; at 40 the check column loses 4 bytes.
  EXPECT_EQ(
      "failed checks (failed / graded attempts)\n"
      "  task  check               alpha  beta\n"
      "  t1    html (check 2)        0/2   1/2\n"
      "  t1    title is set          1/2   1/2\n"
      "  t2    termination: ma...    1/2   0/1\n",
      RenderFailedChecksTable(data_, rows, stats_, false, 40));
  // Never below 16 bytes of check name, even when that is still too wide.
  EXPECT_NE(std::string::npos,
            RenderFailedChecksTable(data_, rows, stats_, false, 10)
                .find("  t2    termination: ...  "));
}

TEST_F(FailedChecksTest, EveryFormatCarriesTheBreakdown) {
  const auto rows = FailedCheckBreakdown(data_);
  EXPECT_EQ(
      "\n### Failed checks (failed/graded attempts)\n\n"
      "| task | check | alpha | beta |\n|---|---|---:|---:|\n"
      "| t1 | html (check 2) | 0/2 | 1/2 |\n"
      "| t1 | title is set | 1/2 | 1/2 |\n"
      "| t2 | termination: max_turns | 1/2 | 0/1 |\n",
      RenderFailedChecksMarkdown(data_, rows, stats_));
  nlohmann::json j = FailedChecksJson(data_, rows, stats_);
  ASSERT_EQ(3u, j.size());
  EXPECT_EQ((nlohmann::json{{"task", "t2"},
                            {"check", "termination: max_turns"},
                            {"failed", {{"alpha", 1}, {"beta", 0}}},
                            {"graded", {{"alpha", 2}, {"beta", 1}}}}),
            j[2]);
  EXPECT_EQ("t1: title is set 1/2; t2: termination: max_turns 1/2",
            FailedChecksCsvField(data_, rows, stats_, 0));
  EXPECT_EQ("t1: html (check 2) 1/2; t1: title is set 1/2",
            FailedChecksCsvField(data_, rows, stats_, 1));
  // The formats of `report` include it.
  const std::string csv = RenderCsv(data_, stats_);
  EXPECT_NE(std::string::npos, csv.find(",refusal,failed_checks\r\n")) << csv;
  EXPECT_NE(std::string::npos,
            csv.find(",t1: title is set 1/2; t2: termination: max_turns "
                     "1/2\r\n"))
      << csv;
  EXPECT_NE(std::string::npos,
            RenderStatsTable(data_, stats_, false)
                .find("\nfailed checks (failed / graded attempts)\n"));
  EXPECT_NE(std::string::npos,
            RenderMarkdown(data_, stats_).find("\n### Failed checks"));
  const std::string junit = RenderJUnit(data_, stats_);
  EXPECT_NE(std::string::npos,
            junit.find("epoch 1 try 1: failed (max_turns) - termination: "
                       "max_turns\n"))
      << junit;
  EXPECT_NE(std::string::npos,
            junit.find("epoch 2 try 1: failed (agent_stop) - html (check 2): "
                       "no &lt;h1&gt;\n"))
      << junit;
}

TEST_F(FailedChecksTest, CompareListsTheChecksOneSideFailsMore) {
  CompareResult r = Compare(data_, 0, "alpha", data_, 1, "beta");
  ASSERT_EQ(1u, r.b_fails_more.size());
  ASSERT_EQ(1u, r.a_fails_more.size());
  const std::string text = RenderCompareTable(r, false);
  EXPECT_NE(std::string::npos,
            text.find("checks B fails more often than A (failed/graded):\n"
                      "  t1: html (check 2) (A 0/2, B 1/2)\n"
                      "checks A fails more often than B (failed/graded):\n"
                      "  t2: termination: max_turns (A 1/2, B 0/1)\n"))
      << text;
  nlohmann::json j = CompareJson(r);
  EXPECT_EQ((nlohmann::json{{"task", "t1"},
                            {"check", "html (check 2)"},
                            {"a_failed", 0},
                            {"a_graded", 2},
                            {"b_failed", 1},
                            {"b_graded", 2}}),
            j["checks"]["b_fails_more"][0]);
  // The same model against itself: nothing tells them apart.
  CompareResult same = Compare(data_, 0, "alpha", data_, 0, "alpha");
  EXPECT_NE(std::string::npos,
            RenderCompareTable(same, false)
                .find("checks B fails more often than A (failed/graded): "
                      "none\nchecks A fails more often than B "
                      "(failed/graded): none\n"));
}

}  // namespace
}  // namespace endstate::report
