// The Anthropic Messages wire format: request bodies and the parsing of
// whole and streamed responses (NOTES.md "Anthropic Messages"). No I/O
// here; models/anthropic_client.h does the HTTP.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "models/client.h"
#include "models/model_config.h"
#include "models/sse_parser.h"

namespace endstate::models {

// max_tokens sent when neither config.sampling nor config.extra sets it (the
// API requires the field).
inline constexpr int kAnthropicDefaultMaxTokens = kDefaultMaxTokens;

// The request body:
//  - model; max_tokens (default kAnthropicDefaultMaxTokens);
//  - system: the contents of all system messages joined with "\n\n"
//    (absent when there are none);
//  - messages: user messages as {role:"user", content:"..."}; assistant
//    messages as content blocks, a text block (when the content is not
//    empty) then one {type:"tool_use", id, name, input} per call, where
//    input is the call's raw arguments when they parse as a JSON object,
//    else {} (broken arguments are never sent back); assistant messages
//    with neither text nor calls are left out (the API rejects empty
//    content); consecutive tool messages become ONE user message of
//    {type:"tool_result", tool_use_id, content, is_error} blocks. An
//    assistant message's thinking_blocks (a JSON array) are sent first in
//    its content, verbatim, so extended thinking works with tool use;
//  - tools as [{name, description, input_schema}] + tool_choice {type:auto}
//    when tools are offered; stream;
//  - then config.sampling and config.extra merged in (extra wins), except
//    the OpenAI-only keys the API answers with HTTP 400 (stream_options, n,
//    seed, presence_penalty, frequency_penalty, logprobs, top_logprobs,
//    logit_bias, response_format, parallel_tool_calls, user, min_p,
//    repetition_penalty), which are dropped; max_completion_tokens is sent
//    as max_tokens and stop as stop_sequences.
nlohmann::json BuildAnthropicBody(const ModelConfig& config,
                                  const CompletionRequest& req, bool stream);

// Maps a stop_reason to the provider-neutral finish_reason: tool_use ->
// "tool_calls", end_turn and stop_sequence -> "stop", max_tokens ->
// "length"; anything else is kept as is.
std::string AnthropicFinishReason(const std::string& stop_reason);

// Fills `out` from an Anthropic usage object; fields absent stay as they
// were. prompt_tokens = input_tokens + cache_read_input_tokens +
// cache_creation_input_tokens (the API counts cached input apart from
// input_tokens; the sum keeps prompt_tokens the whole prompt as with
// OpenAI), completion_tokens = output_tokens, cached_tokens =
// cache_read_input_tokens.
void ParseAnthropicUsage(const nlohmann::json& usage, Usage* out);

// The text of an Anthropic error body {"type":"error","error":{"type",
// "message"}} as "TYPE: MESSAGE" (or what ErrorSnippet finds otherwise),
// cut to 300 bytes.
std::string AnthropicErrorText(const std::string& body);

// Parses a non-streamed response body into out->message (text blocks
// concatenated into content, thinking blocks into reasoning and, with
// redacted_thinking blocks, whole into thinking_blocks; tool_use
// blocks into tool calls with arguments = input.dump()), finish_reason and
// usage. Returns false with *err ("response is not JSON: ...", the
// server's error, or "response has no content") when no message can be
// read.
bool ParseAnthropicBody(const std::string& body, int turn,
                        CompletionResponse* out, std::string* err);

// Builds one response from the events of a stream, in order.
class AnthropicStreamAssembler {
 public:
  enum class Event {
    kIgnored,       // ping, unknown events, data that is not JSON
    kContentStart,  // content_block_start already carrying content
    kDelta,         // content_block_delta
    kOther,         // message_start, content_block_stop, message_delta...
    kError,         // an error event; see error()
  };
  Event Add(const SseEvent& e);

  bool stopped() const { return stopped_; }  // message_stop seen
  // A stop_reason was received: the message is whole even if the stream
  // is cut before message_stop.
  bool finished() const { return !stop_reason_.empty(); }
  const std::string& error() const { return error_; }

  // Writes message, finish_reason and usage into *out. Tool-call arguments
  // are the concatenated partial_json of their block ("" -> "{}"); thinking
  // blocks (their thinking_delta text and signature_delta signature) and
  // redacted_thinking blocks (their data) become thinking_blocks, in order.
  void Finish(int turn, CompletionResponse* out) const;

 private:
  struct Block {
    std::string type;  // text | thinking | redacted_thinking | tool_use | ...
    std::string id, name;
    std::string text;         // thinking: its text; redacted_thinking: data
    std::string signature;    // thinking: signature_delta, concatenated
    std::string input_json;   // partial_json fragments, concatenated
    std::string start_input;  // a non-empty input given at block start
  };

  std::string content_, reasoning_, stop_reason_, error_;
  std::map<int64_t, Block> blocks_;  // by the stream's block index
  Usage usage_;
  bool stopped_ = false;
};

}  // namespace endstate::models
