// The stable JSON document of `report --format json` (shape: docs/report.md).
// The other formats: results/report_formats.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/reader.h"

namespace endstate::report {

// The JSON report (docs/report.md, "JSON"):
// {"run": id,
//  "models": [{"name", "attempts", "passed", "failed", "errored",
//              "unfinished", "completion_rate" (0..1, null when none graded),
//              "mean_turns", "prompt_tokens", "completion_tokens",
//              "tool_calls", "tool_call_errors": {kind: count}}],
//  "tasks": [{"task", "model", "passed", "failed", "errored"}]}
nlohmann::json ReportJson(int64_t run_id,
                          const std::vector<results::ModelSummary>& models,
                          const std::vector<results::TaskCell>& tasks);

}  // namespace endstate::report
