// `endstate run --resume RUN_ID` and `--retry-errors N`: which (model, task,
// epoch) slots of a run still need a try, and the run rebuilt from its
// record so that those slots run exactly as the rest did
// (docs/cli.md "Resuming a run").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/config.h"
#include "evaluator/scheduler.h"
#include "evaluator/shard.h"
#include "models/model_config.h"
#include "results/store.h"
#include "tasks/task.h"

namespace endstate::evaluator {

// One slot to run: a first try, or a new try continuing an earlier one.
struct SlotWork {
  PlannedAttempt slot;
  int64_t parent_attempt_id = 0;  // 0 = first try of the slot
  int error_tries = 0;  // tries of the slot that ended in error so far
                        // (not counting interrupted ones)
};

// A failed try is retried while the slot's error tries <= retry_errors, so
// each slot gets at most `retry_errors` retries after errors in total, over
// the first run and every resume.
inline bool ShouldRetry(int error_tries, int retry_errors) {
  return error_tries <= retry_errors;
}

// Tries of one slot interrupted (the harness died during them) after which
// --resume gives the slot up instead of running it again. Tries cancelled
// by a stopped run (termination kCancelled: Ctrl-C, SIGTERM) never count.
inline constexpr int kMaxInterruptedTries = 2;

struct ResumePlan {
  std::vector<SlotWork> work;    // in plan order
  std::vector<int64_t> abandon;  // attempts still "running": mark first
  // Attempts still "running" whose slot is given up (kMaxInterruptedTries):
  // marked with kInterruptedTwiceError, not run again.
  std::vector<int64_t> abandon_for_good;
  int given_up = 0;     // slots interrupted kMaxInterruptedTries times
  int kept = 0;         // slots whose latest try finished; left as they are
  int interrupted = 0;  // slots whose latest try never finished, or was
                        // cancelled by a stopped run: run again
  int retried = 0;      // slots whose latest try is an error to retry
  int missing = 0;      // slots never started
};

// Pure planning: `plan` indexes `model_names` and `task_ids`; `rows` are the
// run's attempts ordered by id (Store::ListAttempts), so the last row of a
// slot is its latest try. Rows of slots outside the plan are ignored.
ResumePlan PlanResume(const std::vector<PlannedAttempt>& plan,
                      const std::vector<std::string>& model_names,
                      const std::vector<std::string>& task_ids,
                      const std::vector<results::Store::AttemptRow>& rows,
                      int retry_errors);

// Everything `run` executes, fresh or resumed.
struct RunContext {
  Config config;
  std::vector<models::ModelConfig> models;
  std::vector<tasks::Task> suite;
  std::string tasks_dir;  // as recorded ("" = bundled suite)
  int64_t run_id = -1;
  std::vector<int64_t> model_ids, task_ids;  // row ids, parallel to the above
  std::vector<SlotWork> work;
  ShardSpec shard;  // the slice of the plan this run covers (--shard)
};

struct ResumeOptions {
  int64_t run_id = 0;
  std::string config_path;  // "" = none; supplies connection settings
  std::string tasks_dir;    // "" = the recorded one
  int concurrency = 0;      // 0 = the recorded one
  int retry_errors = 0;
};

// Rebuilds run `o.run_id` from `store`: its models and run settings from the
// recorded state, its tasks (each must still have the recorded content
// hash), then plans the missing slots of its shard (config_json "shard";
// the whole plan when absent). Only when everything checks out, marks
// the attempts left running as interrupted and reopens the run. Returns
// false and sets *err (a message for the user, without the "endstate run: "
// prefix) otherwise; the database is then unchanged.
bool PrepareResume(results::Store& store, const ResumeOptions& o,
                   RunContext* ctx, ResumePlan* plan, std::string* err);

// The error text stored on the last try of a slot given up after
// kMaxInterruptedTries interrupted tries (outcome error, termination
// interrupted).
inline constexpr char kInterruptedTwiceError[] =
    "interrupted twice: the harness died during two tries of this slot; "
    "`endstate run --resume` does not run it again";

// The error text stored on an attempt abandoned by resume.
inline constexpr char kInterruptedError[] =
    "interrupted: the run stopped before this attempt finished; "
    "`endstate run --resume` ran the slot again";

}  // namespace endstate::evaluator
