// `endstate history`: each model name across the runs of a database
// (docs/history.md). Per run and model: the completion rate with its 95%
// interval exactly as `report` computes it (results/model_stats.h, newest
// try of each slot), the paired comparison (results/statistics.h
// ComparePaired) against the model's previous run in the history and
// against a baseline run, the tasks whose verdict flipped since the
// previous run, and probe figures (speed, tool-call validity) recorded in
// that run. Across runs: flaky tasks, whose verdict for the same model and
// configuration changes from run to run, with their flip rate.
//
// Reads through one read-only connection (results/run_data.h), so it never
// contends with a run that is writing. Bounded by the database: one
// RunData per selected run is held in memory at a time, plus per-task
// tallies of every (run, model) point (365 nights x 4 models x 20 tasks:
// about 30,000 tallies; bench/history_bench.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/model_stats.h"
#include "report/statistics.h"
#include "results/reader.h"

namespace endstate::report {

struct HistoryOptions {
  // Only runs carrying every one of these labels.
  std::map<std::string, std::string> labels{};
  // Only these model names (empty = every model).
  std::vector<std::string> models{};
  // Only runs started at or after `since` / at or before `until`, compared
  // as ISO-8601 prefixes ("2026-01-31" includes the whole day); "" = open.
  std::string since{}, until{};
  // Only the newest N runs left after the filters above; 0 = all.
  int last = 0;
  // Also replay and probe-only runs (default: evaluation runs only).
  bool all_kinds = false;
  // The baseline: a run id (> 0), or the newest evaluation run of the whole
  // database carrying every label of `baseline_labels`; neither = none.
  int64_t baseline_run = 0;
  std::map<std::string, std::string> baseline_labels{};
  // Flaky tasks: at least `flaky_min_runs` graded runs of the task for the
  // same model configuration, and at least 2 flips with a flip rate of at
  // least `flaky_threshold`, or at least 2 runs whose epochs disagreed
  // making up that share of the runs. (A single flip is a step: a
  // regression or a fix, not noise.)
  int flaky_min_runs = 3;
  double flaky_threshold = 0.25;
};

// One run of the history, oldest first.
struct HistoryRun {
  int64_t id = 0;
  std::string started_at{}, status{}, kind{}, note{};
  std::map<std::string, std::string> labels{};
};

// A task whose verdict changed since the model's previous run. Verdicts:
// "passed" (every graded epoch passed), "failed" (none did), "mixed".
struct TaskFlip {
  std::string task{}, from{}, to{};
};

// Figures of the probes a run recorded for the model (docs/probes.md); each
// nullopt when the run has no such probe or it ended with an error.
struct ProbeFigures {
  std::optional<double> decode_tok_s{};    // speed: median decode tokens/s
  std::optional<double> ttft_ms{};         // speed: median time to first token
  std::optional<double> toolcall_valid{};  // toolcalls: valid / total (0..1)
};

// One model in one run.
struct HistoryPoint {
  int run = 0;  // index into History::runs
  ModelStats stats{};
  std::vector<std::string> task_ids{};  // aligned with stats.per_task
  std::string fingerprint{};  // provider, base URL, model id, sampling,
                              // labels of the models row
  // Against the model's previous point in the history (nullopt for the
  // first); B = this run, A = the previous one.
  std::optional<Comparison> vs_previous{};
  int64_t previous_run = 0;
  // Against the baseline run (nullopt without a baseline, when the baseline
  // lacks the model, or for the baseline run itself).
  std::optional<Comparison> vs_baseline{};
  std::vector<TaskFlip> flips{};  // vs the previous point, by task id
  ProbeFigures probes{};
};

struct FlakyTask {
  std::string task{};
  int runs = 0;           // runs in which the task was graded
  int flips = 0;          // consecutive graded runs with different verdicts
  double flip_rate = 0;   // flips / (runs - 1); 0 when runs < 2
  int mixed_runs = 0;     // runs whose epochs disagreed
  std::string pattern{};  // one letter per run of the configuration, oldest
                          // first: P passed, F failed, M mixed, . not graded
  bool flaky = false;     // by HistoryOptions' rule
};

struct ModelHistory {
  std::string name{};
  std::vector<HistoryPoint> points{};  // oldest first
  std::vector<std::string> tasks{};    // every task seen, first seen first
  // Every task graded in the runs whose fingerprint equals the newest
  // point's, flaky ones first (by flip rate, descending), then by task id.
  std::vector<FlakyTask> task_noise{};
  int noise_runs = 0;  // runs of that configuration
};

struct History {
  std::string db{};
  HistoryOptions options{};
  std::vector<HistoryRun> runs{};
  std::vector<ModelHistory> models{};  // by name, first seen first
  int64_t baseline_run = 0;            // 0 = no baseline
  int skipped_runs = 0;  // replay / probe runs left out (all_kinds false)
};

// Loads the history of the database at `db_path`. Fails with
// "<path>: no such database", SQLite's message, or, for a baseline that
// does not resolve, "baseline: no run 9 in x.db" / "baseline: no
// evaluation run with label baseline=yes in x.db".
std::optional<History> LoadHistory(results::RunReader& reader,
                                   const HistoryOptions& options,
                                   std::string* err);

// "passed", "failed", "mixed" or "" (nothing graded) for one tally.
std::string TaskVerdict(const TaskTally& t);

// The flaky tasks of `h` for model `name` (those flagged), empty when the
// model is not in the history.
std::vector<FlakyTask> FlakyTasksOf(const History& h, const std::string& name);

}  // namespace endstate::report
