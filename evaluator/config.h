// The YAML config file (docs/config.md): models, run defaults, limits,
// system prompt.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/model_config.h"
#include "results/store.h"
#include "sandbox/process.h"
#include "servers/serve_config.h"

namespace endstate::evaluator {

inline constexpr char kDefaultSystemPrompt[] =
    "You are a capable engineer working on a small lab's website and "
    "servers. You act only through the tools you are given: the workspace is "
    "your checkout of the files, web_fetch reaches the lab's sites, "
    "scp_upload and ssh_exec reach its deploy hosts. Work step by step, check "
    "your results, and when the job is done reply with a short summary and "
    "no tool call.";

struct LimitOverrides {
  std::optional<int> max_turns;  // caps each task's own limit
  std::optional<int64_t> max_tokens;
  std::optional<int> timeout_s;
};

struct Config {
  std::string path;  // file it came from ("" = defaults)
  std::string system_prompt = kDefaultSystemPrompt;
  std::vector<models::ModelConfig> models;  // named models
  // Managed servers by model name: the models with a `serve:` block
  // (docs/servers.md). Their base_url is "http://HOST:PORT/v1", PORT
  // "{port}" when automatic, replaced once the server runs.
  std::map<std::string, servers::ServeConfig> serve;
  int epochs = 1;
  int concurrency = 4;
  uint64_t seed = 0;
  LimitOverrides limits;
  sandbox::ShellLimits shell;
};

// Parses `path`. Returns false and sets *err to
// "<file>:<line>: <field>: <expectation>".
bool LoadConfig(const std::string& path, Config* config, std::string* err);

// Applies `root`, a mapping shaped like the config file's top level, on top
// of *config with the file's rules: only the fields it holds change. Used
// for run-time overrides (evaluator/overrides.h). Errors read
// "<source>[:<line>]: <field>: <expectation>" (no line for nodes built in
// code).
bool MergeConfig(const YAML::Node& root, const std::string& source,
                 Config* config, std::string* err);

// Resolves a --model SPEC: a model name from the config, or an inline spec
// (models::ParseModelSpec). Returns false with *err otherwise.
bool ResolveModel(const Config& config, const std::string& spec,
                  models::ModelConfig* out, std::string* err);

// The effective config as JSON, for the runs table (api keys never stored).
std::string ConfigJson(const Config& config);

// How `model` is recorded in the models table (name, provider, base URL,
// model id, sampling, labels).
results::ModelInfo ModelRecord(const models::ModelConfig& model);

}  // namespace endstate::evaluator
