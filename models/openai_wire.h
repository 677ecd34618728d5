// The OpenAI chat-completions wire format: request bodies and the parsing of
// whole and streamed responses, tolerant of server quirks (NOTES.md "Model
// servers"). No I/O here; models/openai_client.h does the HTTP.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "models/client.h"
#include "models/model_config.h"
#include "models/tool_call_accumulator.h"

namespace endstate::models {

// The request body: model, messages (assistant tool calls replayed with
// their raw arguments, or "{}" when those are not a JSON object, which
// vLLM rejects with HTTP 400; content null when empty; tool results as
// {role:"tool", tool_call_id, content}), tools + tool_choice "auto" when
// tools are offered, stream (+ stream_options.include_usage), max_tokens =
// kDefaultMaxTokens unless max_tokens or max_completion_tokens is
// configured, then config.sampling and config.extra merged in (extra wins).
nlohmann::json BuildRequestBody(const ModelConfig& config,
                                const CompletionRequest& req, bool stream);

// One message as sent to the server (see BuildRequestBody).
nlohmann::json MessageToJson(const Message& m);

// The turn number used in synthesized call ids: the number of assistant
// messages already in the conversation.
int TurnNumber(const CompletionRequest& req);

// Parses a non-streamed response body into out->message, finish_reason,
// usage and server_timings. Returns false with *err ("response is not
// JSON", "response has no choices", or the server's error message) when no
// message can be read.
bool ParseCompletionBody(const std::string& body, int turn,
                         CompletionResponse* out, std::string* err);

// Fills `usage` from an OpenAI `usage` object (absent fields stay -1).
void ParseUsage(const nlohmann::json& usage, Usage* out);

// Builds one response from the `data:` payloads of a stream, in order.
class StreamAssembler {
 public:
  enum class Chunk {
    kIgnored,    // not JSON, or nothing usable
    kDone,       // "[DONE]"
    kError,      // an in-stream {"error": ...}; see error()
    kNoChoices,  // usage/timings only (choices null, absent or [])
    kChoices,    // carried a non-empty choices array
  };
  Chunk Add(const std::string& data);

  bool done() const { return done_; }  // "[DONE]" seen
  bool finished() const { return !finish_reason_.empty(); }
  bool any_choice() const { return any_choice_; }
  const std::string& error() const { return error_; }
  // The raw payload of the last in-stream error and its `code` (0 = none).
  const std::string& error_data() const { return error_data_; }
  long error_code() const { return error_code_; }

  // Writes message, finish_reason, usage, server_timings into *out.
  void Finish(int turn, CompletionResponse* out) const;

 private:
  std::string content_, reasoning_, refusal_, finish_reason_, error_,
      error_data_;
  long error_code_ = 0;
  ToolCallAccumulator calls_;
  Usage usage_;
  nlohmann::json timings_;
  bool done_ = false, any_choice_ = false;
};

// The server's error text from a JSON error body ({"error":{"message"}},
// {"error":"..."}, {"message":...}), else the body itself; trimmed and cut
// to 300 bytes.
std::string ErrorSnippet(const std::string& body);

}  // namespace endstate::models
