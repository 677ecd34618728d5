#include "evaluator/agent_loop.h"

#include "models/markup.h"
#include "models/reasoning.h"
#include "util/clock.h"
#include "util/format.h"
#include "util/stop.h"

namespace endstate::evaluator {
namespace {

using Clock = std::chrono::steady_clock;

// What the model is told when it wrote a tool call as text.
std::string LeakedMarkupMessage(const std::string& kind) {
  return "Error (leaked_markup): your reply contained tool-call markup as "
         "plain text (" +
         kind +
         "); no tool was run. Call tools through the "
         "tool-calling interface, or reply without markup when you are done.";
}

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// The termination of a turn whose model call failed.
results::Termination FailedCallTermination(const models::ModelError& e) {
  switch (e.error_class) {
    case models::ErrorClass::kContextExhausted:
      return results::Termination::kContextExhausted;
    case models::ErrorClass::kServerCapacity:
      return results::Termination::kServerCapacity;
    case models::ErrorClass::kServerExited:
      return results::Termination::kServerExited;
    case models::ErrorClass::kOther:
      break;
  }
  return results::Termination::kModelError;
}

// How a reply with no tool call (and no leaked markup) ends the loop.
results::Termination FinalReplyTermination(
    const models::CompletionResponse& r) {
  if (r.finish_reason == "refusal" || r.finish_reason == "content_filter") {
    return results::Termination::kRefusal;
  }
  if (r.finish_reason == "model_context_window_exceeded") {
    return results::Termination::kContextExhausted;  // Anthropic
  }
  if (IsBlank(r.message.content)) return results::Termination::kEmptyReply;
  return results::Termination::kAgentStop;
}

}  // namespace

LoopResult RunAgentLoop(const tasks::Task& task,
                        const std::string& system_prompt,
                        models::Client& client, const sandbox::World& world,
                        const LoopLimits& limits, const TurnSink& sink,
                        const LoopStart* start) {
  const tools::Registry& registry = tools::Registry::Default();
  const std::vector<std::string> allowed =
      task.tools.empty() ? registry.Names() : task.tools;
  models::CompletionRequest req;
  req.tools = registry.Schemas(allowed);
  if (start) {
    req.messages = start->messages;
  } else {
    req.messages.push_back({.role = "system", .content = system_prompt});
    req.messages.push_back({.role = "user", .content = task.instruction});
  }

  tools::ToolContext ctx{.world = &world};
  LoopResult result;
  if (start) result.turns = start->first_turn;
  const auto started = Clock::now();
  int truncated_in_a_row = 0;
  using results::Termination;
  for (int turn = start ? start->first_turn : 0;; ++turn) {
    if (util::StopRequested()) {
      result.termination = Termination::kCancelled;
      result.error = kCancelledError;
      break;
    }
    if (turn >= limits.max_turns) {
      result.termination = Termination::kMaxTurns;
      break;
    }
    if (result.prompt_tokens + result.completion_tokens >= limits.max_tokens) {
      result.termination = Termination::kTokenLimit;
      break;
    }
    if (Clock::now() - started >= limits.timeout) {
      result.termination = Termination::kTimeout;
      break;
    }

    models::CompletionResponse resp;
    models::ModelError merr;
    const auto call_start = Clock::now();
    const bool ok = client.Complete(req, &resp, &merr);
    result.model_ms += util::MsSince(call_start);
    if (!ok) {
      // A request cut short by a stop is the stop's doing, not the model's.
      const bool stopped = util::StopRequested();
      result.termination =
          stopped ? Termination::kCancelled : FailedCallTermination(merr);
      result.error = stopped ? kCancelledError : merr.message;
      results::TurnRecord rec;
      rec.index = turn;
      rec.raw_request = merr.raw_request;
      rec.raw_response = merr.raw_response;
      rec.finish_reason = "error";
      rec.content = "";
      rec.retries = merr.tries > 0 ? merr.tries - 1 : 0;
      rec.duration_ms = util::MsSince(call_start);
      sink(rec);  // keep the failed exchange for diagnosis
      break;
    }
    result.turns = turn + 1;
    if (resp.usage.prompt_tokens > 0)
      result.prompt_tokens += resp.usage.prompt_tokens;
    if (resp.usage.completion_tokens > 0) {
      result.completion_tokens += resp.usage.completion_tokens;
    }
    const int64_t reasoning_tokens = models::ReasoningTokens(resp);
    if (reasoning_tokens > 0) result.reasoning_tokens += reasoning_tokens;
    const bool cut = resp.finish_reason == "length";
    if (cut) ++result.truncated_turns;

    results::TurnRecord rec;
    rec.index = turn;
    rec.raw_request = std::move(resp.raw_request);
    rec.raw_response = std::move(resp.raw_response);
    rec.content = resp.message.content;
    rec.reasoning = resp.message.reasoning;
    rec.finish_reason = resp.finish_reason;
    rec.prompt_tokens = resp.usage.prompt_tokens;
    rec.completion_tokens = resp.usage.completion_tokens;
    rec.reasoning_tokens = reasoning_tokens;
    rec.ttft_ms = resp.ttft_ms;
    rec.duration_ms = resp.duration_ms;
    rec.retries = resp.retries;
    rec.leaked_markup = models::DetectLeakedMarkup(resp.message.content);

    resp.message.role = "assistant";
    req.messages.push_back(resp.message);
    Termination stop = Termination::kNone;
    if (resp.message.tool_calls.empty()) {
      if (rec.leaked_markup.empty() && cut) {
        // Cut before it said anything usable: tell the model, go on.
        req.messages.push_back({.role = "user", .content = kTruncatedNote});
      } else if (rec.leaked_markup.empty()) {
        stop = FinalReplyTermination(resp);
      } else {
        // A call written as text: count it, tell the model, go on.
        results::ToolCallRecord call;
        call.name = "";
        call.arguments_raw = resp.message.content.substr(0, 4096);
        call.error_kind =
            tools::CallErrorKindName(tools::CallErrorKind::kLeakedMarkup);
        call.result = LeakedMarkupMessage(rec.leaked_markup);
        call.is_error = true;
        rec.tool_calls.push_back(call);
        req.messages.push_back({.role = "user", .content = call.result});
      }
    }
    int index = 0;
    bool usable_call = false;
    for (const auto& tc : resp.message.tool_calls) {
      tools::CallErrorKind kind = tools::CallErrorKind::kNone;
      const auto tool_start = Clock::now();
      tools::ToolResult tr =
          registry.Call(tc.name, tc.arguments, allowed, ctx, &kind);
      const double ms = util::MsSince(tool_start);
      result.tool_ms += ms;
      results::ToolCallRecord call;
      call.index = index++;
      call.call_id = tc.id;
      call.name = tc.name;
      call.arguments_raw = tc.arguments;
      call.error_kind = kind == tools::CallErrorKind::kNone
                            ? ""
                            : tools::CallErrorKindName(kind);
      call.result = tr.content;
      call.is_error = tr.is_error;
      call.exit_code = tr.exit_code;
      call.duration_ms = ms;
      usable_call = usable_call || kind == tools::CallErrorKind::kNone;
      rec.tool_calls.push_back(call);
      req.messages.push_back({.role = "tool",
                              .content = tr.content,
                              .tool_call_id = tc.id,
                              .name = tc.name,
                              .is_error = tr.is_error});
    }
    if (!sink(rec)) {
      result.termination = Termination::kRecordError;
      result.error =
          "could not record turn " + std::to_string(util::Ordinal(turn));
      break;
    }
    if (stop != Termination::kNone) {
      result.termination = stop;
      break;
    }
    truncated_in_a_row = cut && !usable_call ? truncated_in_a_row + 1 : 0;
    if (truncated_in_a_row >= kMaxTruncatedInARow) {
      result.termination = Termination::kTruncated;
      break;
    }
  }
  result.messages = std::move(req.messages);
  return result;
}

}  // namespace endstate::evaluator
