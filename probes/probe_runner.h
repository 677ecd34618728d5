// The loop shared by `endstate probe` (cmd_probe.cc) and `endstate run
// --probes` (cmd_run.cc): runs each selected probe (evaluator/probe.h) for
// each model, records every result in the `probes` table and reports
// progress. Storage format: docs/database.md, "probes".
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "models/model_config.h"
#include "probes/probe.h"
#include "results/store.h"

namespace endstate::probes {

// Probe kinds in the order they run.
inline const std::vector<std::string> kProbeKinds = {"speed", "toolcalls",
                                                     "reasoning"};

// The probe functions; tests may replace them (defaults: evaluator/probe.h).
struct ProbeFunctions {
  std::function<ProbeResult(const models::ModelConfig&,
                            const SpeedProbeOptions&)>
      speed = RunSpeedProbe;
  std::function<ProbeResult(const models::ModelConfig&,
                            const ToolCallProbeOptions&)>
      toolcalls = RunToolCallProbe;
  std::function<ProbeResult(const models::ModelConfig&,
                            const ReasoningProbeOptions&)>
      reasoning = RunReasoningProbe;
};

struct ProbeRunOptions {
  std::vector<std::string> kinds = kProbeKinds;  // subset of kProbeKinds
  // Per-probe settings; their `progress` members are set by RunProbes.
  SpeedProbeOptions speed{};
  ToolCallProbeOptions toolcalls{};
  ReasoningProbeOptions reasoning{};
  // Progress lines ("endstate: probe qwen toolcalls: ...") go here;
  // nullptr = none.
  std::ostream* log = nullptr;
  ProbeFunctions functions{};
};

struct ProbeRunSummary {
  int recorded = 0;  // rows written to the probes table
  int failed = 0;    // of those, probes that ended with an error
  std::vector<std::string> skipped{};  // builtin models (no endpoint)
  std::vector<std::string> errors{};   // "qwen speed: <error>"
};

// Whether a model can be probed: builtin models have no endpoint.
bool HasEndpoint(const models::ModelConfig& model);

// Runs `options.kinds` for each model of `models` (model_ids[i] is the
// models-table row of models[i] in run `run_id`) one after the other and
// records each ProbeResult with Store::RecordProbe: kind, settings, and the
// measurements plus "error" (the ProbeResult's error) when it failed.
// Builtin models are skipped and listed in summary->skipped with a note on
// `log`. A probe that ends with an error is an ordinary result (counted in
// summary->failed); returns false with *err only when recording fails.
bool RunProbes(results::Store& store, int64_t run_id,
               const std::vector<models::ModelConfig>& models,
               const std::vector<int64_t>& model_ids,
               const ProbeRunOptions& options, ProbeRunSummary* summary,
               std::string* err);

// The summary line of one probe result, for progress:
// "speed 41.3 tok/s, prefill 212.4 ms (1.5K tokens)", "toolcalls 18/20
// valid", "reasoning 8/10 correct", with "error: ..." when it failed.
std::string ProbeResultLine(const ProbeResult& r);

}  // namespace endstate::probes
