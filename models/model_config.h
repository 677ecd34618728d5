// How to reach one model: from the config file or an inline --model SPEC.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace endstate::models {

struct RetryPolicy {
  int max_tries = 5;                               // including the first
  std::chrono::milliseconds initial_backoff{500};  // doubled per retry
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::milliseconds max_total{300'000};  // give up after this long
};

struct ModelConfig {
  std::string name;         // unique display name, e.g. "qwen-nvfp4"
  std::string provider;     // "openai" | "anthropic" | "builtin"
  std::string base_url;     // openai, anthropic: ".../v1"
  std::string model;        // model id; builtin: oracle|null|flaky
  std::string api_key_env;  // env var holding the key ("" = none)
  bool stream = false;
  nlohmann::json sampling = nlohmann::json::object();  // temperature, ...
  nlohmann::json extra = nlohmann::json::object();     // merged into requests
  std::map<std::string, std::string> labels;           // quant: nvfp4, ...
  double flaky_rate = 0.2;  // builtin flaky: fault probability per call
  int max_connections = 0;  // concurrent attempts on this model (0 = any)
  std::chrono::milliseconds request_timeout{600'000};
  std::chrono::milliseconds stall_timeout{120'000};  // no byte this long
  // A response body larger than this is a model error (not retried): a
  // runaway generation would only repeat, and its text would be replayed
  // to the server on every later turn.
  size_t max_response_bytes = size_t{16} << 20;
  RetryPolicy retry;
  // A managed endpoint (servers/): returns "" while the server process
  // behind base_url lives, else why it is gone (with its log tail). Checked
  // before every try: a gone server fails the request at once, with
  // ModelError::error_class kServerExited, instead of retrying against a
  // dead port. Not set = never gone. Must be thread-safe.
  std::function<std::string()> endpoint_down;
};

// The per-turn reply cap sent as `max_tokens` when neither `sampling` nor
// `extra` sets `max_tokens` or `max_completion_tokens` (docs/config.md): no
// reply can then run to the end of a server's shared context.
inline constexpr int64_t kDefaultMaxTokens = 4096;

// The per-turn reply cap a request of this model carries: `extra` over
// `sampling`, `max_tokens` over `max_completion_tokens`, else
// kDefaultMaxTokens (builtin models too, though they ignore it).
int64_t TurnTokenCap(const ModelConfig& config);

// Provider anthropic: the base URL used when none is given, and the
// variable holding the key when api_key_env is not given.
inline constexpr char kAnthropicBaseUrl[] = "https://api.anthropic.com/v1";
inline constexpr char kAnthropicKeyEnv[] = "ANTHROPIC_API_KEY";

// Parses an inline spec: "builtin:oracle", "builtin:null", "builtin:flaky",
// "builtin:flaky:0.3", "openai:BASE_URL#MODEL_ID",
// "anthropic:BASE_URL#MODEL_ID" or "anthropic:#MODEL_ID" (base URL
// kAnthropicBaseUrl; api_key_env is kAnthropicKeyEnv). Returns false with
// *err naming the expectation.
bool ParseModelSpec(const std::string& spec, ModelConfig* out,
                    std::string* err);

}  // namespace endstate::models
