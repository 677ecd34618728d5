// Conversation values exchanged with every model client (provider-neutral).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace endstate::models {

struct ToolCall {
  std::string id{};  // as sent by the server, or synthesized "call_N"
  std::string name{};
  std::string arguments{};  // raw text exactly as received (object
                            // arguments are serialized with dump())
};

struct Message {
  std::string role{};  // "system" | "user" | "assistant" | "tool"
  std::string content{};
  std::string reasoning{};             // assistant only; never parsed
  std::vector<ToolCall> tool_calls{};  // assistant only
  std::string tool_call_id{};          // tool only
  std::string name{};                  // tool only: the tool's name
  bool is_error = false;               // tool only: the result is an error
  // Assistant only: the provider's signed reasoning blocks, a JSON array
  // sent back verbatim before the text and calls on later requests
  // (Anthropic `thinking` with its `signature`, `redacted_thinking` with its
  // `data`: the API rejects a tool-use turn replayed without them). Empty
  // for every other provider.
  std::string thinking_blocks{};
};

struct Usage {
  int64_t prompt_tokens = -1;  // -1 = not reported
  int64_t completion_tokens = -1;
  int64_t cached_tokens = -1;
  // Of completion_tokens, those spent reasoning, when the server says
  // (completion_tokens_details.reasoning_tokens); -1 = not reported.
  int64_t reasoning_tokens = -1;
};

}  // namespace endstate::models
