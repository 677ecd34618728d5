// The model-client interface: one chat completion with tools per call.
// Implementations: OpenAI-compatible and Anthropic Messages (streaming and
// not), and the builtins oracle, null, flaky, replay. Factory:
// models/factory.h.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/message.h"
#include "models/server_errors.h"
#include "models/tool_schema.h"

namespace endstate::models {

struct CompletionRequest {
  std::vector<Message> messages;  // system, user, assistant, tool...
  std::vector<ToolSchema> tools;  // offered tools
};

struct CompletionResponse {
  Message message;            // role "assistant"
  std::string finish_reason;  // as reported ("stop", "tool_calls", ...)
  Usage usage;
  double ttft_ms = -1;            // first chunk with non-empty choices; -1 n/a
  double e2e_ms = -1;             // last chunk with non-empty choices; -1 n/a
  int choice_chunks = 0;          // streamed chunks with non-empty choices
  double duration_ms = 0;         // request start to last byte
  std::string raw_request;        // body sent (last try)
  std::string raw_response;       // body received (SSE text when streaming)
  int retries = 0;                // tries that failed before this one
  nlohmann::json server_timings;  // llama.cpp `timings` etc., or null
};

// Why a completion could not be obtained after all retries.
struct ModelError {
  std::string message;   // e.g. "HTTP 503 after 5 tries: upstream down"
  long http_status = 0;  // last status seen, 0 = transport failure
  int tries = 0;
  std::string raw_request, raw_response;  // last try
  // kContextExhausted: the conversation no longer fits (not retried);
  // kServerCapacity: the server's shared capacity overflowed (see
  // models/capacity_gate.h); kServerExited: the managed server died
  // (ModelConfig::endpoint_down); kOther: any other endpoint failure.
  ErrorClass error_class = ErrorClass::kOther;
};

class Client {
 public:
  virtual ~Client() = default;
  // Returns true and fills *out, or false and fills *err when the endpoint
  // failed (after retries). Malformed tool calls are not errors: they are
  // returned raw in out->message for the loop to classify.
  virtual bool Complete(const CompletionRequest& req, CompletionResponse* out,
                        ModelError* err) = 0;
};

}  // namespace endstate::models
