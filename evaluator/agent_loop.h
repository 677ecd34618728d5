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
#include "results/outcome.h"
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

// A reply cut at the per-turn token cap (finish_reason "length") with no
// usable tool call (none, or none whose arguments were valid) is a
// truncated turn: the model is told and the loop goes on; this many in a
// row end the attempt with termination kTruncated (docs/models.md).
inline constexpr int kMaxTruncatedInARow = 3;

// What the model is told after a truncated reply without any tool call.
inline constexpr char kTruncatedNote[] =
    "Your reply was cut off at the per-turn output limit (max_tokens) before "
    "it was complete, and nothing was run. Reply more briefly: call one tool "
    "at a time, or give a short final answer.";

// The error of an attempt ended by a stopped run (termination kCancelled):
// the loop checks util::StopRequested() (util/stop.h) before every turn, and
// a model request cut short by the stop ends the attempt the same way.
inline constexpr char kCancelledError[] =
    "cancelled: the run was stopped (SIGINT or SIGTERM) before this attempt "
    "finished; `endstate run --resume` runs the slot again";

struct LoopResult {
  // Why the loop stopped: agent_stop, max_turns, token_limit, timeout,
  // truncated, empty_reply, refusal, context_exhausted (graded), or
  // model_error, server_capacity, record_error, cancelled (errors).
  results::Termination termination = results::Termination::kNone;
  std::string error;  // model error text
  int turns = 0;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  int64_t reasoning_tokens = 0;  // of completion_tokens (models/reasoning.h)
  int truncated_turns = 0;       // replies with finish_reason "length"
  double model_ms = 0, tool_ms = 0;
  std::vector<models::Message> messages;  // the whole conversation
};

// Called once per finished turn, before the next request; returning false
// stops the loop (recording failed: termination record_error).
using TurnSink = std::function<bool(const results::TurnRecord&)>;

// Where the loop starts when it continues a recorded conversation
// (`endstate replay --from-turn K`) instead of opening a new one.
struct LoopStart {
  // The whole history sent with the first request: system, user, then the
  // recorded assistant and tool messages of turns 0..K-1.
  std::vector<models::Message> messages;
  // Index of the first new turn (K). Turn indexes and max_turns count from
  // the start of the recorded conversation; LoopResult::turns is then the
  // last turn index + 1, while tokens and times cover only the new turns.
  int first_turn = 0;
};

// Runs the loop. `system_prompt` and task.instruction open the conversation,
// unless `start` is given: then start->messages are the history and the
// first turn is start->first_turn. Every turn (including failed model
// calls' raw bodies) goes to `sink`.
LoopResult RunAgentLoop(const tasks::Task& task,
                        const std::string& system_prompt,
                        models::Client& client, const sandbox::World& world,
                        const LoopLimits& limits, const TurnSink& sink,
                        const LoopStart* start = nullptr);

}  // namespace endstate::evaluator
