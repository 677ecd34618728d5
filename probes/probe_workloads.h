// The prompts of the speed probe (evaluator/probe.h, docs/probes.md
// "Speed"). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace endstate::probes {

// Decode workload: asks for a merge sort in C++ with detailed comments and a
// small test driver, which models answer with several hundred tokens of
// steady generation (the probe caps it with max_tokens).
const std::string& DecodePrompt();

// Prefill workload: a prompt of about `approx_tokens` tokens (English words
// from a fixed list, about one token each; the server's usage gives the
// exact count) whose FIRST line is unique to (`nonce`, `rep`), so no prefix
// cache (vLLM automatic prefix caching, llama.cpp cache_prompt) can reuse
// an earlier repetition's prefill. It ends asking for a one-word reply.
// The same (nonce, rep, approx_tokens) always gives the same text.
std::string PrefillPrompt(int approx_tokens, uint64_t nonce, int rep);

}  // namespace endstate::probes
