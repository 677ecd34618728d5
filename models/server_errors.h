// What a server's error says about why a turn could not be completed,
// beyond its HTTP status: the conversation no longer fits the model's
// context (the model's doing: never retried, the attempt is graded), or the
// server's shared capacity overflowed under load (the harness's doing:
// lower the concurrency, then retry). Wire shapes: docs/models.md, "How a
// turn can end"; NOTES.md "Model servers". Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace endstate::models {

enum class ErrorClass {
  kOther,             // any other failure: the retry rules apply
  kContextExhausted,  // a 4xx saying the prompt (plus max_tokens) exceeds
                      // the model's context: llama.cpp
                      // exceed_context_size_error, vLLM / OpenAI "maximum
                      // context length", Ollama "exceeds ... context
                      // length", Anthropic "prompt is too long"
  kServerCapacity,    // llama.cpp's 5xx "Context size has been exceeded."
                      // (HTTP or in-stream), raised when the slots sharing
                      // one KV cache fill it, though the prompt alone fits
  kServerExited,      // the managed server behind the endpoint is gone
                      // (ModelConfig::endpoint_down): never retried
};

// Classifies an error answer: `status` is the HTTP status, or the in-stream
// error's `code` (0 when it has none); `body` is the raw error body or SSE
// data (JSON or not; only its first 64 KiB are looked at).
ErrorClass ClassifyServerError(long status, std::string_view body);

// "context_exhausted" | "server_capacity" | "" (kOther), for messages.
std::string ErrorClassName(ErrorClass c);

}  // namespace endstate::models
