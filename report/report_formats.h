// The formats of `endstate report` built on the statistics of
// results/model_stats.h (shapes in docs/report.md, formulas in
// docs/statistics.md): terminal table, JSON additions, CSV, Markdown and
// JUnit XML. Pure functions: no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/model_stats.h"
#include "results/run_data.h"

namespace endstate::report {

// The terminal table: one row per model with rates and 95% intervals
// ("85.0% [72.1, 97.9]"), pass@k and pass^k at k = epochs (when epochs > 1),
// mean turns and tokens per graded attempt and invalid tool calls per 100
// calls; then the failure modes, infrastructure errors and cost per
// completed task. `color` adds ANSI colors (bold header, rate green >= 80%,
// yellow >= 50%, red below; errors in red). Every line ends with '\n'.
// `width` > 0 (terminal columns) keeps every line shorter than `width`
// where it can: a model table wider than that is split into two tables
// (counts and rate; then pass@k, pass^k, turns, tokens, invalid/100), and a
// failure-mode line is wrapped after a ", ". 0 = no limit.
std::string RenderStatsTable(const results::RunData& data,
                             const std::vector<ModelStats>& stats, bool color,
                             int width = 0);

// Adds the statistics to the models of a `ReportJson` document (matched by
// name; existing fields untouched): "graded", "tasks_graded",
// "completion_interval" ({"low", "high", "method"} or null),
// "standard_error", "pass_at_k" and "pass_hat_k" ([{"k", "value",
// "tasks"}]), "terminations", "error_terminations", "tool_calls_graded",
// "invalid_calls_per_100" ({"all": x, kind: x}), "cost" ({"turns_per_attempt",
// "tokens_per_attempt", "wall_s_per_attempt", "turns_per_pass",
// "tokens_per_pass", "wall_s_per_pass"}, the per-pass ones null when nothing
// passed), and "epochs" at the top level.
void AddStatisticsJson(const results::RunData& data,
                       const std::vector<ModelStats>& stats,
                       nlohmann::json* report);

// CSV (RFC 4180, header row first): one row per model (docs/report.md).
std::string RenderCsv(const results::RunData& data,
                      const std::vector<ModelStats>& stats);

// GitHub-flavoured Markdown: the model table, failure modes, and the
// task x model pass counts ("2/3").
std::string RenderMarkdown(const results::RunData& data,
                           const std::vector<ModelStats>& stats);

// JUnit XML: <testsuites> with one <testsuite> per model and one <testcase
// classname=MODEL name=TASK> per model x task; a <failure> when any counted
// attempt failed, else an <error> when a counted attempt ended in error or
// none finished, else passed. Each testcase's text lists its attempts.
std::string RenderJUnit(const results::RunData& data,
                        const std::vector<ModelStats>& stats);

}  // namespace endstate::report
