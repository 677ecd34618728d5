// `endstate compare`: model B against model A over the tasks both graded
// (within one run or across runs), with the paired statistics of
// results/statistics.h, rendered as a table, JSON or Markdown
// (docs/statistics.md, docs/cli.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/model_stats.h"
#include "report/statistics.h"
#include "results/run_data.h"

namespace endstate::report {

struct CompareSide {
  std::string spec{};  // as the user gave it: "MODEL" or "RUN:MODEL"
  std::string model{};
  int64_t run = 0;
  ModelStats stats{};  // over the side's whole run (all its tasks)
};

// A check of a paired task that one side fails more often than the other
// (failed / graded attempts of that task on each side).
struct CheckDifference {
  std::string task{}, check{};  // check: report/failed_checks.h label
  int a_failed = 0, a_graded = 0, b_failed = 0, b_graded = 0;
};

struct CompareResult {
  CompareSide a{}, b{};
  Comparison paired{};         // B - A over the tasks both graded
  int only_a = 0, only_b = 0;  // tasks graded by one side only (not paired)
  // Paired tasks whose content hash differs between the two runs.
  int changed_tasks = 0;
  // Checks of paired tasks failed more often by B than by A ("B fails what
  // A passes"), and the reverse; by task, then check order. Filled only
  // when the runs were loaded with failed checks.
  std::vector<CheckDifference> b_fails_more{}, a_fails_more{};
};

// Compares model `model_b` of `run_b` with `model_a` of `run_a` (indexes
// into RunData::models); tasks are matched by task id. `spec_a`/`spec_b`
// label the sides.
CompareResult Compare(const results::RunData& run_a, int model_a,
                      const std::string& spec_a, const results::RunData& run_b,
                      int model_b, const std::string& spec_b);

// The verdict sentence, e.g. "worse: B completes significantly fewer tasks
// than A", and, when inconclusive, what it would take.
std::string VerdictText(const CompareResult& r);

// Plain text; `color` paints the verdict (worse red, better green,
// inconclusive yellow). Every line ends with '\n'.
std::string RenderCompareTable(const CompareResult& r, bool color);
std::string RenderCompareMarkdown(const CompareResult& r);
// {"a": side, "b": side, "difference": "b_minus_a", "paired": {...},
//  "verdict", "tasks_needed", "epochs_needed", "note", "only_a", "only_b",
//  "changed_tasks", "checks": {"b_fails_more": [...], "a_fails_more":
//  [...]}} (docs/cli.md).
nlohmann::json CompareJson(const CompareResult& r);

}  // namespace endstate::report
