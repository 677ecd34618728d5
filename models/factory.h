// Creates the client for one attempt.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/client.h"
#include "models/model_config.h"
#include "tasks/task.h"

namespace endstate::models {

struct AttemptSeed {
  uint64_t run_seed = 0;
  int epoch = 0;
};

// Returns a client for `config` playing `task` (the builtins read the task's
// reference solution). `steps` overrides the solution the oracle plays (used
// for near misses); nullptr = task.solution. Returns nullptr and sets *err
// for an unknown provider or builtin name.
std::unique_ptr<Client> MakeClient(
    const ModelConfig& config, const tasks::Task& task, AttemptSeed seed,
    std::string* err, const std::vector<tasks::SolutionStep>* steps = nullptr);

// Returns the client for a model endpoint without a task (probes,
// evaluator/probe.h): provider "openai" (and "anthropic"). Builtin models
// have no endpoint: returns nullptr with *err saying so.
std::unique_ptr<Client> MakeEndpointClient(const ModelConfig& config,
                                           std::string* err);

}  // namespace endstate::models
