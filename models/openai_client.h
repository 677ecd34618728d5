// The OpenAI-compatible chat-completions client (vLLM, llama-server,
// Ollama, SGLang, hosted APIs): POST {base_url}/chat/completions, streaming
// (SSE) or not per ModelConfig::stream, with retries (models/retry.h).
#pragma once

#include "models/client.h"
#include "models/model_config.h"
#include "models/retry.h"

namespace endstate::models {

// Thread-compatible: one instance per attempt (Complete() is not reentrant
// on the same instance, but instances share nothing).
//
// Timing: ttft_ms = first SSE chunk with non-empty `choices` minus request
// start (-1 when not streaming); e2e_ms = the last such chunk, and
// choice_chunks counts them (streaming only); duration_ms = request start to
// the end of the body, of the successful try. Usage is the last `usage` object
// seen on any chunk (fields stay -1 when never sent). llama-server `timings` go
// to server_timings.
//
// Errors (Complete returns false): the endpoint failed after the retries of
// config.retry, e.g. "HTTP 503 after 5 tries: upstream down", "connection
// error after 3 tries: Couldn't connect to server", "HTTP 400: <server
// message>" (not retried), or the API key variable is unset.
class OpenAiClient final : public Client {
 public:
  // `clock` (not owned, nullptr = the system clock) is used between tries.
  explicit OpenAiClient(ModelConfig config, RetryClock* clock = nullptr);

  bool Complete(const CompletionRequest& req, CompletionResponse* out,
                ModelError* err) override;

 private:
  ModelConfig config_;
  RetryClock* clock_;
};

}  // namespace endstate::models
