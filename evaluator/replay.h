// The parts of `endstate replay` that do not talk to the user: re-executing
// recorded tool calls in a fresh world and finding where their results
// diverge from the record, and rebuilding the recorded conversation as the
// history a model continues from. Semantics: docs/replay.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/client.h"
#include "models/message.h"
#include "results/transcript.h"
#include "sandbox/world.h"
#include "tasks/task.h"

namespace endstate::evaluator {

// The first re-executed tool call whose result differs from the record.
struct Divergence {
  int turn = 0, call = 0;  // turn index, call index within the turn
  std::string tool;
  size_t offset = 0;               // first differing byte of the result text
  std::string recorded, replayed;  // whole result texts
  bool recorded_error = false, replayed_error = false;  // is_error flags
};

struct ReexecutionReport {
  int turns = 0;      // turns whose calls were re-executed
  int executed = 0;   // calls sent through tools::Registry
  int skipped = 0;    // leaked-markup entries (no call was ever made)
  int differing = 0;  // executed calls whose result or is_error differ
  std::optional<Divergence> first;
};

// Re-executes, in order, the recorded tool calls of turns with index <
// `until_turn` (all turns when negative) against `world`, exactly as the
// agent loop ran them (same registry, same tools allowed for the task, raw
// arguments as recorded, so malformed calls fail the same way), and
// compares each result with the recorded one. Never throws.
ReexecutionReport ReexecuteToolCalls(const results::Transcript& t,
                                     const tasks::Task& task,
                                     const sandbox::World& world,
                                     int until_turn = -1);

// Two lines showing both texts around the divergence, JSON-escaped so that
// whitespace and control bytes are visible, `context` bytes either side:
//   recorded: "...<title>About the Lab</title>..."
//   replayed: "...<title>Untitled</title>..."
std::string RenderDivergence(const Divergence& d, size_t context = 40);

// The conversation as it stood before turn `until_turn`: the recorded system
// prompt and instruction (from the first turn's raw request; the fallbacks
// when it cannot be read), then per turn the assistant message (content,
// reasoning, tool calls as recorded) followed by its tool results as
// recorded, and for leaked markup the user message the loop sent. Turns
// whose model call failed are left out.
std::vector<models::Message> RecordedHistory(
    const results::Transcript& t, int until_turn,
    const std::string& fallback_system,
    const std::string& fallback_instruction);

// The recorded assistant turns of `transcript` as responses, in turn order:
// message.content, reasoning and tool_calls exactly as recorded (id, name,
// raw arguments, even when those are not valid JSON), finish_reason, usage
// (-1 where not reported), ttft_ms, duration_ms and raw_response as
// recorded; raw_request is left empty. Left out: turns whose model call
// failed (finish_reason "error", no message was received) and the entries
// the agent loop adds for tool-call markup leaked into content (error kind
// "leaked_markup": no call was made; the markup stays in content).
std::vector<models::CompletionResponse> RecordedResponses(
    const results::Transcript& transcript);

}  // namespace endstate::evaluator
