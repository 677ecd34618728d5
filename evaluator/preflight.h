// The pre-flight of `endstate run` (docs/cli.md, "Pre-flight"): before the
// first attempt, each endpoint model's API key variable is set, its
// endpoint answers and serves the configured model id, and the server's
// limits are read where it publishes them (llama.cpp GET /props, vLLM
// `max_model_len` in GET /v1/models, Ollama POST /api/show), with warnings
// when the per-turn token cap cannot fit them. Builtin models are skipped.
//
// Every request is bounded: 10 s, 1 MiB per answer. Not thread-safe (one
// call per run); reads the environment.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "models/model_config.h"

namespace endstate::evaluator {

struct ModelPreflight {
  // What the server publishes about its limits, as read (recorded as model
  // event "server_limits"); null when it publishes nothing we know:
  // {"source": "llama.cpp /props", "n_ctx": 16384, "total_slots": 4} |
  // {"source": "vllm /v1/models", "max_model_len": 32768} |
  // {"source": "ollama /api/show", "context_length": 40960, "num_ctx": 8192}
  nlohmann::json limits;
  // One line each, without a prefix ("model 'q': 4 concurrent requests x
  // max_tokens 4096 ..."); also recorded as "preflight_warning" events.
  std::vector<std::string> warnings;
};

// Why a pre-flight refused the run: the config (the CLI exits 2) or the
// endpoint (exit 3).
enum class PreflightFailure { kNone, kConfig, kEndpoint };

struct PreflightResult {
  PreflightFailure failure = PreflightFailure::kNone;
  std::string error;                   // one line when failure != kNone
  std::vector<ModelPreflight> models;  // parallel to the models given
};

// Checks `models` in order and stops at the first failure. `concurrency`
// is the run's (each model's max_connections may lower it). Failures:
//  - kConfig: "model 'q': environment variable X (api_key_env) is not set"
//  - kEndpoint: "model 'q': http://h/v1 does not answer (GET /models:
//    connection error: ...)", "... rejected the request (GET /models: HTTP
//    401: bad key)", "model 'q': http://h/v1 does not serve 'Qwen3-8B'
//    (it serves: a, b)".
// An endpoint that answers GET /models with 404 (some proxies) is only a
// warning: the id cannot be checked. A listed id serves the configured one
// when equal, Ollama's "NAME:latest" for "NAME", or for Anthropic a dated
// version of an alias ("claude-sonnet-4-5-20250929").
// Models in `managed` (names of models with a `serve:` block) are skipped:
// their server is not up yet, and its start checks readiness and the served
// model itself (docs/servers.md).
PreflightResult RunPreflight(const std::vector<models::ModelConfig>& models,
                             int concurrency,
                             const std::set<std::string>& managed = {});

}  // namespace endstate::evaluator
