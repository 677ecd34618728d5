#include "evaluator/script.h"

namespace endstate::evaluator {

models::Script ScriptFor(const tasks::Task& task,
                         const std::vector<tasks::SolutionStep>* steps) {
  models::Script script{.task_id = task.id};
  for (const tasks::SolutionStep& step : steps ? *steps : task.solution) {
    models::ScriptedStep s{.say = step.say};
    for (const tasks::ToolCallSpec& call : step.calls)
      s.calls.push_back({.tool = call.tool, .arguments = call.arguments});
    script.steps.push_back(std::move(s));
  }
  return script;
}

}  // namespace endstate::evaluator
