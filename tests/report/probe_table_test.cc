// The probe table of `report` and the probe side of `compare`, from
// synthetic rows recorded with Store::RecordProbe (docs/probes.md).
#include "report/probe_table.h"

#include <gtest/gtest.h>

#include "report/model_stats.h"
#include "report/probe_compare.h"
#include "results/probe_data.h"
#include "results/reader.h"
#include "tests/results/run_builder.h"
#include "tests/results/temp_dir.h"
#include "util/format.h"

namespace endstate::report {
namespace {

using nlohmann::json;
using results::test::RunBuilder;
using results::test::TempDir;

json Stat(double median) {
  return {{"median", median}, {"min", median - 1}, {"max", median + 1}};
}

json Speed(double tok_s, double prefill_ms, double tokens) {
  return {{"summary",
           {{"decode_tok_s", Stat(tok_s)},
            {"prefill_ms", Stat(prefill_ms)},
            {"prefill_prompt_tokens", Stat(tokens)},
            {"tokens_source", "usage"}}},
          {"decode", json::array()}};
}

json ToolCalls(int stream_ok, int no_stream_ok, int per_mode) {
  return {{"summary",
           {{"valid", stream_ok + no_stream_ok},
            {"total", 2 * per_mode},
            {"by_mode",
             {{"stream", {{"valid", stream_ok}, {"total", per_mode}}},
              {"no_stream", {{"valid", no_stream_ok}, {"total", per_mode}}}}},
            {"errors", json::object()}}}};
}

json Problem(const std::string& id, const std::string& expected,
             const std::string& answer, const std::string& error = "") {
  return {{"id", id},
          {"question", "q " + id},
          {"expected", expected},
          {"answer", answer},
          {"correct", answer == expected},
          {"error", error}};
}

json Reasoning(const std::vector<json>& problems) {
  int correct = 0;
  for (const auto& p : problems) correct += p["correct"].get<bool>();
  return {
      {"summary",
       {{"correct", correct}, {"total", static_cast<int>(problems.size())}}},
      {"problems", problems}};
}

class ProbeTableTest : public ::testing::Test {
 protected:
  void Record(const std::string& model, const std::string& kind,
              const json& measurements) {
    std::string err;
    ASSERT_GT(b_.store().RecordProbe(b_.run(), b_.Model(model), kind,
                                     json::object(), measurements, &err),
              0)
        << err;
  }
  std::vector<ProbeRow> Rows(int64_t run) {
    std::string err;
    auto reader = results::RunReader::Open(db_, &err);
    EXPECT_TRUE(reader) << err;
    auto data = reader->Load(run, &err);
    EXPECT_TRUE(data) << err;
    auto probes = results::LoadModelProbes(*reader, run, data->models, &err);
    EXPECT_TRUE(probes) << err;
    return MakeProbeRows(*probes, ComputeModelStats(*data));
  }

  TempDir dir_;
  std::string db_ = dir_.File("p.db");
  RunBuilder b_{db_};
};

TEST_F(ProbeTableTest, OneRowPerModelWithEveryProbeAndTheCompletionRate) {
  const int64_t run = b_.NewRun();
  b_.Attempt("qwen-fp8", "t1", 0, "passed");
  b_.Attempt("qwen-fp8", "t2", 0, "passed");
  b_.Attempt("qwen-nvfp4", "t1", 0, "passed");
  b_.Attempt("qwen-nvfp4", "t2", 0, "failed");
  Record("qwen-fp8", "speed", Speed(41.25, 212.44, 1536));
  Record("qwen-fp8", "toolcalls", ToolCalls(10, 10, 10));
  Record("qwen-fp8", "reasoning",
         Reasoning({Problem("p1", "42", "42"), Problem("p2", "7", "7")}));
  Record("qwen-nvfp4", "speed", Speed(55.0, 180.0, 812));
  Record("qwen-nvfp4", "toolcalls", ToolCalls(9, 8, 10));
  Record("qwen-nvfp4", "reasoning",
         Reasoning({Problem("p1", "42", "41"), Problem("p2", "7", "7")}));
  EXPECT_EQ(
      "probes\n"
      "model       gen tok/s  prefill ms (prompt)                       tool "
      "calls valid  reasoning correct   completion [95% CI]\n"
      "qwen-fp8         41.2         212.4 (1.5K)  20/20 (no_stream 10/10, "
      "stream 10/10)                2/2  100.0% [15.8, 100.0]\n"
      "qwen-nvfp4       55.0          180.0 (812)    17/20 (no_stream 8/10, "
      "stream 9/10)                1/2    50.0% [0.0, 100.0]\n",
      RenderProbeTable(Rows(run), run));
}

TEST_F(ProbeTableTest, UnmeasuredCellsAreDashesAndFailedProbesSayError) {
  const int64_t run = b_.NewRun();
  Record("qwen", "toolcalls", ToolCalls(1, 1, 2));
  json failed = {{"error", "POST /v1/chat/completions: connection refused"}};
  Record("qwen", "speed", failed);
  b_.Model("llama");  // in the run, never probed
  const std::vector<ProbeRow> rows = Rows(run);
  ASSERT_EQ(2u, rows.size());
  EXPECT_EQ("error", SpeedCell(rows[0]));
  EXPECT_EQ("error", PrefillCell(rows[0]));
  EXPECT_EQ("2/4 (no_stream 1/2, stream 1/2)", ToolCallsCell(rows[0]));
  EXPECT_EQ("-", CountCell(rows[0].reasoning));
  EXPECT_EQ("-", CompletionCell(rows[0]));
  EXPECT_EQ("-", SpeedCell(rows[1]));
  EXPECT_EQ("-", ToolCallsCell(rows[1]));
  EXPECT_EQ(
      "qwen speed: error: POST /v1/chat/completions: connection "
      "refused\n",
      ProbeNotes(rows, run));
  EXPECT_EQ(
      "probes\n"
      "model  gen tok/s  prefill ms (prompt)                 tool calls valid"
      "  reasoning correct  completion [95% CI]\n"
      "qwen       error                error  2/4 (no_stream 1/2, stream 1/2)"
      "                  -                    -\n"
      "llama          -                    -                                -"
      "                  -                    -\n"
      "  qwen speed: error: POST /v1/chat/completions: connection refused\n",
      RenderProbeTable(rows, run));
}

TEST_F(ProbeTableTest, NoProbesNoRows) {
  const int64_t run = b_.NewRun();
  b_.Attempt("qwen", "t1", 0, "passed");
  EXPECT_TRUE(Rows(run).empty());
}

TEST_F(ProbeTableTest, FallsBackToTheNewestProbesOfTheSameModelName) {
  const int64_t probe_run_1 = b_.NewRun();
  Record("qwen", "speed", Speed(10, 100, 1500));
  const int64_t probe_run_2 = b_.NewRun();
  Record("qwen", "speed", Speed(20, 200, 1500));
  Record("llama", "reasoning", Reasoning({Problem("p1", "1", "1")}));
  const int64_t run = b_.NewRun();
  b_.Attempt("qwen", "t1", 0, "passed");
  b_.Attempt("llama", "t1", 0, "failed");
  b_.Attempt("mistral", "t1", 0, "failed");
  Record("llama", "toolcalls", ToolCalls(1, 1, 1));
  const std::vector<ProbeRow> rows = Rows(run);
  ASSERT_EQ(3u, rows.size());
  EXPECT_EQ("20.0", SpeedCell(rows[0]));  // newest run, not run 1
  EXPECT_EQ(probe_run_2, rows[0].runs.at("speed"));
  EXPECT_EQ("100.0% [2.5, 100.0]", CompletionCell(rows[0]));
  // llama: toolcalls from this run, reasoning from the probe run.
  EXPECT_EQ(run, rows[1].runs.at("toolcalls"));
  EXPECT_EQ(probe_run_2, rows[1].runs.at("reasoning"));
  EXPECT_EQ("1/1", CountCell(rows[1].reasoning));
  EXPECT_TRUE(rows[2].runs.empty());
  EXPECT_EQ(
      "qwen: probes from run 2 (not probed in run 3)\n"
      "llama: probes from run 2 (not probed in run 3)\n",
      ProbeNotes(rows, run));
  (void)probe_run_1;
}

TEST_F(ProbeTableTest, ARunsOwnProbesWinOverNewerOnes) {
  const int64_t run = b_.NewRun();
  Record("qwen", "speed", Speed(10, 100, 1500));
  b_.NewRun();
  Record("qwen", "speed", Speed(20, 200, 1500));
  const std::vector<ProbeRow> rows = Rows(run);
  ASSERT_EQ(1u, rows.size());
  EXPECT_EQ("10.0", SpeedCell(rows[0]));
  EXPECT_EQ("", ProbeNotes(rows, run));
}

TEST_F(ProbeTableTest, MarkdownAndJson) {
  const int64_t run = b_.NewRun();
  Record("qwen", "reasoning", Reasoning({Problem("p1", "1", "2")}));
  const std::vector<ProbeRow> rows = Rows(run);
  EXPECT_EQ(
      "\n## Probes\n\n"
      "| model | gen tok/s | prefill ms (prompt) | tool calls valid | "
      "reasoning correct | completion [95% CI] |\n"
      "|---|---:|---:|---:|---:|---:|\n"
      "| qwen | - | - | - | 0/1 | - |\n",
      RenderProbeMarkdown(rows, run));
  EXPECT_EQ(json::parse(R"({"model": "qwen", "generation_tok_s": null,
      "prefill_ms": null, "prefill_prompt_tokens": null, "tool_calls": null,
      "reasoning": {"correct": 0, "total": 1}, "completion": null,
      "errors": {}, "runs": {"reasoning": 1}})"),
            ProbeRowJson(rows[0]));
}

TEST(ProbeTokens, Compact) {
  EXPECT_EQ("850", util::TokensText(850));
  EXPECT_EQ("1.5K", util::TokensText(1536));
  EXPECT_EQ("32.8K", util::TokensText(32768));
  EXPECT_EQ("1.0M", util::TokensText(1e6));
}

TEST_F(ProbeTableTest, CompareShowsBothSidesAndTheAnswers) {
  const int64_t run = b_.NewRun();
  Record("a", "speed", Speed(40, 200, 1500));
  Record("a", "toolcalls", ToolCalls(10, 10, 10));
  Record("a", "reasoning",
         Reasoning({Problem("p1", "42", "42"), Problem("p2", "7", ""),
                    Problem("p3", "x", "", "HTTP 500")}));
  Record("b", "speed", Speed(50, 150, 1500));
  Record("b", "reasoning",
         Reasoning({Problem("p1", "42", "41"), Problem("p2", "7", "7"),
                    Problem("p4", "y", "y")}));
  std::string err;
  auto reader = results::test::OpenReader(db_);
  auto probes = results::LoadModelProbes(reader, run, {"a", "b"}, &err);
  ASSERT_TRUE(probes) << err;
  const ProbeComparison c{
      .a = MakeProbeRow((*probes)[0], nullptr),
      .b = MakeProbeRow((*probes)[1], nullptr),
      .run_a = run,
      .run_b = run,
      .reasoning = PairReasoning((*probes)[0], (*probes)[1])};
  EXPECT_EQ(
      "\n"
      "probes               A a           B b           B vs A\n"
      "generation tok/s     40.0          50.0          x1.25\n"
      "prefill ms (prompt)  200.0 (1.5K)  150.0 (1.5K)  x0.75\n"
      "tool calls valid     20/20         -             -\n"
      "  no_stream          10/10         -             -\n"
      "  stream             10/10         -             -\n"
      "reasoning correct    1/3           2/3           +33.3 pts\n"
      "completion [95% CI]  -             -             -\n"
      "\n"
      "reasoning answers  expected  A         B\n"
      "  p1               42        42 ✓      41 ✗\n"
      "  p2               7         (none) ✗  7 ✓\n"
      "  p3               x         (error)   -\n"
      "  p4               y         -         y ✓\n",
      RenderProbeComparison(c, false));
  json j = ProbeComparisonJson(c);
  EXPECT_DOUBLE_EQ(1.25, j["ratios"]["generation_tok_s"].get<double>());
  EXPECT_DOUBLE_EQ(0.75, j["ratios"]["prefill_ms"].get<double>());
  EXPECT_TRUE(j["differences"]["tool_calls"].is_null());
  EXPECT_NEAR(1.0 / 3, j["differences"]["reasoning"].get<double>(), 1e-12);
  ASSERT_EQ(4u, j["reasoning"].size());
  EXPECT_EQ(json::parse(R"({"id": "p1", "expected": "42",
      "a": {"answer": "42", "correct": true, "error": ""},
      "b": {"answer": "41", "correct": false, "error": ""}})"),
            j["reasoning"][0]);
  EXPECT_TRUE(j["reasoning"][3]["a"].is_null());
}

TEST_F(ProbeTableTest, LatestRunWithAttemptsSkipsProbeOnlyRuns) {
  const int64_t graded = b_.NewRun();
  b_.Attempt("a", "t1", 0, "passed");
  b_.Attempt("b", "t1", 0, "passed");
  b_.NewRun();
  Record("a", "speed", Speed(1, 1, 1));
  Record("b", "speed", Speed(1, 1, 1));
  b_.NewRun();
  b_.Attempt("a", "t1", 0, "passed");  // b missing
  std::string err;
  auto reader = results::test::OpenReader(db_);
  EXPECT_EQ(graded, results::LatestRunWithAttempts(reader, {"a", "b"}, &err));
  EXPECT_EQ(std::nullopt,
            results::LatestRunWithAttempts(reader, {"a", "c"}, &err));
  EXPECT_EQ("", err);
}

}  // namespace
}  // namespace endstate::report
