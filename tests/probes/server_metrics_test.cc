#include "probes/server_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/paced_server.h"

namespace endstate::probes {
namespace {

using nlohmann::json;

TEST(ServerMetrics, ServerRootDropsV1AndSlashes) {
  EXPECT_EQ("http://h:8000", ServerRoot("http://h:8000/v1"));
  EXPECT_EQ("http://h:8000", ServerRoot("http://h:8000/v1/"));
  EXPECT_EQ("http://h:8000/proxy", ServerRoot("http://h:8000/proxy/v1"));
  EXPECT_EQ("http://h:8000/api", ServerRoot("http://h:8000/api/"));
}

TEST(ServerMetrics, ParsesPrometheusText) {
  const std::string text =
      "# HELP vllm:x help text\n"
      "# TYPE vllm:x counter\n"
      "\n"
      "vllm:x{model_name=\"a\\\"b,c\",engine=\"0\"} 3.5\n"
      "vllm:x{ model_name = \"back\\\\slash\\nline\" , } 1e2 1700000000000\r\n"
      "plain_metric 7\n"
      "nan_metric NaN\n"
      "inf_metric{le=\"+Inf\"} +Inf\n"
      "broken{model_name=\"unterminated} 1\n"
      "no_value{a=\"b\"}\n"
      "9bad_name 1\n"
      "trailing_garbage 1x";
  int skipped = -1;
  std::vector<PromSample> s = ParsePrometheusText(text, &skipped);
  EXPECT_EQ(4, skipped);
  ASSERT_EQ(5u, s.size());
  EXPECT_EQ("vllm:x", s[0].name);
  EXPECT_EQ("a\"b,c", s[0].labels.at("model_name"));
  EXPECT_EQ("0", s[0].labels.at("engine"));
  EXPECT_EQ(3.5, s[0].value);
  EXPECT_EQ("back\\slash\nline", s[1].labels.at("model_name"));
  EXPECT_EQ(100, s[1].value);
  EXPECT_EQ("plain_metric", s[2].name);
  EXPECT_TRUE(s[2].labels.empty());
  EXPECT_EQ(7, s[2].value);
  EXPECT_TRUE(std::isnan(s[3].value));
  EXPECT_EQ("+Inf", s[4].labels.at("le"));
  EXPECT_TRUE(std::isinf(s[4].value));

  double sum = 0;
  ASSERT_TRUE(SumSamples(s, "vllm:x", &sum));
  EXPECT_EQ(103.5, sum);
  EXPECT_FALSE(SumSamples(s, "vllm:y", &sum));
  EXPECT_EQ(103.5, sum);  // untouched
}

TEST(ServerMetrics, VllmDeltaComputesAcceptanceAndMeans) {
  VllmMetrics before, after;
  before.values = {{"vllm:spec_decode_num_drafts_total", 100},
                   {"vllm:spec_decode_num_draft_tokens_total", 300},
                   {"vllm:spec_decode_num_accepted_tokens_total", 200},
                   {"vllm:time_to_first_token_seconds_sum", 10},
                   {"vllm:time_to_first_token_seconds_count", 50},
                   {"vllm:inter_token_latency_seconds_sum", 4},
                   {"vllm:inter_token_latency_seconds_count", 1000}};
  after.values = {{"vllm:spec_decode_num_drafts_total", 140},
                  {"vllm:spec_decode_num_draft_tokens_total", 420},
                  {"vllm:spec_decode_num_accepted_tokens_total", 290},
                  {"vllm:time_to_first_token_seconds_sum", 10.5},
                  {"vllm:time_to_first_token_seconds_count", 52},
                  {"vllm:inter_token_latency_seconds_sum", 4.5},
                  {"vllm:inter_token_latency_seconds_count", 1100}};
  json d = VllmDelta(before, after);
  EXPECT_EQ(40, d["spec_decode_drafts"]);
  EXPECT_EQ(120, d["spec_decode_draft_tokens"]);
  EXPECT_EQ(90, d["spec_decode_accepted_tokens"]);
  EXPECT_DOUBLE_EQ(0.75, d["spec_acceptance_rate"].get<double>());
  EXPECT_DOUBLE_EQ(3.25, d["spec_mean_acceptance_length"].get<double>());
  EXPECT_EQ(2, d["requests"]);
  EXPECT_DOUBLE_EQ(250, d["mean_ttft_ms"].get<double>());
  EXPECT_EQ(100, d["itl_count"]);
  EXPECT_DOUBLE_EQ(5, d["mean_itl_ms"].get<double>());
}

TEST(ServerMetrics, VllmDeltaWithoutSpecDecodingOrRequests) {
  VllmMetrics before, after;
  before.values = {{"vllm:time_to_first_token_seconds_sum", 1},
                   {"vllm:time_to_first_token_seconds_count", 5},
                   {"vllm:spec_decode_num_drafts_total", 0},
                   {"vllm:spec_decode_num_draft_tokens_total", 0},
                   {"vllm:spec_decode_num_accepted_tokens_total", 0}};
  after = before;
  after.values.erase("vllm:spec_decode_num_accepted_tokens_total");
  EXPECT_EQ(json({{"spec_decode_drafts", 0.0},
                  {"spec_decode_draft_tokens", 0.0},
                  {"requests", 0.0}}),
            VllmDelta(before, after));
}

TEST(ServerMetrics, LlamaCppTimingsKeepsKnownNumbers) {
  EXPECT_TRUE(LlamaCppTimings(nullptr).is_null());
  EXPECT_TRUE(LlamaCppTimings(json{{"other", 1}}).is_null());
  json t = {{"prompt_n", 12},
            {"prompt_ms", 30.5},
            {"predicted_n", 100},
            {"predicted_ms", 2000.0},
            {"predicted_per_second", 50.0},
            {"cache_n", "x"},
            {"draft_n", 3}};
  EXPECT_EQ(json({{"prompt_n", 12},
                  {"prompt_ms", 30.5},
                  {"predicted_n", 100},
                  {"predicted_ms", 2000.0},
                  {"predicted_per_second", 50.0}}),
            LlamaCppTimings(t));
}

TEST(ServerMetrics, OllamaTimingsFromNativeBody) {
  EXPECT_TRUE(OllamaTimings(json{{"done", true}}).is_null());
  json body = {{"prompt_eval_count", 40},
               {"prompt_eval_duration", 250'000'000},
               {"eval_count", 120},
               {"eval_duration", 3'000'000'000LL},
               {"total_duration", 3'300'000'000LL}};
  EXPECT_EQ(json({{"prompt_eval_count", 40},
                  {"eval_count", 120},
                  {"prompt_eval_duration_ns", 250'000'000},
                  {"eval_duration_ns", 3'000'000'000LL},
                  {"total_duration_ns", 3'300'000'000LL},
                  {"eval_tok_s", 40.0},
                  {"prompt_eval_ms", 250.0}}),
            OllamaTimings(body));
}

TEST(ServerMetrics, FetchesAndSumsFromPacedServer) {
  test::PacedServer server(
      {.ttft = std::chrono::milliseconds(0), .vllm_metrics = true});
  const std::string root = ServerRoot(server.base_url());
  VllmMetrics m;
  std::string why;
  ASSERT_TRUE(FetchVllmMetrics(root, {}, &m, &why)) << why;
  // No request yet: every series the probe reads is present and zero.
  ASSERT_EQ(VllmMetricNames().size(), m.values.size());
  for (const auto& [name, v] : m.values) EXPECT_EQ(0, v) << name;
}

TEST(ServerMetrics, MissingMetricsAreNotOffered) {
  test::PacedServer server({});
  const std::string root = ServerRoot(server.base_url());
  VllmMetrics m;
  std::string why;
  EXPECT_FALSE(FetchVllmMetrics(root, {}, &m, &why));
  EXPECT_EQ("GET " + root + "/metrics: HTTP 404", why);
  std::string version = "unchanged";
  EXPECT_FALSE(DetectOllama(root, {}, &version));
  EXPECT_EQ("unchanged", version);
  // Port 1 on loopback: nothing listens, a transport error.
  EXPECT_FALSE(FetchVllmMetrics("http://127.0.0.1:1", {}, &m, &why));
  EXPECT_EQ(0u, why.find("GET http://127.0.0.1:1/metrics: ")) << why;
}

TEST(ServerMetrics, DetectsOllama) {
  test::PacedServer server({.ollama = true});
  std::string version;
  ASSERT_TRUE(DetectOllama(ServerRoot(server.base_url()), {}, &version));
  EXPECT_EQ("0.12.3", version);
}

}  // namespace
}  // namespace endstate::probes
