// The shared probe loop (evaluator/probe_runner.h) with stand-in probe
// functions: what is recorded, what is skipped, what is said.
#include "probes/probe_runner.h"

#include <gtest/gtest.h>

#include <sstream>

#include "results/probe_data.h"
#include "tests/results/temp_dir.h"

namespace endstate::probes {
namespace {

using nlohmann::json;

models::ModelConfig Model(const std::string& name,
                          const std::string& provider) {
  models::ModelConfig m;
  m.name = name;
  m.provider = provider;
  return m;
}

class ProbeRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = results::Store::Open(db_, &err_);
    ASSERT_TRUE(store_) << err_;
    run_ = store_->BeginRun({.config_json = "{}"}, &err_);
    ASSERT_GT(run_, 0) << err_;
    for (const auto& m : models_) {
      ids_.push_back(store_->AddModel(
          run_, {.name = m.name, .provider = m.provider}, &err_));
    }
    options_.log = &log_;
    options_.functions.speed = [](const models::ModelConfig& m,
                                  const SpeedProbeOptions& o) {
      o.progress("decode 1/1");
      ProbeResult r;
      r.kind = "speed";
      r.settings = {{"reps", o.reps}, {"workloads", {"decode", "prefill"}}};
      r.measurements["summary"] = {
          {"decode_tok_s", {{"median", m.name == "fast" ? 90.0 : 30.0}}}};
      return r;
    };
    options_.functions.toolcalls = [](const models::ModelConfig&,
                                      const ToolCallProbeOptions& o) {
      ProbeResult r;
      r.kind = "toolcalls";
      r.measurements["summary"] = {{"valid", 0}, {"total", 2}};
      r.error =
          "endpoint unreachable: connection refused; stopped after 2 "
          "requests";
      EXPECT_EQ(3, o.n);
      return r;
    };
    options_.toolcalls.n = 3;
    options_.speed.reps = 2;
  }

  results::test::TempDir dir_;
  std::string db_ = dir_.File("r.db");
  std::string err_;
  std::unique_ptr<results::Store> store_;
  int64_t run_ = 0;
  std::vector<models::ModelConfig> models_ = {
      Model("fast", "openai"), Model("builtin:oracle", "builtin")};
  std::vector<int64_t> ids_;
  std::ostringstream log_;
  ProbeRunOptions options_;
};

TEST_F(ProbeRunnerTest, RecordsEachProbeAndSkipsBuiltins) {
  options_.kinds = {"speed", "toolcalls"};
  ProbeRunSummary summary;
  ASSERT_TRUE(
      RunProbes(*store_, run_, models_, ids_, options_, &summary, &err_))
      << err_;
  EXPECT_EQ(2, summary.recorded);
  EXPECT_EQ(1, summary.failed);
  EXPECT_EQ(std::vector<std::string>{"builtin:oracle"}, summary.skipped);
  EXPECT_EQ(std::vector<std::string>{"fast toolcalls: endpoint unreachable: "
                                     "connection refused; stopped after 2 "
                                     "requests"},
            summary.errors);
  EXPECT_EQ(
      "endstate: probe fast speed: started\n"
      "endstate: probe fast speed: decode 1/1\n"
      "endstate: probe fast: speed 90.0 tok/s\n"
      "endstate: probe fast toolcalls: started\n"
      "endstate: probe fast: toolcalls 0/2 valid: error: endpoint "
      "unreachable: connection refused; stopped after 2 requests\n"
      "endstate: probes skipped for builtin:oracle: builtin models have no "
      "endpoint to probe\n",
      log_.str());

  auto reader = results::RunReader::Open(db_, &err_);
  ASSERT_TRUE(reader) << err_;
  auto probes = results::LoadModelProbes(*reader, run_, {"fast"}, &err_);
  ASSERT_TRUE(probes) << err_;
  const auto& by_kind = (*probes)[0].by_kind;
  ASSERT_EQ(2u, by_kind.size());
  // The probe's settings win over the options; the rest are the options.
  EXPECT_EQ(json::parse(R"({"reps": 2, "warmup": 1, "max_tokens": 1024,
      "prefill_tokens": 1500, "workloads": ["decode", "prefill"]})"),
            by_kind.at("speed").settings);
  EXPECT_EQ("", by_kind.at("speed").Error());
  EXPECT_EQ(json::parse(R"({"n": 3})"), by_kind.at("toolcalls").settings);
  EXPECT_EQ(
      "endpoint unreachable: connection refused; stopped after 2 requests",
      by_kind.at("toolcalls").Error());
  EXPECT_EQ(2, by_kind.at("toolcalls").Summary()["total"]);
}

TEST_F(ProbeRunnerTest, NoLogNoLines) {
  options_.kinds = {"speed"};
  options_.log = nullptr;
  ProbeRunSummary summary;
  ASSERT_TRUE(
      RunProbes(*store_, run_, models_, ids_, options_, &summary, &err_));
  EXPECT_EQ(1, summary.recorded);
  EXPECT_EQ("", log_.str());
}

TEST(ProbeResultLine, SpeedWithPrefill) {
  ProbeResult r;
  r.kind = "speed";
  r.measurements["summary"] = {{"decode_tok_s", {{"median", 41.26}}},
                               {"prefill_ms", {{"median", 212.44}}},
                               {"prefill_prompt_tokens", {{"median", 1536}}}};
  EXPECT_EQ("speed 41.3 tok/s, prefill 212.4 ms (1.5K tokens)",
            ProbeResultLine(r));
  ProbeResult q;
  q.kind = "reasoning";
  q.error = "HTTP 500";
  q.measurements["summary"] = {{"correct", 7}, {"total", 10}};
  EXPECT_EQ("reasoning 7/10 correct: error: HTTP 500", ProbeResultLine(q));
}

}  // namespace
}  // namespace endstate::probes
