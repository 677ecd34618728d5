// One attempt end to end: fresh world, model client, agent loop, grading,
// record, teardown. The unit the scheduler runs and `tasks check` reuses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/config.h"
#include "graders/grader.h"
#include "models/capacity_gate.h"
#include "models/model_config.h"
#include "results/store.h"
#include "sandbox/world.h"
#include "tasks/task.h"

namespace endstate::evaluator {

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
  // The model's request gate for this run (lowered when the server's shared
  // capacity overflows); nullptr = requests are not gated.
  models::CapacityGate* gate = nullptr;
};

struct AttemptReport {
  int64_t attempt_id = -1;
  results::AttemptOutcome outcome;
  graders::Grade grade;
  std::string world_dir;  // kept only with --keep-worlds
};

// The attempt outcome of an overall grade verdict.
results::Outcome GradeOutcome(graders::Verdict v);

// Runs one attempt. Never throws; infrastructure failures give outcome
// kError with the reason in outcome.error. Terminations the model caused
// (results/outcome.h) are graded.
AttemptReport RunAttempt(const AttemptSpec& spec, const Config& config,
                         const sandbox::WorldOptions& world_options);

}  // namespace endstate::evaluator
