#include "evaluator/agent_loop.h"

#include "models/markup.h"
#include "util/clock.h"

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
  for (int turn = start ? start->first_turn : 0;; ++turn) {
    if (turn >= limits.max_turns) {
      result.termination = "max_turns";
      break;
    }
    if (result.prompt_tokens + result.completion_tokens >= limits.max_tokens) {
      result.termination = "token_limit";
      break;
    }
    if (Clock::now() - started >= limits.timeout) {
      result.termination = "timeout";
      break;
    }

    models::CompletionResponse resp;
    models::ModelError merr;
    const auto call_start = Clock::now();
    const bool ok = client.Complete(req, &resp, &merr);
    result.model_ms += util::MsSince(call_start);
    if (!ok) {
      result.termination =
          merr.termination.empty() ? "model_error" : merr.termination;
      result.error = merr.message;
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

    results::TurnRecord rec;
    rec.index = turn;
    rec.raw_request = std::move(resp.raw_request);
    rec.raw_response = std::move(resp.raw_response);
    rec.content = resp.message.content;
    rec.reasoning = resp.message.reasoning;
    rec.finish_reason = resp.finish_reason;
    rec.prompt_tokens = resp.usage.prompt_tokens;
    rec.completion_tokens = resp.usage.completion_tokens;
    rec.ttft_ms = resp.ttft_ms;
    rec.duration_ms = resp.duration_ms;
    rec.retries = resp.retries;
    rec.leaked_markup = models::DetectLeakedMarkup(resp.message.content);

    resp.message.role = "assistant";
    req.messages.push_back(resp.message);
    bool stop = false;
    if (resp.message.tool_calls.empty()) {
      if (rec.leaked_markup.empty()) {
        stop = true;
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
      rec.tool_calls.push_back(call);
      req.messages.push_back({.role = "tool",
                              .content = tr.content,
                              .tool_call_id = tc.id,
                              .name = tc.name,
                              .is_error = tr.is_error});
    }
    if (!sink(rec)) {
      result.termination = "sandbox_error";
      result.error = "could not record turn " + std::to_string(turn);
      break;
    }
    if (stop) {
      result.termination = "agent_stop";
      break;
    }
  }
  result.messages = std::move(req.messages);
  return result;
}

}  // namespace endstate::evaluator
