// Rendering of one run's results: the terminal table printed by `report` and
// the stable JSON document of `report --json` (shape: docs/report.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/store.h"

namespace endstate::results {

// An aligned plain-text table, one row per model in the given order, columns
// separated by two spaces, text left-aligned and numbers right-aligned:
//
//   model  attempts  passed  failed  errors  rate   turns  tokens  invalid
//   calls qwen          4       2       1       1  66.7%    3.0     900 2
//
// "rate" is passed / (passed + failed) with one decimal, or "-" when no
// attempt was graded; "turns" is the mean over finished attempts with one
// decimal; "tokens" is prompt + completion tokens; "invalid calls" counts
// tool calls with any error kind. When some attempts are unfinished, a line
// "N attempts unfinished (still running or interrupted)" follows the table.
// Every line ends with '\n'; no trailing spaces.
std::string RenderTable(const std::vector<ModelSummary>& models);

// The JSON report (docs/report.md, "JSON"):
// {"run": id,
//  "models": [{"name", "attempts", "passed", "failed", "errored",
//              "unfinished", "completion_rate" (0..1, null when none graded),
//              "mean_turns", "prompt_tokens", "completion_tokens",
//              "tool_calls", "tool_call_errors": {kind: count}}],
//  "tasks": [{"task", "model", "passed", "failed", "errored"}]}
nlohmann::json ReportJson(int64_t run_id,
                          const std::vector<ModelSummary>& models,
                          const std::vector<Store::TaskCell>& tasks);

}  // namespace endstate::results
