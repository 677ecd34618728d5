// Plans models x tasks x epochs and runs the attempts on a pool of threads,
// with a global cap and a per-model cap (max_connections), so one slow
// endpoint cannot starve another.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace endstate::evaluator {

struct PlannedAttempt {
  size_t model = 0;  // index into the run's models
  size_t task = 0;   // index into the run's tasks
  int epoch = 0;
};

// Interleaves models so progress on every model shows early: for each
// epoch, for each task, each model.
std::vector<PlannedAttempt> MakePlan(size_t models, size_t tasks, int epochs);

// Longest-processing-time-first: reorders `plan` so that the attempts of the
// tasks with the largest task_cost start first, every epoch of them
// included. Stable: equal costs keep their plan order (epoch, task, model),
// so models stay interleaved. The last wave of a run then holds short
// attempts and fewer slots idle at its end. `task_cost[t]` is task t's
// expected length in any unit (missing = 0).
void OrderLongestFirst(const std::vector<double>& task_cost,
                       std::vector<PlannedAttempt>* plan);

// Runs `work` for every planned attempt, at most `concurrency` at once and at
// most model_caps[model] (0 = unlimited) at once per model. Blocks until all
// are done. `work` must not throw.
void RunScheduled(const std::vector<PlannedAttempt>& plan, int concurrency,
                  const std::vector<int>& model_caps,
                  const std::function<void(const PlannedAttempt&)>& work);

}  // namespace endstate::evaluator
