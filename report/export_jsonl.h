// `endstate export --format jsonl` (docs/export.md): one attempt as one
// JSON object in the OpenAI chat-completions shape, for training data or
// sharing:
//   {"messages": [system, user, assistant (with "tool_calls"), tool, ...],
//    "tools": [OpenAI function tools of the first request],
//    "metadata": {attempt, run, task, model, epoch, try, outcome,
//                 termination, error, checks: [...], labels, note, ...}}
// Tool-call arguments stay the exact text the model wrote (a JSON string in
// OpenAI's shape, valid or not); reasoning text, when recorded, is kept in
// the assistant message's "reasoning_content" (the field vLLM and llama.cpp
// use). Nothing is cut: the export holds what the record holds. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include "results/export_select.h"

namespace endstate::report {

nlohmann::json OpenAiChatRecord(const results::Transcript& t,
                                const results::ExportRunInfo& run);

}  // namespace endstate::report
