// builtin replay: a client that answers with the recorded assistant turns of
// an attempt (evaluator::RecordedResponses), in order, whatever it is asked.
// Used by `endstate replay` and `endstate serve-replay` (any agent client can
// then be debugged against a deterministic "model").
#pragma once

#include <memory>
#include <vector>

#include "models/client.h"
#include "models/model_config.h"

namespace endstate::models {

// A client answering call n with responses[n] (raw_request set to the
// request body that would have been sent, as the other builtins do). After
// the last response every call fails with ModelError "replay: the record
// has no turn N (it has M)", so a replayed conversation that runs longer
// than the record ends in model_error instead of looping. Not thread-safe.
std::unique_ptr<Client> MakeReplayClient(
    const ModelConfig& config, std::vector<CompletionResponse> responses);

}  // namespace endstate::models
