// Report formats on a database built attempt by attempt: retries, errors,
// unfinished attempts, invalid tool calls and hostile text included.
#include "report/report_formats.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "report/model_stats.h"
#include "report/stats_text.h"
#include "results/reader.h"
#include "tests/results/run_builder.h"
#include "tests/results/temp_dir.h"

namespace endstate::report {
namespace {

using results::test::RunBuilder;
using results::test::TempDir;

class ReportFormatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("r.db");
    RunBuilder b(path_);
    b.NewRun();
    RunBuilder::Spec calls{.call_errors = {"", "invalid_json", "", ""}};
    b.Attempt("alpha", "t1", 0, "passed", calls);
    b.Attempt("beta <&>", "t1", 0, "failed",
              {.termination = "max_turns",
               .turns = 6,
               .call_errors = {"unknown_tool", "leaked_markup"},
               .failed_check = "title: \"x\" <b> & \x01 \xff"});
    b.Attempt("alpha", "t2", 0, "passed");
    int64_t err = b.Attempt("beta <&>", "t2", 0, "error");
    b.Retry(err, "passed", {.wall_ms = 3000});
    b.Attempt("alpha", "t3", 0, "passed");
    b.Attempt("beta <&>", "t3", 0, "failed", {.failed_check = "nope"});
    b.Attempt("alpha", "t1", 1, "passed");
    b.Attempt("beta <&>", "t1", 1, "failed");
    b.Attempt("alpha", "t2", 1, "failed",
              {.failed_check = "title: expected 'X'"});
    b.Attempt("beta <&>", "t2", 1, "passed");
    b.Attempt("alpha", "t3", 1, "passed");
    b.Attempt("beta <&>", "t3", 1, "");       // still running
    b.Attempt("beta <&>", "t4", 0, "error");  // never retried
    data_ = results::test::LoadRunData(path_, b.run());
    stats_ = ComputeModelStats(data_);
  }

  TempDir dir_;
  std::string path_;
  results::RunData data_;
  std::vector<ModelStats> stats_;
};

TEST_F(ReportFormatsTest, ModelStatsCountNewestTriesAndKeepErrorsApart) {
  ASSERT_EQ(2u, stats_.size());
  EXPECT_EQ(2, data_.max_epochs);
  const ModelStats& a = stats_[0];
  EXPECT_EQ(6, a.attempts);
  EXPECT_EQ(6, a.graded);
  EXPECT_EQ(5, a.passed);
  // Per task (2,2) (1,2) (2,2): residuals 1/3, -2/3, 1/3.
  EXPECT_NEAR(std::sqrt(6.0 / 9) / 6, a.rate.standard_error, 1e-12);
  EXPECT_NEAR(1.0, a.pass_at_k[1].value, 1e-12);
  EXPECT_NEAR(2.0 / 3, a.pass_hat_k[1].value, 1e-12);
  EXPECT_NEAR(25.0, a.InvalidPer100(), 1e-12);  // 1 of 4 calls
  EXPECT_NEAR(25.0, a.InvalidPer100("invalid_json"), 1e-12);

  const ModelStats& b = stats_[1];
  EXPECT_EQ(7, b.attempts);  // slots; t2's error and its retry are one
  EXPECT_EQ(1, b.earlier_tries);
  EXPECT_EQ(5, b.graded);
  EXPECT_EQ(2, b.passed);
  EXPECT_EQ(3, b.failed);
  EXPECT_EQ(1, b.errored);
  EXPECT_EQ(1, b.unfinished);
  EXPECT_EQ((std::map<std::string, int>{{"model_error", 1}}),
            TerminationCounts(b.error_terminations));
  EXPECT_EQ((std::map<std::string, int>{{"agent_stop", 4}, {"max_turns", 1}}),
            TerminationCounts(b.terminations));
  EXPECT_EQ(2, b.pass_at_k[1].tasks);  // t3 has one graded attempt
  EXPECT_NEAR(0.5, b.pass_hat_k[1].value, 1e-12);
  EXPECT_NEAR(0.4, b.rate.rate, 1e-12);
  // Cost: 5 graded attempts, 14 turns (6 + 4 x 2), 2 passes.
  EXPECT_NEAR(14.0 / 5, b.cost.turns_per_attempt, 1e-12);
  EXPECT_NEAR(7.0, b.cost.turns_per_pass.value(), 1e-12);
  EXPECT_NEAR(7.0 / 5, b.cost.wall_s_per_attempt, 1e-12);  // 4 x 1 s + 3 s
}

TEST_F(ReportFormatsTest, TableWithIntervalsNoColor) {
  EXPECT_EQ(
      "model     attempts  passed  failed  errors        rate [95% CI]  "
      "pass@2  pass^2  turns  tokens  invalid/100\n"
      "alpha            6       5       1       0  83.3% [24.8, 100.0]  "
      "100.0%   66.7%    2.0     120         25.0\n"
      "beta <&>         7       2       3       1   40.0% [0.0, 100.0]   "
      "50.0%   50.0%    2.8     120        100.0\n"
      "1 attempt unfinished (still running or interrupted)\n"
      "\n"
      "failure modes (graded attempts)\n"
      "  alpha     terminations: agent_stop 6\n"
      "            invalid calls per 100: invalid_json 25.0 (of 4 calls)\n"
      "            replies cut at max_tokens: none; reasoning tokens 0\n"
      "  beta <&>  terminations: agent_stop 4, max_turns 1\n"
      "            invalid calls per 100: leaked_markup 50.0, unknown_tool "
      "50.0 (of 2 calls)\n"
      "            replies cut at max_tokens: none; reasoning tokens 0\n"
      "\n"
      "failed checks (failed / graded attempts)\n"
      "  task  check                    alpha  beta <&>\n"
      "  t1    html (check 2)             0/2       1/2\n"
      "  t1    termination: agent_stop    0/2       1/2\n"
      "  t2    html (check 2)             1/2       0/2\n"
      "  t3    html (check 2)             0/2       1/1\n"
      "\n"
      "infrastructure errors (kept out of every rate)\n"
      "  beta <&>  1: model_error 1\n"
      "\n"
      "cost per completed task (failed attempts included)\n"
      "  alpha     2.4 turns, 144 tokens, 1.2 s\n"
      "  beta <&>  7.0 turns, 300 tokens, 3.5 s\n",
      RenderStatsTable(data_, stats_, false));
}

// A terminal too narrow for the whole table: two tables, and the long
// failure-mode line wrapped after ", "; no line reaches the width.
TEST_F(ReportFormatsTest, TableFitsTheWidth) {
  const std::string t = RenderStatsTable(data_, stats_, false, 70);
  EXPECT_EQ(
      "model     attempts  passed  failed  errors        rate [95% CI]\n"
      "alpha            6       5       1       0  83.3% [24.8, 100.0]\n"
      "beta <&>         7       2       3       1   40.0% [0.0, 100.0]\n"
      "\n"
      "model     pass@2  pass^2  turns  tokens  invalid/100\n"
      "alpha     100.0%   66.7%    2.0     120         25.0\n"
      "beta <&>   50.0%   50.0%    2.8     120        100.0\n"
      "1 attempt unfinished (still running or interrupted)\n"
      "\n"
      "failure modes (graded attempts)\n"
      "  alpha     terminations: agent_stop 6\n"
      "            invalid calls per 100: invalid_json 25.0 (of 4 calls)\n"
      "            replies cut at max_tokens: none; reasoning tokens 0\n"
      "  beta <&>  terminations: agent_stop 4, max_turns 1\n"
      "            invalid calls per 100: leaked_markup 50.0,\n"
      "              unknown_tool 50.0 (of 2 calls)\n"
      "            replies cut at max_tokens: none; reasoning tokens 0\n"
      "\n"
      "failed checks (failed / graded attempts)\n"
      "  task  check                    alpha  beta <&>\n"
      "  t1    html (check 2)             0/2       1/2\n"
      "  t1    termination: agent_stop    0/2       1/2\n"
      "  t2    html (check 2)             1/2       0/2\n"
      "  t3    html (check 2)             0/2       1/1\n",
      t.substr(0, t.find("\ninfrastructure errors")));
  size_t start = 0;
  for (size_t nl; (nl = t.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    EXPECT_LT(nl - start, 70u) << t.substr(start, nl - start);
  }
  // Wide enough: one table, as without a width.
  EXPECT_EQ(RenderStatsTable(data_, stats_, false),
            RenderStatsTable(data_, stats_, false, 120));
  // Colors survive the split: the error count is still red.
  EXPECT_NE(
      std::string::npos,
      RenderStatsTable(data_, stats_, true, 70).find("\x1b[31m     1\x1b[0m"));
}

TEST_F(ReportFormatsTest, TableColors) {
  std::string t = RenderStatsTable(data_, stats_, true);
  EXPECT_NE(std::string::npos, t.find("\x1b[1mmodel   ")) << t;
  EXPECT_NE(std::string::npos, t.find("\x1b[32m83.3% [24.8, 100.0]\x1b[0m"))
      << t;
  EXPECT_NE(std::string::npos, t.find("\x1b[31m 40.0% [0.0, 100.0]\x1b[0m"))
      << t;
  EXPECT_NE(std::string::npos, t.find("\x1b[31m     1\x1b[0m")) << t;
}

TEST_F(ReportFormatsTest, Csv) {
  std::string csv = RenderCsv(data_, stats_);
  std::string header = csv.substr(0, csv.find("\r\n"));
  EXPECT_EQ(
      "run,model,attempts,graded,passed,failed,errored,unfinished,"
      "completion_rate,ci_low,ci_high,ci_method,standard_error,tasks_graded,"
      "pass_at_1,pass_at_2,pass_hat_1,pass_hat_2,turns_per_attempt,"
      "tokens_per_attempt,wall_s_per_attempt,turns_per_pass,tokens_per_pass,"
      "wall_s_per_pass,tool_calls,invalid_per_100,invalid_json_per_100,"
      "unknown_tool_per_100,schema_violation_per_100,leaked_markup_per_100,"
      "truncated_turns,truncated_attempts,reasoning_tokens,"
      "context_exhausted,empty_reply,refusal,failed_checks",
      header);
  EXPECT_NE(
      std::string::npos,
      csv.find("\r\n1,alpha,6,6,5,1,0,0,0.833333,0.247816,1.000000,t,0.136083,"
               "3,0.833333,1.000000,0.833333,0.666667,2.000000,120.000000,"
               "1.000000,2.400000,144.000000,1.200000,4,25.000000,25.000000,"
               "0.000000,0.000000,0.000000,0,0,0,0,0,0,"
               "t2: html (check 2) 1/2\r\n"))
      << csv;
  EXPECT_NE(std::string::npos, csv.find("\r\n1,beta <&>,7,5,2,3,1,1,")) << csv;
}

TEST_F(ReportFormatsTest, JsonAddsStatisticsKeepsFields) {
  nlohmann::json j = {{"models", {{{"name", "alpha"}, {"attempts", 6}}}}};
  AddStatisticsJson(data_, stats_, &j);
  EXPECT_EQ(2, j["epochs"]);
  const auto& m = j["models"][0];
  EXPECT_EQ(6, m["attempts"]);  // untouched
  EXPECT_EQ("t", m["completion_interval"]["method"]);
  EXPECT_NEAR(0.247816, m["completion_interval"]["low"].get<double>(), 1e-6);
  EXPECT_EQ(2u, m["pass_at_k"].size());
  EXPECT_EQ(2, m["pass_hat_k"][1]["k"]);
  EXPECT_NEAR(2.0 / 3, m["pass_hat_k"][1]["value"].get<double>(), 1e-12);
  EXPECT_EQ(6, m["terminations"]["agent_stop"]);
  EXPECT_EQ(25.0, m["invalid_calls_per_100"]["all"]);
  EXPECT_EQ(25.0, m["invalid_calls_per_100"]["invalid_json"]);
  EXPECT_EQ(2.4, m["cost"]["turns_per_pass"]);
}

TEST_F(ReportFormatsTest, Markdown) {
  std::string md = RenderMarkdown(data_, stats_);
  EXPECT_EQ(0u, md.find("## endstate run 1\n\n| model | attempts | passed | "
                        "failed | errors | rate [95% CI] | pass@2 | pass^2 | "
                        "turns | tokens | invalid/100 |\n"
                        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
                        "|\n| alpha | 6 | 5 | 1 | 0 | 83.3% [24.8, 100.0] | "
                        "100.0% | 66.7% | 2.0 | 120 | 25.0 |\n"))
      << md;
  EXPECT_NE(std::string::npos,
            md.find("| task | alpha | beta <&> |\n|---|---:|---:|\n"
                    "| t1 | 2/2 | 0/2 |\n| t2 | 1/2 | 2/2 |\n"
                    "| t3 | 2/2 | 0/1 |\n| t4 | - | - |\n"))
      << md;
}

// Parses `xml` with python3's xml.etree and prints its structure.
std::string PythonJUnitOutline(const std::string& file) {
  const std::string script =
      "import sys, xml.etree.ElementTree as ET\n"
      "r = ET.parse(sys.argv[1]).getroot()\n"
      "print(r.tag, r.get('tests'), r.get('failures'), r.get('errors'))\n"
      "for s in r.findall('testsuite'):\n"
      "  print(s.get('name'), s.get('tests'), s.get('failures'),"
      " s.get('errors'))\n"
      "  for c in s.findall('testcase'):\n"
      "    k = [e.tag for e in c if e.tag in ('failure', 'error')]\n"
      "    print(' ', c.get('classname'), c.get('name'),"
      " k[0] if k else 'passed')\n";
  std::ofstream(file + ".py") << script;
  std::string out;
  FILE* p = popen(("python3 " + file + ".py " + file + " 2>&1").c_str(), "r");
  if (!p) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) out += "[python failed]";
  return out;
}

TEST_F(ReportFormatsTest, JUnitParsesAsXmlWithOneTestcasePerModelAndTask) {
  std::string xml = RenderJUnit(data_, stats_);
  std::string file = dir_.File("junit.xml");
  std::ofstream(file) << xml;
  EXPECT_EQ(
      "testsuites 8 3 2\n"
      "alpha 4 1 1\n"
      "  alpha t1 passed\n"
      "  alpha t2 failure\n"
      "  alpha t3 passed\n"
      "  alpha t4 error\n"
      "beta <&> 4 2 1\n"
      "  beta <&> t1 failure\n"
      "  beta <&> t2 passed\n"
      "  beta <&> t3 failure\n"
      "  beta <&> t4 error\n",
      PythonJUnitOutline(file));
  // Hostile text is escaped; bytes XML cannot hold become '?'.
  EXPECT_NE(
      std::string::npos,
      xml.find("epoch 1 try 1: failed (max_turns) - html (check 2): title: "
               "&quot;x&quot; &lt;b&gt; &amp; ? ?\n"))
      << xml;
  EXPECT_NE(std::string::npos,
            xml.find("<failure message=\"1 of 2 graded attempts failed\" "
                     "type=\"failed\">"))
      << xml;
  EXPECT_NE(std::string::npos,
            xml.find("epoch 1 try 1: error (model_error) - endpoint down\n"
                     "epoch 1 try 2: passed (agent_stop)\n"))
      << xml;
}

TEST(StatsText, Escaping) {
  EXPECT_EQ("a&amp;b&lt;c&gt;&quot;&apos;", XmlEscape("a&b<c>\"'"));
  EXPECT_EQ("t\u00e9?x", XmlEscape("t\u00e9\x02x"));
  EXPECT_EQ("?(", XmlEscape("\xc3\x28"));  // invalid continuation byte
  EXPECT_EQ("\"a,b\"", CsvField("a,b"));
  EXPECT_EQ("\"say \"\"hi\"\"\"", CsvField("say \"hi\""));
  EXPECT_EQ("plain", CsvField("plain"));
  EXPECT_EQ("a\\|b c", MarkdownCell("a|b\nc"));
  EXPECT_EQ("-21.7", Points(-0.2166666));
  EXPECT_EQ("+5.0", Points(0.05));
  EXPECT_EQ("0.0", Points(-0.00001));
  EXPECT_EQ("< 0.0001", PValueText(0.00001));
  EXPECT_EQ("0.0078", PValueText(0.0078125));
  EXPECT_EQ("1", PValueText(1));
}

}  // namespace
}  // namespace endstate::report
