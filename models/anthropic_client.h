// The Anthropic Messages API client: POST {base_url}/messages with
// x-api-key and anthropic-version headers, streaming (SSE with event names)
// or not per ModelConfig::stream, with retries (models/retry.h). The wire
// format is in models/anthropic_wire.h.
#pragma once

#include "models/client.h"
#include "models/model_config.h"
#include "models/retry.h"

namespace endstate::models {

// The API version sent in every request's anthropic-version header.
inline constexpr char kAnthropicVersion[] = "2023-06-01";

// Thread-compatible: one instance per attempt (Complete() is not reentrant
// on the same instance, but instances share nothing).
//
// Timing (streaming only, else -1 and 0): ttft_ms = request start to the
// first content_block_delta, or the first content_block_start already
// carrying content (a tool_use start, a non-empty text); e2e_ms = the last
// content_block_delta; choice_chunks counts content_block_delta events.
// duration_ms = request start to the end of the body, of the successful
// try. Usage comes from message_start and message_delta (see
// ParseAnthropicUsage); server_timings stays null.
//
// Errors (Complete returns false), after the retries of config.retry:
// transport failures, HTTP 408/429 (Retry-After honoured)/5xx/529, a 200
// body that is not a message, an in-stream error event ("stream error:
// overloaded_error: Overloaded") and a stream cut before message_stop
// without a stop_reason are retried; other 4xx are final, e.g. "HTTP 400:
// invalid_request_error: max_tokens: Field required"; a response over
// config.max_response_bytes is final; config.api_key_env set but the
// variable unset or empty fails before any request.
class AnthropicClient final : public Client {
 public:
  // `clock` (not owned, nullptr = the system clock) is used between tries.
  explicit AnthropicClient(ModelConfig config, RetryClock* clock = nullptr);

  bool Complete(const CompletionRequest& req, CompletionResponse* out,
                ModelError* err) override;

 private:
  ModelConfig config_;
  RetryClock* clock_;
};

}  // namespace endstate::models
