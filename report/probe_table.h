// The probe table of `report` (docs/report.md, docs/probes.md): one row per
// model with generation speed, prefill latency, tool-call validity,
// reasoning correctness and the completion rate with its 95% interval,
// read from measurements["summary"] (evaluator/probe.h). Pure functions: no
// I/O.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/model_stats.h"
#include "report/statistics.h"
#include "results/probe_data.h"

namespace endstate::report {

// "N of M": valid tool calls, correct reasoning answers.
struct ProbeCount {
  int ok = 0;
  int total = 0;
  double Fraction() const { return total > 0 ? double(ok) / total : 0; }
};

struct ProbeRow {
  std::string model{};
  // speed: medians over the measured repetitions.
  std::optional<double> decode_tok_s{};    // generation tokens per second
  std::optional<double> prefill_ms{};      // time to first token, long prompt
  std::optional<double> prefill_tokens{};  // prompt tokens of that prompt
  // toolcalls: valid / total, overall and per mode ("stream", "no_stream").
  std::optional<ProbeCount> tool_calls{};
  std::map<std::string, ProbeCount> tool_calls_by_mode{};
  // reasoning: correct / total.
  std::optional<ProbeCount> reasoning{};
  // Completion rate of the run's attempts; nullopt when the model has no
  // graded attempt in the run (e.g. a probe-only run).
  std::optional<RateEstimate> completion{};
  // Per probe kind: the error it ended with (measurements["error"]).
  std::map<std::string, std::string> errors{};
  // Per probe kind: the run its row came from.
  std::map<std::string, int64_t> runs{};
};

// The row of one model; `stats` (may be nullptr) gives the completion rate.
ProbeRow MakeProbeRow(const results::ModelProbes& probes,
                      const ModelStats* stats);

// Rows for every model of a report, aligned with `probes` (stats matched by
// model name). Empty when no model has any probe: reports then print no
// probe table.
std::vector<ProbeRow> MakeProbeRows(
    const std::vector<results::ModelProbes>& probes,
    const std::vector<ModelStats>& stats);

// Terminal columns of UTF-8 text (code points; "✓" is one column).
size_t DisplayWidth(std::string_view s);
// Rows as aligned columns, two spaces apart, no trailing spaces: the first
// column left-aligned, the others right-aligned when `numbers_right`, else
// left-aligned. Every line ends with '\n'.
std::string AlignColumns(const std::vector<std::vector<std::string>>& rows,
                         bool numbers_right);

// Cell texts shared by the table, Markdown and compare ("-" = not measured).
std::string SpeedCell(const ProbeRow& r);
std::string PrefillCell(const ProbeRow& r);                 // "212.4 (1.5K)"
std::string CountCell(const std::optional<ProbeCount>& c);  // "18/20"
// "18/20 (stream 9/10, no_stream 9/10)".
std::string ToolCallsCell(const ProbeRow& r);
std::string CompletionCell(const ProbeRow& r);  // RateText, "-" when none

// Notes under a table: where rows came from when not from run `run`
// ("qwen: probes from run 3 (none in run 5)") and each probe error
// ("qwen speed: error: ..."). One line each, each ending with '\n'.
std::string ProbeNotes(const std::vector<ProbeRow>& rows, int64_t run);

// The terminal table, headed "probes", then the notes. Every line ends
// with '\n'.
std::string RenderProbeTable(const std::vector<ProbeRow>& rows, int64_t run);
// The same as a GitHub-flavoured Markdown section ("## Probes").
std::string RenderProbeMarkdown(const std::vector<ProbeRow>& rows, int64_t run);
// One row as JSON (docs/report.md, "probes").
nlohmann::json ProbeRowJson(const ProbeRow& r);

}  // namespace endstate::report
