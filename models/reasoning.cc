#include "models/reasoning.h"

#include <cmath>
#include <string_view>

namespace endstate::models {
namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

size_t SkipSpace(const std::string& s, size_t from) {
  size_t p = s.find_first_not_of(" \t\r\n", from);
  return p == std::string::npos ? s.size() : p;
}

void AppendReasoning(Message* m, std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e &&
         std::string_view(" \t\r\n").find(text[b]) != std::string_view::npos) {
    ++b;
  }
  while (e > b && std::string_view(" \t\r\n").find(text[e - 1]) !=
                      std::string_view::npos) {
    --e;
  }
  if (b == e) return;
  if (!m->reasoning.empty()) m->reasoning += '\n';
  m->reasoning.append(text.substr(b, e - b));
}

}  // namespace

void SplitThinkTags(Message* m) {
  const std::string& c = m->content;
  size_t start = SkipSpace(c, 0);
  const bool opened = c.compare(start, kOpen.size(), kOpen) == 0;
  size_t close = c.find(kClose);
  if (close != std::string::npos) {
    size_t from = opened ? start + kOpen.size() : 0;
    if (from > close) from = close;
    std::string_view text(c.data() + from, close - from);
    std::string answer = c.substr(SkipSpace(c, close + kClose.size()));
    AppendReasoning(m, text);
    m->content = std::move(answer);
    return;
  }
  if (opened) {
    AppendReasoning(m, std::string_view(c).substr(start + kOpen.size()));
    m->content.clear();
  }
}

int64_t ReasoningTokens(const CompletionResponse& r) {
  if (r.usage.reasoning_tokens >= 0) return r.usage.reasoning_tokens;
  if (r.message.reasoning.empty()) return 0;
  if (r.usage.completion_tokens < 0) return -1;
  double reasoning = static_cast<double>(r.message.reasoning.size());
  double total = reasoning + static_cast<double>(r.message.content.size());
  for (const ToolCall& c : r.message.tool_calls) {
    total += static_cast<double>(c.arguments.size() + c.name.size());
  }
  return static_cast<int64_t>(std::llround(
      static_cast<double>(r.usage.completion_tokens) * reasoning / total));
}

}  // namespace endstate::models
