// Detection of tool-call markup leaked into assistant `content` when a
// server's tool parser failed (vLLM #39056, llama.cpp #15012, Ollama
// #14834...). The agent loop treats a hit as a malformed call
// (tools::CallErrorKind::kLeakedMarkup) and continues.
#pragma once

#include <string>

namespace endstate::models {

// Returns "" when `content` holds no tool-call markup, else a stable short
// name of the first kind found:
//   "special_token"  <|tool_call|>, <|tool_calls_begin|>, [TOOL_CALLS],
//                    <|python_tag|>, DeepSeek's <｜tool▁calls▁begin｜> ...
//   "tool_call_tag"  <tool_call> ... (Hermes / Qwen)
//   "function_tag"   <function=NAME> (Qwen3-Coder), <function_call>,
//                    <invoke name=
//   "bare_json_call" the whole content is {"name": ..., "arguments": ...}
std::string DetectLeakedMarkup(const std::string& content);

}  // namespace endstate::models
