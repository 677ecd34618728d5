#include "models/model_config.h"

#include <cmath>
#include <cstdlib>

namespace endstate::models {
namespace {

constexpr char kBuiltinExpect[] =
    "unknown builtin (expected oracle, null, flaky, flaky:RATE)";

bool Fail(const std::string& spec, const std::string& why, std::string* err) {
  if (err) *err = "model spec '" + spec + "': " + why;
  return false;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Parses "0", "0.25", "1" strictly; false for anything else.
bool ParseRate(const std::string& text, double* rate) {
  if (text.empty() ||
      text.find_first_not_of("0123456789.") != std::string::npos) {
    return false;
  }
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  if (v < 0 || v > 1) return false;
  *rate = v;
  return true;
}

bool ParseBuiltin(const std::string& spec, const std::string& rest,
                  ModelConfig* out, std::string* err) {
  out->provider = "builtin";
  if (rest == "oracle" || rest == "null" || rest == "flaky") {
    out->model = rest;
    return true;
  }
  if (StartsWith(rest, "flaky:")) {
    if (!ParseRate(rest.substr(6), &out->flaky_rate)) {
      return Fail(spec, "flaky rate must be a number between 0 and 1", err);
    }
    out->model = "flaky";
    return true;
  }
  return Fail(spec, kBuiltinExpect, err);
}

// "BASE_URL#MODEL_ID" for `provider`; an empty BASE_URL means
// `default_url` when there is one.
bool ParseEndpoint(const std::string& spec, const std::string& provider,
                   const std::string& rest, const std::string& default_url,
                   ModelConfig* out, std::string* err) {
  size_t hash = rest.find('#');
  if (hash == std::string::npos || (hash == 0 && default_url.empty()) ||
      hash + 1 == rest.size()) {
    return Fail(spec,
                "expected " + provider + ":" +
                    (default_url.empty() ? "BASE_URL" : "[BASE_URL]") +
                    "#MODEL_ID",
                err);
  }
  std::string url = hash == 0 ? default_url : rest.substr(0, hash);
  if (!StartsWith(url, "http://") && !StartsWith(url, "https://")) {
    return Fail(spec, "base URL must start with http:// or https://", err);
  }
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  out->provider = provider;
  out->base_url = url;
  out->model = rest.substr(hash + 1);
  return true;
}

}  // namespace

bool ParseModelSpec(const std::string& spec, ModelConfig* out,
                    std::string* err) {
  ModelConfig config;
  config.name = spec;
  bool ok = false;
  if (StartsWith(spec, "builtin:")) {
    ok = ParseBuiltin(spec, spec.substr(8), &config, err);
  } else if (StartsWith(spec, "openai:")) {
    ok = ParseEndpoint(spec, "openai", spec.substr(7), "", &config, err);
  } else if (StartsWith(spec, "anthropic:")) {
    ok = ParseEndpoint(spec, "anthropic", spec.substr(10), kAnthropicBaseUrl,
                       &config, err);
    config.api_key_env = kAnthropicKeyEnv;
  } else {
    return Fail(spec,
                "unknown provider (expected builtin:NAME, "
                "openai:BASE_URL#MODEL_ID or anthropic:[BASE_URL]#MODEL_ID)",
                err);
  }
  if (ok) *out = std::move(config);
  return ok;
}

int64_t TurnTokenCap(const ModelConfig& config) {
  for (const nlohmann::json* j : {&config.extra, &config.sampling}) {
    for (const char* key : {"max_tokens", "max_completion_tokens"}) {
      if (!j->is_object()) continue;
      auto it = j->find(key);
      if (it != j->end() && it->is_number_integer()) return it->get<int64_t>();
    }
  }
  return kDefaultMaxTokens;
}

}  // namespace endstate::models
