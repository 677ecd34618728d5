// Run-time overrides of the config (`endstate run --set KEY=VALUE`,
// `--max-turns N`, `--temperature T`, `--max-tokens N`; docs/config.md,
// "Overrides"): dotted keys of the config file, checked with the file's
// rules and messages, applied on top of it and recorded with the run.
//
// Keys: `system_prompt`, `run.<...>` (e.g. run.epochs, run.limits.max_turns,
// run.shell.timeout_s) and a model's sampling, `models.NAME.sampling.KEY`
// for the model named NAME in the run or `models.*.sampling.KEY` for every
// model of the run. VALUE is read as YAML (`0.2` a number, `"0.2"` a
// string, `[a, b]` a list). Pure functions, thread-compatible.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "evaluator/config.h"
#include "models/model_config.h"

namespace endstate::evaluator {

// The model name of a `models.*.sampling.KEY` override: every model.
inline constexpr char kEveryModel[] = "*";

struct Override {
  std::string flag{};   // as given, for messages: "--set run.seed=3"
  std::string key{};    // "run.seed", "models.qwen.sampling.temperature"
  std::string model{};  // NAME of a models.NAME.sampling.KEY key, else ""
  std::string sampling_key{};  // KEY of such a key, else ""
  nlohmann::json value{};      // VALUE as typed by YAML
  YAML::Node node{};           // VALUE as parsed (no source positions)
};

// Parses `key` = `value` given by `flag`. Returns false and sets *err:
// "<flag>: expected KEY=VALUE" style messages for a malformed key, or the
// config file's message for a bad value of a sampling key
// ("--temperature 3: models.*.sampling.temperature: expected a number from
// 0 to 2"). Keys outside models are checked by ApplyConfigOverrides.
bool ParseOverride(const std::string& flag, const std::string& key,
                   const std::string& value, Override* out, std::string* err);

// Parses one `--set KEY=VALUE` argument (ParseOverride with flag
// "--set KEY=VALUE"); "--set X: expected KEY=VALUE (e.g. ...)" without '='.
bool ParseSetFlag(const std::string& arg, Override* out, std::string* err);

// Applies the overrides outside `models` to *config, in order (a later one
// wins), with the config file's rules: "--set run.limits.max_turns=0:
// run.limits.max_turns: expected an integer >= 1". Returns false and sets
// *err on the first bad one; *config may then be partly changed.
bool ApplyConfigOverrides(const std::vector<Override>& overrides,
                          Config* config, std::string* err);

// Applies the sampling overrides to the run's models, in order. An override
// naming a model the run does not have fails: "--set
// models.x.sampling.temperature=0.2: no model 'x' in this run (models: a,
// b)". Key max_tokens sets max_completion_tokens instead for a model whose
// sampling has that spelling and no max_tokens (one per-turn cap, not two).
bool ApplyModelOverrides(const std::vector<Override>& overrides,
                         std::vector<models::ModelConfig>* models,
                         std::string* err);

// The record of the overrides (runs.config_json "overrides",
// docs/database.md): [{"flag": "--max-turns 1", "key":
// "run.limits.max_turns", "value": 1}, ...], in the order applied.
nlohmann::json OverridesJson(const std::vector<Override>& overrides);

}  // namespace endstate::evaluator
