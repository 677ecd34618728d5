// The failure breakdown (docs/report.md, "Why attempts failed"): for each
// task and check, how many graded attempts of each model failed it. Built
// from RunData loaded with failed checks (RunReader::LoadOptions::
// first_problems), counting the same attempts as report/model_stats.h (the
// newest try of each slot, graded ones only). Pure functions; no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/model_stats.h"
#include "results/run_data.h"

namespace endstate::report {

// One task x check, with a count per model.
struct CheckFailures {
  int task = 0;  // index into RunData::tasks
  // The check's label (results::FailedCheck::Label()); for failed attempts
  // without a failed check, "termination: <reason>" stands in its place.
  std::string check{};
  std::vector<int> failed{};  // per model (RunData::models order)
};

// Every task x check that at least one counted graded attempt failed,
// ordered by task, then check order (terminations last, by name).
std::vector<CheckFailures> FailedCheckBreakdown(const results::RunData& data);

// "2/3": attempts of model `m` that failed the row's check, of its graded
// attempts of the task; "-" when it graded none.
std::string FailedOfGraded(const CheckFailures& row,
                           const std::vector<ModelStats>& stats, size_t m);

// The terminal section: a header line, then one aligned row per task x check
// ("  task  check  2/3  0/3"), or "  none" when nothing failed. Each line
// ends with '\n'. `width` > 0 (terminal columns): check names are cut with
// "..." (to no less than 16 bytes) so that rows stay shorter than `width`.
std::string RenderFailedChecksTable(const results::RunData& data,
                                    const std::vector<CheckFailures>& rows,
                                    const std::vector<ModelStats>& stats,
                                    bool color, int width = 0);

// "### Failed checks" with a Markdown table (or "none.").
std::string RenderFailedChecksMarkdown(const results::RunData& data,
                                       const std::vector<CheckFailures>& rows,
                                       const std::vector<ModelStats>& stats);

// [{"task", "check", "failed": {model: n}, "graded": {model: n}}].
nlohmann::json FailedChecksJson(const results::RunData& data,
                                const std::vector<CheckFailures>& rows,
                                const std::vector<ModelStats>& stats);

// The CSV field of model `m`: "task: check 2/3; ..." ("" when none).
std::string FailedChecksCsvField(const results::RunData& data,
                                 const std::vector<CheckFailures>& rows,
                                 const std::vector<ModelStats>& stats,
                                 size_t m);

}  // namespace endstate::report
