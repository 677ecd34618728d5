// builtin replay: a client that answers with the recorded assistant turns of
// an attempt, in order, whatever it is asked. Used by `endstate replay` and
// `endstate serve-replay` (any agent client can then be debugged against a
// deterministic "model").
#pragma once

#include <memory>
#include <vector>

#include "models/client.h"
#include "models/model_config.h"
#include "results/transcript.h"

namespace endstate::models {

// The recorded assistant turns of `transcript` as responses, in turn order:
// message.content, reasoning and tool_calls exactly as recorded (id, name,
// raw arguments, even when those are not valid JSON), finish_reason, usage
// (-1 where not reported), ttft_ms, duration_ms and raw_response as
// recorded; raw_request is left empty. Left out: turns whose model call
// failed (finish_reason "error", no message was received) and the entries
// the agent loop adds for tool-call markup leaked into content (error kind
// "leaked_markup": no call was made; the markup stays in content).
std::vector<CompletionResponse> RecordedResponses(
    const results::Transcript& transcript);

// A client answering call n with responses[n] (raw_request set to the
// request body that would have been sent, as the other builtins do). After
// the last response every call fails with ModelError "replay: the record
// has no turn N (it has M)", so a replayed conversation that runs longer
// than the record ends in model_error instead of looping. Not thread-safe.
std::unique_ptr<Client> MakeReplayClient(
    const ModelConfig& config, std::vector<CompletionResponse> responses);

}  // namespace endstate::models
