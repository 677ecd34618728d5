// Server-side numbers for the speed probe (evaluator/probe.h, docs/probes.md
// "Speed"): what a model server reports about its own timing, read beside
// the client-side measurements when the server offers it.
//
//   vLLM       Prometheus text at GET {root}/metrics; the probe reads it
//              before and after a workload and keeps the deltas.
//   llama.cpp  the `timings` object on the last streamed chunk
//              (CompletionResponse::server_timings).
//   Ollama     GET {root}/api/version identifies it; the native
//              POST {root}/api/chat reports durations in nanoseconds.
//
// {root} is the base URL without its trailing "/v1" (ServerRoot). Nothing
// here is an error for the probe: a server that does not offer a number
// simply has none (the functions return false). All functions are
// thread-safe (each HTTP call uses its own handle).
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace endstate::probes {

// "http://h:8000/v1/" -> "http://h:8000"; a URL without "/v1" is returned
// without its trailing slashes.
std::string ServerRoot(const std::string& base_url);

// --- Prometheus text exposition format ---------------------------------
struct PromSample {
  std::string name;                           // "vllm:num_requests_running"
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;                           // NaN and +-Inf accepted
};

// Parses the Prometheus text format (version 0.0.4): `# HELP`/`# TYPE`
// and other comment lines and blank lines are skipped, as are lines that do
// not parse (counted in *skipped when given); an optional timestamp after
// the value is ignored. Label values may hold escaped \" \\ \n and commas.
std::vector<PromSample> ParsePrometheusText(const std::string& text,
                                            int* skipped = nullptr);

// Sum of `name` over all its label sets (one vLLM server labels each series
// with model_name, engine, ...). Returns false when no sample has the name.
bool SumSamples(const std::vector<PromSample>& samples, const std::string& name,
                double* sum);

// --- vLLM ----------------------------------------------------------------
// The vLLM series the probe reads, each summed over label sets; a series
// the server does not export is absent from `values`.
struct VllmMetrics {
  std::map<std::string, double> values;  // metric name -> summed value
};

// The metric names kept in VllmMetrics::values.
const std::vector<std::string>& VllmMetricNames();

// Extracts VllmMetrics from parsed samples. Returns false when none of the
// VllmMetricNames is present (not a vLLM server).
bool ExtractVllmMetrics(const std::vector<PromSample>& samples,
                        VllmMetrics* out);

// GET {root}/metrics. Returns false ("not offered") on a transport error, a
// non-2xx status, or a body without vLLM metrics; *why says which.
// `headers` are sent as-is ("Authorization: Bearer ...").
bool FetchVllmMetrics(const std::string& root,
                      const std::vector<std::string>& headers, VllmMetrics* out,
                      std::string* why);

// The window between two snapshots, as JSON (keys absent when the series
// is missing from either snapshot or the division has a zero denominator):
//   spec_decode_drafts, spec_decode_draft_tokens,
//   spec_decode_accepted_tokens            counter deltas
//   spec_acceptance_rate                   d accepted / d draft tokens
//   spec_mean_acceptance_length            1 + d accepted / d drafts
//   requests                               d time_to_first_token _count
//   mean_ttft_ms                           d TTFT _sum / d _count * 1000
//   mean_itl_ms                            d inter_token_latency _sum /
//                                          d _count * 1000
//   itl_count                              d inter_token_latency _count
nlohmann::json VllmDelta(const VllmMetrics& before, const VllmMetrics& after);

// --- llama.cpp -----------------------------------------------------------
// The numeric fields of a llama-server `timings` object the probe keeps:
// prompt_n, prompt_ms, predicted_n, predicted_ms, predicted_per_second,
// prompt_per_second, cache_n. Returns null when `timings` is not an object
// or holds none of them.
nlohmann::json LlamaCppTimings(const nlohmann::json& timings);

// --- Ollama ----------------------------------------------------------------
// GET {root}/api/version; true with *version when the body is a JSON object
// with a string "version" (Ollama), false otherwise.
bool DetectOllama(const std::string& root,
                  const std::vector<std::string>& headers,
                  std::string* version);

// From a native /api/chat (stream:false) body: prompt_eval_count,
// prompt_eval_duration_ns, eval_count, eval_duration_ns, total_duration_ns,
// load_duration_ns (those present), plus eval_tok_s = eval_count /
// eval_duration * 1e9 and prompt_eval_ms when the durations are positive.
// Returns null when the body holds no eval_count/eval_duration.
nlohmann::json OllamaTimings(const nlohmann::json& body);

// POST {root}/api/chat {model, messages:[{role:"user", content:prompt}],
// stream:false, options:{num_predict:max_tokens}}; true with
// *timings = OllamaTimings(body), false with *err (HTTP status or transport
// error, or a body without timings).
bool OllamaNativeChat(const std::string& root,
                      const std::vector<std::string>& headers,
                      const std::string& model, const std::string& prompt,
                      int max_tokens, std::chrono::milliseconds timeout,
                      nlohmann::json* timings, std::string* err);

}  // namespace endstate::probes
