// The tool-calling loop of one attempt: model <-> tools until the model
// stops or a limit is hit. Malformed calls never end the loop: they are
// returned to the model as tool errors and counted by kind.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/client.h"
#include "results/store.h"
#include "sandbox/world.h"
#include "tasks/task.h"
#include "tools/tool.h"

namespace endstate::evaluator {

struct LoopLimits {
  int max_turns = 40;
  int64_t max_tokens = 400'000;  // prompt + completion, summed over turns
  std::chrono::milliseconds timeout{900'000};  // wall clock
};

struct LoopResult {
  // agent_stop | max_turns | token_limit | timeout | model_error
  std::string termination;
  std::string error;  // model error text
  int turns = 0;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  double model_ms = 0, tool_ms = 0;
  std::vector<models::Message> messages;  // the whole conversation
};

// Called once per finished turn, before the next request; returning false
// stops the loop (recording failed: termination "sandbox_error").
using TurnSink = std::function<bool(const results::TurnRecord&)>;

// Runs the loop. `system_prompt` and task.instruction open the conversation.
// Every turn (including failed model calls' raw bodies) goes to `sink`.
LoopResult RunAgentLoop(const tasks::Task& task,
                        const std::string& system_prompt,
                        models::Client& client, const sandbox::World& world,
                        const LoopLimits& limits, const TurnSink& sink);

}  // namespace endstate::evaluator
