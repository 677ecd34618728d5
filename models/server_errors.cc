#include "models/server_errors.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace endstate::models {
namespace {

constexpr size_t kMaxLookedAt = 64 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s.substr(0, kMaxLookedAt));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

bool Has(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

// The `type` / `code` fields of {"error":{...}} (OpenAI, llama.cpp, vLLM)
// or {"type":"error","error":{"type":...}} (Anthropic), lower-cased.
std::string ErrorTypes(std::string_view body) {
  nlohmann::json j =
      nlohmann::json::parse(body.substr(0, kMaxLookedAt), nullptr, false);
  if (!j.is_object()) return "";
  std::string out;
  const nlohmann::json* e = &j;
  if (auto it = j.find("error"); it != j.end() && it->is_object()) e = &*it;
  for (const char* key : {"type", "code"}) {
    if (auto it = e->find(key); it != e->end() && it->is_string()) {
      out += Lower(it->get<std::string>()) + " ";
    }
  }
  return out;
}

}  // namespace

ErrorClass ClassifyServerError(long status, std::string_view body) {
  const std::string text = Lower(body);
  const std::string types = ErrorTypes(body);
  if (status >= 500 || status == 0) {
    // llama.cpp: the unified KV cache of all slots is full.
    if (Has(text, "context size has been exceeded")) {
      return ErrorClass::kServerCapacity;
    }
    return ErrorClass::kOther;
  }
  if (status < 400) return ErrorClass::kOther;
  if (Has(types, "exceed_context_size_error") ||
      Has(types, "context_length_exceeded") ||
      Has(text, "maximum context length") ||
      Has(text, "exceeds the available context size") ||
      Has(text, "context length exceeded") ||
      Has(text, "exceeds the context length") ||
      Has(text, "exceeds maximum context length") ||
      Has(text, "input length exceeds") || Has(text, "prompt is too long") ||
      Has(text, "context window")) {
    return ErrorClass::kContextExhausted;
  }
  return ErrorClass::kOther;
}

std::string ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kContextExhausted:
      return "context_exhausted";
    case ErrorClass::kServerCapacity:
      return "server_capacity";
    case ErrorClass::kServerExited:
      return "server_exited";
    case ErrorClass::kOther:
      break;
  }
  return "";
}

}  // namespace endstate::models
