// The probe part of `endstate compare A B` (docs/cli.md, docs/probes.md):
// both models' probe rows side by side with B against A, and the reasoning
// answers problem by problem. Pure functions: no I/O.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/probe_table.h"
#include "results/probe_data.h"

namespace endstate::report {

// One model's answer to one reasoning problem (measurements["problems"]).
struct ProbeAnswer {
  std::string answer{};  // "" when none could be read
  bool correct = false;
  std::string error{};  // the request failed
};

// One reasoning problem with both sides' answers (nullopt: that side has no
// answer to this problem, e.g. not probed).
struct ReasoningPair {
  std::string id{}, expected{};
  std::optional<ProbeAnswer> a{}, b{};
};

// The problems of A's reasoning probe in its order, then those only B has.
std::vector<ReasoningPair> PairReasoning(const results::ModelProbes& a,
                                         const results::ModelProbes& b);

struct ProbeComparison {
  ProbeRow a{}, b{};
  int64_t run_a = 0, run_b = 0;  // the runs compared (for the notes)
  std::vector<ReasoningPair> reasoning{};
};

// "x1.34" (b / a, two decimals); "-" when either is missing or a is 0.
std::string RatioText(const std::optional<double>& a,
                      const std::optional<double>& b);
// "-10.0 pts" (B's fraction minus A's); "-" when either is missing.
std::string CountDifferenceText(const std::optional<ProbeCount>& a,
                                const std::optional<ProbeCount>& b);

// The side-by-side table headed "probes" (metric, A, B, B vs A), then
// "reasoning answers" (problem, expected, A, B; answers "42 ✓" / "41 ✗",
// "(none) ✗" when unreadable, "(error)" when the request failed, "-" when
// that side has no answer) when either side has them; answers are cut at
// 30 columns. Between the two, ProbeNotes of each side prefixed "A "/"B ".
// Every line ends with '\n'. `markdown` renders the same as Markdown tables.
std::string RenderProbeComparison(const ProbeComparison& c, bool markdown);
// {"a": ProbeRowJson, "b": ProbeRowJson, "ratios": {"generation_tok_s",
//  "prefill_ms"} (b / a or null), "differences": {"tool_calls",
//  "reasoning", "completion"} (b - a fractions or null), "reasoning":
//  [{"id", "expected", "a": {"answer","correct","error"} | null, "b": ...}]}.
nlohmann::json ProbeComparisonJson(const ProbeComparison& c);

}  // namespace endstate::report
