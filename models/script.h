// What the builtin models (models/builtins.h) play: a task's reference
// solution or a near miss, as scripted assistant turns. The task loader has
// its own richer type (tasks::SolutionStep, with source positions);
// evaluator/script.h converts, so models/ needs nothing of tasks/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace endstate::models {

// One tool call of a scripted turn.
struct ScriptedCall {
  std::string tool{};          // tool name, e.g. "write_file"
  nlohmann::json arguments{};  // JSON object (null is sent as "{}")
};

// One assistant turn: tool calls, or a final message (`say`, no calls) that
// ends the conversation.
struct ScriptedStep {
  std::vector<ScriptedCall> calls{};
  std::string say{};
};

// The steps a builtin plays for one task. `task_id` seeds builtin:flaky's
// faults, so the same run seed gives the same faults per task.
struct Script {
  std::string task_id{};
  std::vector<ScriptedStep> steps{};
};

}  // namespace endstate::models
