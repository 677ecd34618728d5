// The formats of `endstate history` (docs/history.md): a plain-text table,
// JSON, CSV and Markdown of a results::History, and the nightly gate's
// regressions. Pure functions; every line ends with '\n'.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/history.h"

namespace endstate::report {

// A model whose newest point is significantly worse than its reference:
// the baseline when the history has one (and the newest run is not the
// baseline), else the model's previous run.
struct Regression {
  std::string model{};
  int64_t run = 0;          // the newest run of the model
  int64_t against = 0;      // the reference run
  std::string reference{};  // "baseline" | "previous"
  Comparison paired{};
};
std::vector<Regression> FindRegressions(const History& h);

// "-12.5 worse (p 0.0078)": points, verdict and p of a comparison; "-" when
// none.
std::string ChangeText(const std::optional<Comparison>& c);

// For `compare --flaky`: "note: flaky in the history of MODEL (flip rate
// over its runs of one configuration): t7 0.75 (PFPFF), t2 0.50 (PFFP)\n";
// "" when `flaky` is empty.
std::string FlakyNoteText(const std::string& model,
                          const std::vector<FlakyTask>& flaky);
nlohmann::json FlakyJson(const std::vector<FlakyTask>& flaky);

std::string RenderHistoryTable(const History& h, bool color);
std::string RenderHistoryMarkdown(const History& h);
// One row per (model, run), header first (columns: docs/history.md).
std::string RenderHistoryCsv(const History& h);
// {"db", "baseline_run", "skipped_runs", "runs": [...], "models": [...],
//  "regressions": [...]} (docs/history.md, "JSON").
nlohmann::json HistoryJson(const History& h);

}  // namespace endstate::report
