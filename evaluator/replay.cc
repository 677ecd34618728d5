#include "evaluator/replay.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tools/tool.h"

namespace endstate::evaluator {
namespace {

bool IsLeakedMarkup(const results::ToolCallRecord& c) {
  return c.error_kind ==
         tools::CallErrorKindName(tools::CallErrorKind::kLeakedMarkup);
}

size_t FirstDifference(const std::string& a, const std::string& b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

std::string Around(const std::string& text, size_t offset, size_t context) {
  size_t from = offset > context ? offset - context : 0;
  size_t to = std::min(text.size(), offset + context);
  std::string cut = text.substr(from, to - from);
  std::string quoted = nlohmann::json(cut).dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Mark the ends that were cut off.
  if (from > 0) quoted.insert(1, "...");
  if (to < text.size()) quoted.insert(quoted.size() - 1, "...");
  return quoted;
}

models::Message TextMessage(const char* role, const std::string& content) {
  models::Message m;
  m.role = role;
  m.content = content;
  return m;
}

}  // namespace

ReexecutionReport ReexecuteToolCalls(const results::Transcript& t,
                                     const tasks::Task& task,
                                     const sandbox::World& world,
                                     int until_turn) {
  const tools::Registry& registry = tools::Registry::Default();
  const std::vector<std::string> allowed =
      task.tools.empty() ? registry.Names() : task.tools;
  tools::ToolContext ctx{.world = &world};
  ReexecutionReport report;
  for (const auto& turn : t.turns) {
    if (until_turn >= 0 && turn.index >= until_turn) break;
    ++report.turns;
    for (const auto& call : turn.tool_calls) {
      if (IsLeakedMarkup(call)) {
        ++report.skipped;
        continue;
      }
      tools::CallErrorKind kind = tools::CallErrorKind::kNone;
      tools::ToolResult r =
          registry.Call(call.name, call.arguments_raw, allowed, ctx, &kind);
      ++report.executed;
      if (r.content == call.result && r.is_error == call.is_error) continue;
      ++report.differing;
      if (report.first) continue;
      report.first =
          Divergence{.turn = turn.index,
                     .call = call.index,
                     .tool = call.name,
                     .offset = FirstDifference(call.result, r.content),
                     .recorded = call.result,
                     .replayed = r.content,
                     .recorded_error = call.is_error,
                     .replayed_error = r.is_error};
    }
  }
  return report;
}

std::string RenderDivergence(const Divergence& d, size_t context) {
  std::string out = "  recorded: " + Around(d.recorded, d.offset, context);
  if (d.recorded_error) out += " (error)";
  out += "\n  replayed: " + Around(d.replayed, d.offset, context);
  if (d.replayed_error) out += " (error)";
  return out + "\n";
}

std::vector<models::Message> RecordedHistory(
    const results::Transcript& t, int until_turn,
    const std::string& fallback_system,
    const std::string& fallback_instruction) {
  std::string system = results::RecordedSystemPrompt(t);
  std::string instruction = results::RecordedInstruction(t);
  std::vector<models::Message> messages;
  messages.push_back(
      TextMessage("system", system.empty() ? fallback_system : system));
  messages.push_back(TextMessage(
      "user", instruction.empty() ? fallback_instruction : instruction));
  for (const auto& turn : t.turns) {
    if (turn.index >= until_turn) break;
    if (turn.finish_reason == "error") continue;
    models::Message assistant = TextMessage("assistant", turn.content);
    assistant.reasoning = turn.reasoning;
    std::vector<models::Message> after;
    for (const auto& call : turn.tool_calls) {
      if (IsLeakedMarkup(call)) {
        after.push_back(TextMessage("user", call.result));
        continue;
      }
      assistant.tool_calls.push_back({.id = call.call_id,
                                      .name = call.name,
                                      .arguments = call.arguments_raw});
      models::Message tool = TextMessage("tool", call.result);
      tool.tool_call_id = call.call_id;
      tool.name = call.name;
      tool.is_error = call.is_error;
      after.push_back(std::move(tool));
    }
    messages.push_back(std::move(assistant));
    for (auto& m : after) messages.push_back(std::move(m));
  }
  return messages;
}

std::vector<models::CompletionResponse> RecordedResponses(
    const results::Transcript& transcript) {
  std::vector<models::CompletionResponse> out;
  for (const results::TurnRecord& turn : transcript.turns) {
    if (turn.finish_reason == "error") continue;
    models::CompletionResponse r;
    r.message.role = "assistant";
    r.message.content = turn.content;
    r.message.reasoning = turn.reasoning;
    for (const results::ToolCallRecord& call : turn.tool_calls) {
      if (IsLeakedMarkup(call)) continue;
      r.message.tool_calls.push_back({.id = call.call_id,
                                      .name = call.name,
                                      .arguments = call.arguments_raw});
    }
    r.finish_reason = turn.finish_reason;
    r.usage.prompt_tokens = turn.prompt_tokens;
    r.usage.completion_tokens = turn.completion_tokens;
    r.ttft_ms = turn.ttft_ms;
    r.duration_ms = turn.duration_ms;
    r.raw_response = turn.raw_response;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace endstate::evaluator
