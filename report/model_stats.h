// Per-model statistics of one run (docs/statistics.md): completion rate with
// its task-clustered interval, pass@k and pass^k, per-task pass counts,
// failure modes and cost. Computed from RunData (results/run_data.h).
//
// Which attempts count: each (model, task, epoch) slot counts once, by its
// newest try (an infrastructure error is retried as a new try, an interrupted
// attempt is run again on resume): docs/cli.md, "Tries, retries and what
// counts". A slot whose newest try ended `passed` or `failed` is graded; one
// that ended `error` is out of every denominator and shown apart
// (`errored`); superseded tries are only counted (`earlier_tries`).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "report/statistics.h"
#include "results/run_data.h"

namespace endstate::report {

// Cost of completion over graded attempts. "per_pass" divides the total
// over all graded attempts (failed ones included) by the number of passes:
// what one completed task costs. nullopt when nothing passed.
struct CostStats {
  double turns_per_attempt = 0;
  double tokens_per_attempt = 0;  // prompt + completion
  double wall_s_per_attempt = 0;  // seconds
  std::optional<double> turns_per_pass{}, tokens_per_pass{}, wall_s_per_pass{};
};

struct ModelStats {
  std::string name{};
  int attempts = 0;  // slots started (their newest tries)
  int graded = 0;    // slots whose newest try ended passed or failed
  int passed = 0, failed = 0;
  int errored = 0;        // slots whose newest try ended in error
  int unfinished = 0;     // slots whose newest try is still running
  int earlier_tries = 0;  // superseded tries (retried errors, interrupted)
  RateEstimate rate{};
  std::vector<TaskTally> per_task{};  // aligned with results::RunData::tasks
  std::vector<PassK> pass_at_k{}, pass_hat_k{};  // k = 1..RunData::max_epochs
  std::map<results::Termination, int> terminations{};        // graded attempts
  std::map<results::Termination, int> error_terminations{};  // errored slots
  // Replies cut at the per-turn token cap (finish_reason length), in
  // graded attempts, and the graded attempts that had at least one.
  int truncated_turns = 0, truncated_attempts = 0;
  int64_t reasoning_tokens = 0;  // of the graded attempts' completion tokens
  int tool_calls = 0;            // in graded attempts
  std::map<std::string, int> invalid_calls{};  // kind -> count (graded)
  CostStats cost{};

  // Invalid calls of `kind` ("" = all kinds) per 100 tool calls; 0 when
  // there were no calls.
  double InvalidPer100(const std::string& kind = "") const;
};

// Counts keyed by termination name ("unknown" for kNone), for output.
std::map<std::string, int> TerminationCounts(
    const std::map<results::Termination, int>& counts);

// The newest try of each (model, task, epoch) slot: the attempts that count.
std::map<std::tuple<int, int, int>, const results::AttemptData*> NewestTries(
    const results::RunData& data);

// One entry per model of the run, in insertion order.
std::vector<ModelStats> ComputeModelStats(const results::RunData& data);

}  // namespace endstate::report
