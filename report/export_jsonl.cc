#include "report/export_jsonl.h"

#include "util/format.h"

namespace endstate::report {

using nlohmann::json;

nlohmann::json OpenAiChatRecord(const results::Transcript& t,
                                const results::ExportRunInfo& run) {
  const results::FirstRequest first = results::ReadFirstRequest(t);
  json messages = json::array();
  if (!first.system.empty()) {
    messages.push_back({{"role", "system"}, {"content", first.system}});
  }
  messages.push_back({{"role", "user"}, {"content", first.user}});
  for (const results::TurnRecord& turn : t.turns) {
    json m = {{"role", "assistant"}};
    if (turn.tool_calls.empty()) {
      m["content"] = turn.content;
    } else {
      // OpenAI's shape: content null beside tool calls unless there is text.
      m["content"] = turn.content.empty() ? json(nullptr) : json(turn.content);
      json calls = json::array();
      for (const results::ToolCallRecord& c : turn.tool_calls) {
        calls.push_back(
            {{"id", c.call_id},
             {"type", "function"},
             {"function", {{"name", c.name}, {"arguments", c.arguments_raw}}}});
      }
      m["tool_calls"] = calls;
    }
    if (!turn.reasoning.empty()) m["reasoning_content"] = turn.reasoning;
    messages.push_back(m);
    for (const results::ToolCallRecord& c : turn.tool_calls) {
      messages.push_back({{"role", "tool"},
                          {"tool_call_id", c.call_id},
                          {"content", c.result}});
    }
  }
  json checks = json::array();
  for (const results::CheckRecord& c : t.checks) {
    checks.push_back(
        {{"kind", c.kind},
         {"verdict", c.verdict},
         {"detail", c.detail},
         {"spec", json::parse(c.spec_json, nullptr, false).is_discarded()
                      ? json(c.spec_json)
                      : json::parse(c.spec_json)}});
  }
  const results::AttemptHeader& a = t.attempt;
  json model = nullptr;
  if (auto it = run.models.find(a.model); it != run.models.end()) {
    model = {{"provider", it->second.provider},
             {"base_url", it->second.base_url},
             {"model", it->second.model}};
  }
  return {{"messages", messages},
          {"tools", first.tools},
          {"metadata",
           {{"source", "endstate"},
            {"attempt_id", a.id},
            {"run_id", a.run_id},
            {"task", a.task},
            {"task_title", a.task_title},
            {"model", a.model},
            {"endpoint", model},
            {"epoch", util::Ordinal(a.epoch)},
            {"try", a.try_number},
            {"outcome", a.outcome.empty() ? json(nullptr) : json(a.outcome)},
            {"termination",
             a.termination.empty() ? json(nullptr) : json(a.termination)},
            {"error", a.error.empty() ? json(nullptr) : json(a.error)},
            {"turns", a.turns},
            {"prompt_tokens", a.prompt_tokens},
            {"completion_tokens", a.completion_tokens},
            {"wall_ms", a.wall_ms},
            {"checks", checks},
            {"run_labels", run.labels},
            {"run_note", run.note},
            {"endstate_version", run.version}}}};
}

}  // namespace endstate::report
