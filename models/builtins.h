// The builtin clients (no network), created by models/factory.cc:
//  - oracle: plays the task's reference solution (or the given steps, e.g.
//    a near miss) through the ordinary tool loop;
//  - null: refuses at once ("I can't help with that."), so every task must
//    fail with it;
//  - flaky: the oracle with seeded faults (models/builtin_flaky.cc).
// Their responses look like a real endpoint's: raw_request is the OpenAI
// request body that would have been sent, raw_response an OpenAI
// chat.completion body, usage an estimate (bytes / 4).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/client.h"
#include "models/model_config.h"
#include "models/script.h"

namespace endstate::models {

// Stateless: the next step is read from the conversation, so a replay from
// turn K continues correctly. Step index = number of earlier assistant
// messages carrying at least one well-formed call (name among req.tools,
// or any name when no tools are offered; arguments a JSON object).
std::unique_ptr<Client> MakeOracleClient(const ModelConfig& config,
                                         std::vector<ScriptedStep> steps);

std::unique_ptr<Client> MakeNullClient(const ModelConfig& config);

// `seed` mixes the run seed, epoch and task id; `rate` in [0, 1].
std::unique_ptr<Client> MakeFlakyClient(const ModelConfig& config,
                                        std::vector<ScriptedStep> steps,
                                        double rate, uint64_t seed);

namespace builtin {

// Stable 64-bit FNV-1a hash, for seeds that must not vary by platform.
uint64_t Fnv1a(const std::string& data, uint64_t h = 14695981039346656037ull);

// Number of earlier assistant messages with a well-formed call (see above).
int CountPlayedSteps(const CompletionRequest& req);

// The assistant message playing `step` as step number `n`: one call per
// ToolCallSpec with id "oracle_<n>" ("oracle_<n>_<j>" when the step has
// several), arguments dump()ed; content = step.say.
Message StepMessage(const ScriptedStep& step, int n);

// Fills *out as an endpoint would: message, finish reason, estimated
// usage, raw request/response.
void Respond(const ModelConfig& config, const CompletionRequest& req,
             Message message, const std::string& finish_reason,
             CompletionResponse* out);

inline constexpr char kFinalMessage[] = "Done.";

}  // namespace builtin
}  // namespace endstate::models
