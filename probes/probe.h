// Probes (docs/probes.md): quick side-by-side numbers for one model
// endpoint, measured before completion rates: generation speed and prefill
// latency (probe_speed.cc), structured tool-call reliability
// (probe_toolcalls.cc) and multi-step reasoning (probe_reasoning.cc).
//
// Each probe returns one ProbeResult, stored as one row of the `probes`
// table (results/store.h RecordProbe: kind, settings_json,
// measurements_json). Reports read only measurements["summary"], whose keys
// are fixed below; everything else in measurements is per repetition detail.
//
// Probes need an endpoint (models::MakeEndpointClient): for a builtin model
// they return a result with `error` set and nothing measured.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "models/model_config.h"

namespace endstate::probes {

struct ProbeResult {
  std::string kind;  // "speed" | "toolcalls" | "reasoning"
  nlohmann::json settings = nlohmann::json::object();
  nlohmann::json measurements = nlohmann::json::object();
  // Non-empty when the probe could not complete (endpoint failed after its
  // retries, builtin model): measurements hold what was measured before.
  std::string error;
};

// Called with one human-readable line per request finished (progress on
// stderr); may be empty.
using ProbeProgress = std::function<void(const std::string& line)>;

// --- speed -------------------------------------------------------------
// Streaming requests (the model's `stream` setting is forced on).
//   decode workload: "write a merge sort with detailed comments", max_tokens
//     `max_tokens`, `warmup` unmeasured then `reps` measured repetitions.
//   prefill workload: a ~`prefill_tokens`-token prompt with a unique prefix
//     per repetition (prefix caching cannot hide prefill; llama-server also
//     gets cache_prompt:false), max_tokens 1; same warmup/reps.
// Per repetition: ttft_ms, e2e_ms, output_tokens (usage, else counted
// chunks with tokens_source "chunks"), tpot_ms = (e2e - ttft) / (tokens - 1),
// decode_tok_s = (tokens - 1) / (e2e - ttft) * 1000; prefill: prompt_tokens
// and prefill_ms = ttft_ms. Server-side numbers when offered (llama.cpp
// timings, Ollama durations, vLLM /metrics deltas incl. speculative-decoding
// acceptance rate and mean acceptance length) under measurements["server"].
//
// measurements["summary"] keys (each {"median","min","max"} over the
// measured repetitions, absent when nothing was measured):
//   "decode_tok_s", "tpot_ms", "ttft_ms", "e2e_ms", "output_tokens",
//   "prefill_ms", "prefill_prompt_tokens";
// plus "tokens_source": "usage" | "chunks" (chunks when any repetition had
// no usage) and, when vLLM metrics were read, "spec_acceptance_rate" and
// "spec_mean_acceptance_length" (numbers).
struct SpeedProbeOptions {
  int reps = 5;
  int warmup = 1;
  int max_tokens = 1024;      // decode workload
  int prefill_tokens = 1500;  // approximate prompt size, prefill workload
  ProbeProgress progress{};
};
ProbeResult RunSpeedProbe(const models::ModelConfig& model,
                          const SpeedProbeOptions& options);

// --- toolcalls ---------------------------------------------------------
// `n` requests with streaming on and `n` with it off (modes "stream",
// "no_stream"), cycling through bundled cases with varied schemas (nested
// objects, enums, arrays, required fields) and known expected arguments.
// A call is valid when it parses, names the right tool, satisfies the
// schema and carries the expected values. Failure kinds: "model_error",
// "no_call", "leaked_markup", "invalid_json", "unknown_tool", "wrong_tool"
// (an offered decoy), "schema_violation", "wrong_values", "extra_calls"
// (rules: evaluator/probe_toolcall_cases.h JudgeToolCallReply).
//
// measurements["summary"]: {"valid": int, "total": int,
//   "by_mode": {"stream": {"valid","total"}, "no_stream": {"valid","total"}},
//   "errors": {kind: count}} (kinds that occurred; total counts requests
//   made, 2n unless stopped early); measurements["calls"]: one object per
//   request {mode, case, valid, error_kind, detail, name, arguments,
//   finish_reason, duration_ms}.
struct ToolCallProbeOptions {
  int n = 10;  // requests per mode
  ProbeProgress progress;
};
ProbeResult RunToolCallProbe(const models::ModelConfig& model,
                             const ToolCallProbeOptions& options);

// --- reasoning ---------------------------------------------------------
// The bundled multi-step math and logic problems (at least 10), each with
// one exact answer; the model is asked to end with "ANSWER: <answer>".
//
// max_tokens (when > 0) replaces the model's own; streaming as configured.
// Answers are read from content only (evaluator/probe_problems.h).
//
// measurements["summary"]: {"correct": int, "total": int} (total: problems
//   asked); measurements["problems"]: one object per problem
//   {id, question, expected, answer, answer_line, correct, error,
//   finish_reason, completion_tokens, duration_ms} (answer "" when none
//   could be read, answer_line the line as written; error set when the
//   request failed).
struct ReasoningProbeOptions {
  int max_tokens = 8192;  // room for thinking models
  ProbeProgress progress;
};
ProbeResult RunReasoningProbe(const models::ModelConfig& model,
                              const ReasoningProbeOptions& options);

}  // namespace endstate::probes
