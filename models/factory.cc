#include "models/factory.h"

#include "models/anthropic_client.h"
#include "models/builtins.h"
#include "models/openai_client.h"

namespace endstate::models {

std::unique_ptr<Client> MakeEndpointClient(const ModelConfig& config,
                                           std::string* err) {
  const std::string who = "model '" + config.name + "': ";
  if (config.provider == "openai") {
    if (config.base_url.empty() || config.model.empty()) {
      if (err) *err = who + "provider openai needs base_url and model";
      return nullptr;
    }
    return std::make_unique<OpenAiClient>(config);
  }
  if (config.provider == "anthropic") {
    if (config.base_url.empty() || config.model.empty()) {
      if (err) *err = who + "provider anthropic needs base_url and model";
      return nullptr;
    }
    return std::make_unique<AnthropicClient>(config);
  }
  if (err) {
    *err = config.provider == "builtin"
               ? who + "builtin models have no endpoint to probe"
               : who + "unknown provider '" + config.provider +
                     "' (expected openai, anthropic or builtin)";
  }
  return nullptr;
}

std::unique_ptr<Client> MakeClient(const ModelConfig& config,
                                   const Script& script, AttemptSeed seed,
                                   std::string* err) {
  const std::string who = "model '" + config.name + "': ";
  if (config.provider != "builtin") return MakeEndpointClient(config, err);
  const std::vector<ScriptedStep>& play = script.steps;
  if (config.model == "oracle") return MakeOracleClient(config, play);
  if (config.model == "null") return MakeNullClient(config);
  if (config.model == "flaky") {
    if (!(config.flaky_rate >= 0 && config.flaky_rate <= 1)) {
      if (err) *err = who + "flaky rate must be between 0 and 1";
      return nullptr;
    }
    uint64_t mixed =
        builtin::Fnv1a(std::to_string(seed.run_seed) + "/" +
                       std::to_string(seed.epoch) + "/" + script.task_id);
    return MakeFlakyClient(config, play, config.flaky_rate, mixed);
  }
  if (err) {
    *err = who + "unknown builtin '" + config.model +
           "' (expected oracle, null, flaky)";
  }
  return nullptr;
}

}  // namespace endstate::models
