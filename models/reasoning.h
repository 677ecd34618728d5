// Reasoning ("thinking") text that servers without a reasoning parser leave
// in `content` as <think>...</think>, and the reasoning share of a reply's
// tokens. Reasoning is recorded apart from the answer and never sent back
// to an OpenAI-compatible server (models/openai_wire.h replays content
// only). Pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "models/client.h"

namespace endstate::models {

// Moves reasoning out of m->content into m->reasoning (appended after any
// reasoning the server already split off, separated by a newline):
//  - "<think>R</think>A" and "R</think>A" (the chat template opened the
//    tag in the prompt, as Qwen3 does): reasoning R, content A without its
//    leading whitespace;
//  - "<think>R" with no closing tag (a reply cut inside its reasoning):
//    reasoning R, content "".
// Content without these tags is left as it is.
void SplitThinkTags(Message* m);

// The reply's reasoning tokens: usage.reasoning_tokens when the server
// reported them (completion_tokens_details.reasoning_tokens); else 0 when
// there is no reasoning text; else an estimate, completion_tokens times
// the reasoning's share of the reply's bytes (reasoning + content + call
// arguments), rounded; -1 when completion_tokens was not reported either.
int64_t ReasoningTokens(const CompletionResponse& r);

}  // namespace endstate::models
