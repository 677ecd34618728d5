// What `endstate run --resume` needs to continue a run exactly as it was
// started: the suite folder, every model with its connection settings, and
// the run settings. Stored in runs.config_json under the key "resume"
// (docs/database.md); api keys are never stored, only the name of the
// environment variable that holds one (api_key_env).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "evaluator/config.h"
#include "models/model_config.h"

namespace endstate::evaluator {

struct RunState {
  std::string tasks_dir;  // absolute path; "" = the bundled suite
  std::vector<models::ModelConfig> models;  // in plan order
  // system_prompt, epochs, concurrency, seed, limits, shell and serve (the
  // models' managed servers, written under "serve" by name); the
  // config's own `models` list is not part of the state.
  Config config;
};

nlohmann::json RunStateJson(const RunState& state);

// Parses what RunStateJson wrote. Returns false and sets *err naming the
// field ("resume.models[0].base_url: expected a string") otherwise.
bool ParseRunState(const nlohmann::json& j, RunState* state, std::string* err);

}  // namespace endstate::evaluator
