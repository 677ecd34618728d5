#include "models/markup.h"

#include <nlohmann/json.hpp>

namespace endstate::models {
namespace {

// Substrings that only appear when a tool call was printed as text.
constexpr const char* kSpecialTokens[] = {
    "<|tool_call|>",
    "<|tool_calls|>",
    "<|tool_call_begin|>",
    "<|tool_calls_begin|>",
    "<|tool_call_start|>",
    "<|start_tool_call|>",
    "[TOOL_CALLS]",
    "<|python_tag|>",
    "<|action_start|>",
    "\xEF\xBD\x9C"
    "tool\xE2\x96\x81"
    "calls",  // DeepSeek <｜tool▁calls...
    "\xEF\xBD\x9C"
    "tool\xE2\x96\x81"
    "call",  // DeepSeek <｜tool▁call...
    "<tool_call|>",
    "<|tool▁call|>",
};
constexpr const char* kToolCallTags[] = {"<tool_call>", "</tool_call>",
                                         "<tool_calls>", "<toolcall>"};
constexpr const char* kFunctionTags[] = {"<function=", "<function_call>",
                                         "<function_calls>", "<invoke name="};

template <size_t N>
bool ContainsAny(const std::string& s, const char* const (&needles)[N]) {
  for (const char* n : needles) {
    if (s.find(n) != std::string::npos) return true;
  }
  return false;
}

bool IsBareJsonCall(const std::string& content) {
  size_t b = content.find_first_not_of(" \t\r\n");
  if (b == std::string::npos || content[b] != '{') return false;
  nlohmann::json j = nlohmann::json::parse(content, nullptr, false);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) {
    return false;
  }
  return j.contains("arguments") || j.contains("parameters");
}

}  // namespace

std::string DetectLeakedMarkup(const std::string& content) {
  if (ContainsAny(content, kSpecialTokens)) return "special_token";
  if (ContainsAny(content, kToolCallTags)) return "tool_call_tag";
  if (ContainsAny(content, kFunctionTags)) return "function_tag";
  if (IsBareJsonCall(content)) return "bare_json_call";
  return "";
}

}  // namespace endstate::models
