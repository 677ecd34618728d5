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

// Per-model set-up and tear-down around its attempts, and exclusive groups
// (managed servers, docs/servers.md "Swap on one box").
struct ModelLifecycle {
  // group[model] > 0: models sharing a group id never overlap: all of one
  // model's attempts, its stop, then the next model's start. 0 (or no
  // entry) = no group.
  std::vector<int> group{};
  // Called once, before the first attempt of a model (only for models with
  // attempts in the plan), on a worker thread, without the scheduler's lock;
  // the model's attempts wait for it. Empty = nothing to do.
  std::function<void(size_t model)> start{};
  // Called once, after the last attempt of a model finished, before its
  // group is free again. Empty = nothing to do.
  std::function<void(size_t model)> stop{};
};

// Runs `work` for every planned attempt, at most `concurrency` at once and at
// most model_caps[model] (0 = unlimited) at once per model, starting and
// stopping models and keeping groups exclusive as `lifecycle` says. Blocks
// until all are done. `work`, `start` and `stop` must not throw.
void RunScheduled(const std::vector<PlannedAttempt>& plan, int concurrency,
                  const std::vector<int>& model_caps,
                  const std::function<void(const PlannedAttempt&)>& work,
                  const ModelLifecycle& lifecycle = {});

}  // namespace endstate::evaluator
