// Recorded assistant turns on the OpenAI chat-completions wire, for
// `endstate serve-replay`: the whole chat.completion body, or the
// chat.completion.chunk objects of a stream in the order vLLM sends them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/client.h"

namespace endstate::evaluator {

struct WireIds {
  std::string id;       // "chatcmpl-..." of the completion
  std::string model;    // echoed in every body
  int64_t created = 0;  // unix seconds
  int turn = 0;         // for synthesized tool-call ids
};

// The finish_reason sent: the recorded one when it is a reason clients
// know (stop, length, tool_calls, content_filter, function_call), else
// "tool_calls" when the turn has tool calls and "stop" otherwise.
std::string WireFinishReason(const models::CompletionResponse& r);

// A chat.completion body: one choice whose message has content (null when
// empty beside tool calls), reasoning_content when recorded, tool_calls with
// the recorded ids (or "call_<turn>_<index>" when none was recorded), names
// and raw arguments as a JSON string exactly as recorded; usage with the
// recorded token counts (0 where not reported).
nlohmann::json CompletionBody(const models::CompletionResponse& r,
                              const WireIds& ids);

// The same turn as stream chunks: a role chunk, reasoning_content, the
// content in pieces, per tool call a chunk with index, id, type and name
// (arguments "") then its arguments in pieces, the finish chunk, then (when
// include_usage) a usage chunk with choices []. Pieces are at most
// `piece_bytes` long and never split a UTF-8 character.
std::vector<nlohmann::json> CompletionChunks(
    const models::CompletionResponse& r, const WireIds& ids, bool include_usage,
    size_t piece_bytes = 16);

// Splits `s` into pieces of at most `n` bytes (n >= 4) at UTF-8 character
// boundaries; "" gives no piece.
std::vector<std::string> Utf8Pieces(const std::string& s, size_t n);

}  // namespace endstate::evaluator
