#include "evaluator/replay_wire.h"

#include <algorithm>

namespace endstate::evaluator {
namespace {

using nlohmann::json;

std::string CallId(const models::ToolCall& c, const WireIds& ids, size_t i) {
  if (!c.id.empty()) return c.id;
  return "call_" + std::to_string(ids.turn) + "_" + std::to_string(i);
}

json Usage(const models::CompletionResponse& r) {
  int64_t p = std::max<int64_t>(r.usage.prompt_tokens, 0);
  int64_t c = std::max<int64_t>(r.usage.completion_tokens, 0);
  return {
      {"prompt_tokens", p}, {"completion_tokens", c}, {"total_tokens", p + c}};
}

json Chunk(const WireIds& ids, json delta, const json& finish = nullptr) {
  return {{"id", ids.id},
          {"object", "chat.completion.chunk"},
          {"created", ids.created},
          {"model", ids.model},
          {"choices", json::array({{{"index", 0},
                                    {"delta", std::move(delta)},
                                    {"logprobs", nullptr},
                                    {"finish_reason", finish}}})}};
}

}  // namespace

std::vector<std::string> Utf8Pieces(const std::string& s, size_t n) {
  n = std::max<size_t>(n, 4);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = std::min(s.size(), i + n);
    // Back up over continuation bytes (10xxxxxx) so no character is cut.
    while (end < s.size() && end > i + 1 &&
           (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) {
      --end;
    }
    out.push_back(s.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string WireFinishReason(const models::CompletionResponse& r) {
  static const char* kKnown[] = {"stop", "length", "tool_calls",
                                 "content_filter", "function_call"};
  for (const char* k : kKnown) {
    if (r.finish_reason == k) return k;
  }
  return r.message.tool_calls.empty() ? "stop" : "tool_calls";
}

json CompletionBody(const models::CompletionResponse& r, const WireIds& ids) {
  const models::Message& m = r.message;
  json message = {{"role", "assistant"},
                  {"content", m.content.empty() && !m.tool_calls.empty()
                                  ? json(nullptr)
                                  : json(m.content)}};
  if (!m.reasoning.empty()) message["reasoning_content"] = m.reasoning;
  if (!m.tool_calls.empty()) {
    json calls = json::array();
    for (size_t i = 0; i < m.tool_calls.size(); ++i) {
      const models::ToolCall& c = m.tool_calls[i];
      calls.push_back(
          {{"id", CallId(c, ids, i)},
           {"type", "function"},
           {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    }
    message["tool_calls"] = std::move(calls);
  }
  return {{"id", ids.id},
          {"object", "chat.completion"},
          {"created", ids.created},
          {"model", ids.model},
          {"choices", json::array({{{"index", 0},
                                    {"message", std::move(message)},
                                    {"logprobs", nullptr},
                                    {"finish_reason", WireFinishReason(r)}}})},
          {"usage", Usage(r)}};
}

std::vector<json> CompletionChunks(const models::CompletionResponse& r,
                                   const WireIds& ids, bool include_usage,
                                   size_t piece_bytes) {
  const models::Message& m = r.message;
  std::vector<json> out;
  out.push_back(Chunk(ids, {{"role", "assistant"}, {"content", ""}}));
  for (const auto& p : Utf8Pieces(m.reasoning, piece_bytes))
    out.push_back(Chunk(ids, {{"reasoning_content", p}}));
  for (const auto& p : Utf8Pieces(m.content, piece_bytes))
    out.push_back(Chunk(ids, {{"content", p}}));
  for (size_t i = 0; i < m.tool_calls.size(); ++i) {
    const models::ToolCall& c = m.tool_calls[i];
    out.push_back(Chunk(
        ids, {{"tool_calls",
               json::array(
                   {{{"index", i},
                     {"id", CallId(c, ids, i)},
                     {"type", "function"},
                     {"function", {{"name", c.name}, {"arguments", ""}}}}})}}));
    for (const auto& p : Utf8Pieces(c.arguments, piece_bytes)) {
      out.push_back(Chunk(
          ids,
          {{"tool_calls",
            json::array({{{"index", i}, {"function", {{"arguments", p}}}}})}}));
    }
  }
  out.push_back(Chunk(ids, json::object(), WireFinishReason(r)));
  if (include_usage) {
    out.push_back({{"id", ids.id},
                   {"object", "chat.completion.chunk"},
                   {"created", ids.created},
                   {"model", ids.model},
                   {"choices", json::array()},
                   {"usage", Usage(r)}});
  }
  return out;
}

}  // namespace endstate::evaluator
