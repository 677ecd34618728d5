// Creates the client for one attempt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/client.h"
#include "models/model_config.h"
#include "models/script.h"

namespace endstate::models {

struct AttemptSeed {
  uint64_t run_seed = 0;
  int epoch = 0;
};

// Returns a client for `config` in one attempt. The builtins play `script`
// (a task's reference solution, or a near miss); endpoint clients ignore it.
// Returns nullptr and sets *err for an unknown provider or builtin name.
std::unique_ptr<Client> MakeClient(const ModelConfig& config,
                                   const Script& script, AttemptSeed seed,
                                   std::string* err);

// Returns the client for a model endpoint without a task (probes,
// evaluator/probe.h): provider "openai" (and "anthropic"). Builtin models
// have no endpoint: returns nullptr with *err saying so.
std::unique_ptr<Client> MakeEndpointClient(const ModelConfig& config,
                                           std::string* err);

}  // namespace endstate::models
