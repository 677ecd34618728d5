// Helpers shared by the builtin clients (see models/builtins.h).
#include <algorithm>
#include <set>

#include "models/builtins.h"
#include "models/openai_wire.h"

namespace endstate::models::builtin {
namespace {

using nlohmann::json;

int64_t EstimateTokens(size_t bytes) {
  return std::max<int64_t>(1, static_cast<int64_t>(bytes / 4));
}

size_t MessageBytes(const Message& m) {
  size_t n = m.content.size() + m.reasoning.size();
  for (const ToolCall& c : m.tool_calls)
    n += c.name.size() + c.arguments.size();
  return n;
}

}  // namespace

uint64_t Fnv1a(const std::string& data, uint64_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int CountPlayedSteps(const CompletionRequest& req) {
  std::set<std::string> offered;
  for (const ToolSchema& t : req.tools) offered.insert(t.name);
  int played = 0;
  for (const Message& m : req.messages) {
    if (m.role != "assistant") continue;
    bool well_formed = std::any_of(
        m.tool_calls.begin(), m.tool_calls.end(), [&](const ToolCall& c) {
          if (!offered.empty() && !offered.count(c.name)) return false;
          return json::parse(c.arguments, nullptr, false).is_object();
        });
    played += well_formed;
  }
  return played;
}

Message StepMessage(const ScriptedStep& step, int n) {
  Message m;
  m.role = "assistant";
  m.content = step.say;
  for (size_t j = 0; j < step.calls.size(); ++j) {
    ToolCall c;
    c.id = "oracle_" + std::to_string(n);
    if (step.calls.size() > 1) c.id += "_" + std::to_string(j);
    c.name = step.calls[j].tool;
    c.arguments = step.calls[j].arguments.is_null()
                      ? "{}"
                      : step.calls[j].arguments.dump();
    m.tool_calls.push_back(std::move(c));
  }
  return m;
}

void Respond(const ModelConfig& config, const CompletionRequest& req,
             Message message, const std::string& finish_reason,
             CompletionResponse* out) {
  const auto start = std::chrono::steady_clock::now();
  *out = CompletionResponse{};
  size_t prompt_bytes = 0;
  for (const Message& m : req.messages) prompt_bytes += MessageBytes(m);
  out->usage.prompt_tokens = EstimateTokens(prompt_bytes);
  out->usage.completion_tokens = EstimateTokens(MessageBytes(message));
  out->raw_request = BuildRequestBody(config, req, false).dump();
  json body = {{"id", "builtin-" + std::to_string(TurnNumber(req))},
               {"object", "chat.completion"},
               {"model", config.model},
               {"choices", json::array({{{"index", 0},
                                         {"message", MessageToJson(message)},
                                         {"finish_reason", finish_reason}}})},
               {"usage",
                {{"prompt_tokens", out->usage.prompt_tokens},
                 {"completion_tokens", out->usage.completion_tokens},
                 {"total_tokens",
                  out->usage.prompt_tokens + out->usage.completion_tokens}}}};
  out->raw_response = body.dump();
  out->message = std::move(message);
  out->finish_reason = finish_reason;
  out->duration_ms = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count();
}

}  // namespace endstate::models::builtin
