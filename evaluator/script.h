// The bridge from a task to what the builtin models play (models/script.h):
// the models layer knows nothing of tasks/, so the evaluator converts.
#pragma once

#include <vector>

#include "models/script.h"
#include "tasks/task.h"

namespace endstate::evaluator {

// What a builtin plays in an attempt of `task`: `steps` (a near miss) when
// given, else the task's reference solution. Endpoint clients ignore it.
models::Script ScriptFor(
    const tasks::Task& task,
    const std::vector<tasks::SolutionStep>* steps = nullptr);

}  // namespace endstate::evaluator
