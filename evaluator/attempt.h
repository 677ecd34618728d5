// One attempt end to end: fresh world, model client, agent loop, grading,
// record, teardown. The one lifecycle behind `run`, `run --resume`,
// `--retry-errors`, `tasks check` and `replay --from-turn` (docs/
// architecture.md, "The life of an attempt").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "evaluator/agent_loop.h"
#include "evaluator/config.h"
#include "graders/grader.h"
#include "models/capacity_gate.h"
#include "models/model_config.h"
#include "results/store.h"
#include "results/transcript.h"
#include "sandbox/world.h"
#include "tasks/task.h"

namespace endstate::evaluator {

// A recorded conversation that the attempt continues from turn `from_turn`
// (`endstate replay --from-turn K`) instead of opening a new one.
struct Continuation {
  const results::Transcript* transcript = nullptr;  // the recorded attempt
  int from_turn = 0;                                // K
  // Called with the fresh world before the loop, to rebuild the end state
  // of turns 0..K-1 (evaluator/replay.h ReexecuteToolCalls). Optional.
  std::function<void(const sandbox::World&)> prepare_world;
};

struct AttemptSpec {
  const tasks::Task* task = nullptr;
  const models::ModelConfig* model = nullptr;
  int epoch = 0;
  uint64_t seed = 0;
  // Steps the builtin oracle plays instead of task->solution (near misses).
  const std::vector<tasks::SolutionStep>* steps = nullptr;
  // Where to record; store == nullptr records nothing.
  results::Store* store = nullptr;
  int64_t run_id = -1, model_id = -1, task_id = -1;
  // > 0: record this attempt as a new try of that attempt
  // (Store::BeginRetry: same slot, try + 1) instead of a first try.
  int64_t parent_attempt_id = 0;
  // Continue a recorded conversation. The new attempt is a first try in
  // run_id whose parent is the recorded attempt; the recorded turns before
  // K are copied into it (so it reads and replays on its own) and their
  // tokens count in its totals.
  const Continuation* continuation = nullptr;
  // The model's request gate for this run (lowered when the server's shared
  // capacity overflows); nullptr = requests are not gated.
  models::CapacityGate* gate = nullptr;
};

struct AttemptReport {
  int64_t attempt_id = -1;
  results::AttemptOutcome outcome;
  graders::Grade grade;
  std::vector<results::CheckRecord> checks;  // the grade as recorded
  std::string world_dir;  // kept only with WorldOptions::keep
  // The record could not be written (begin, a turn, the checks or the
  // finish): the caller stops the run (exit 3, docs/cli.md).
  bool record_failed = false;
};

// The attempt outcome of an overall grade verdict.
results::Outcome GradeOutcome(graders::Verdict v);

// Runs one attempt. Never throws; infrastructure failures give outcome
// kError with the reason in outcome.error; terminations the model caused
// (results/outcome.h) are graded. When the record cannot be written, the
// outcome is kError (termination kRecordError) with error "cannot record
// ...: <why>" and record_failed is set.
AttemptReport RunAttempt(const AttemptSpec& spec, const Config& config,
                         const sandbox::WorldOptions& world_options);

// Records an attempt that cannot run (its model's managed server is not
// usable, evaluator/server_fleet.h): outcome kError with `termination` and
// `error`, begun and finished as RunAttempt does.
AttemptReport RecordUnrunAttempt(const AttemptSpec& spec,
                                 results::Termination termination,
                                 const std::string& error);

// The task's limits, capped by the config's run.limits.
LoopLimits EffectiveLimits(const tasks::Task& task, const Config& config);

// A grade as rows of the `checks` table (spec_json from task.checks).
std::vector<results::CheckRecord> CheckRecords(const tasks::Task& task,
                                               const graders::Grade& grade);

}  // namespace endstate::evaluator
