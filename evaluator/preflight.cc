#include "evaluator/preflight.h"

#include <algorithm>
#include <cstdlib>

#include "models/http_try.h"
#include "models/openai_wire.h"
#include "util/http.h"

namespace endstate::evaluator {
namespace {

using nlohmann::json;

constexpr size_t kMaxAnswerBytes = 1 << 20;
constexpr std::chrono::milliseconds kTimeout{10'000};
constexpr size_t kMaxIdsListed = 20;

std::string Who(const models::ModelConfig& m) {
  return "model '" + m.name + "': ";
}

std::vector<std::string> Headers(const models::ModelConfig& m) {
  std::vector<std::string> h = {"Accept: application/json"};
  const char* key =
      m.api_key_env.empty() ? nullptr : std::getenv(m.api_key_env.c_str());
  if (m.provider == "anthropic") {
    h.push_back("anthropic-version: 2023-06-01");
    if (key) h.push_back(std::string("x-api-key: ") + key);
  } else if (key) {
    h.push_back(std::string("Authorization: Bearer ") + key);
  }
  return h;
}

util::HttpResponse Send(const std::string& method, const std::string& url,
                        const std::vector<std::string>& headers,
                        const std::string& body = "") {
  util::HttpRequest req;
  req.method = method;
  req.url = url;
  req.headers = headers;
  if (method == "POST") req.headers.push_back("Content-Type: application/json");
  req.body = body;
  req.connect_timeout = kTimeout;
  req.total_timeout = kTimeout;
  req.max_body_bytes = kMaxAnswerBytes;
  return util::Fetch(req);
}

json ParseObject(const util::HttpResponse& r) {
  if (!r.ok || r.status != 200 || r.body_truncated) return nullptr;
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() ? j : json(nullptr);
}

// The server root: the base URL without its trailing "/v1" (llama.cpp
// serves /props and Ollama /api/show there).
std::string Root(const std::string& base_url) {
  std::string url = models::EndpointUrl(base_url, "");
  if (url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0) {
    url.resize(url.size() - 3);
  }
  return url;
}

int64_t IntField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
}

// llama.cpp, vLLM or Ollama limits, whichever the server publishes.
json ReadLimits(const models::ModelConfig& m, const json& listed) {
  if (int64_t len = IntField(listed, "max_model_len"); len > 0) {
    return {{"source", "vllm /v1/models"}, {"max_model_len", len}};
  }
  const std::vector<std::string> headers = Headers(m);
  json props = ParseObject(Send("GET", Root(m.base_url) + "/props", headers));
  if (props.is_object() && props.contains("default_generation_settings") &&
      props["default_generation_settings"].is_object()) {
    int64_t n_ctx = IntField(props["default_generation_settings"], "n_ctx");
    if (n_ctx > 0) {
      json out = {{"source", "llama.cpp /props"}, {"n_ctx", n_ctx}};
      if (int64_t slots = IntField(props, "total_slots"); slots > 0) {
        out["total_slots"] = slots;
      }
      return out;
    }
  }
  json show = ParseObject(Send("POST", Root(m.base_url) + "/api/show", headers,
                               json{{"model", m.model}}.dump()));
  if (!show.is_object()) return nullptr;
  json out = {{"source", "ollama /api/show"}};
  if (auto info = show.find("model_info");
      info != show.end() && info->is_object()) {
    for (auto it = info->begin(); it != info->end(); ++it) {
      const std::string& k = it.key();
      if (k.size() > 15 &&
          k.compare(k.size() - 15, 15, ".context_length") == 0 &&
          it->is_number_integer()) {
        out["context_length"] = it->get<int64_t>();
      }
    }
  }
  if (auto params = show.find("parameters");
      params != show.end() && params->is_string()) {
    // "num_ctx 8192\nstop ..." (the Modelfile's PARAMETER lines).
    const std::string& p = params->get_ref<const std::string&>();
    size_t at = p.find("num_ctx");
    if (at != std::string::npos) {
      out["num_ctx"] = std::atoll(p.c_str() + at + 7);
    }
  }
  return out.size() > 1 ? out : json(nullptr);
}

std::string Tokens(int64_t n) { return std::to_string(n) + " tokens"; }

// Warnings when the per-turn cap cannot fit what the server publishes.
std::vector<std::string> LimitWarnings(const models::ModelConfig& m,
                                       const json& limits, int concurrency) {
  std::vector<std::string> out;
  if (!limits.is_object()) return out;
  const int64_t cap = models::TurnTokenCap(m);
  int64_t context = IntField(limits, "max_model_len");
  if (context < 0) context = IntField(limits, "n_ctx");
  if (context < 0) context = IntField(limits, "num_ctx");
  if (context <= 0) return out;
  if (cap >= context) {
    out.push_back(Who(m) + "max_tokens " + std::to_string(cap) +
                  " is not below the server's context of " + Tokens(context) +
                  " (" + limits.value("source", "") +
                  "): set sampling.max_tokens lower");
    return out;
  }
  const int64_t slots = IntField(limits, "total_slots");
  if (slots <= 0) return out;
  int64_t parallel = concurrency;
  if (m.max_connections > 0)
    parallel = std::min<int64_t>(parallel, m.max_connections);
  parallel = std::min(parallel, slots);
  if (parallel * cap <= context) return out;
  const int64_t fits = std::max<int64_t>(1, context / cap);
  out.push_back(Who(m) + std::to_string(parallel) +
                " concurrent requests x max_tokens " + std::to_string(cap) +
                " = " + Tokens(parallel * cap) + " cannot fit the server's " +
                Tokens(context) + " context shared by " +
                std::to_string(slots) +
                " slots (llama.cpp /props): set max_connections: " +
                std::to_string(fits) + " (or lower sampling.max_tokens)");
  return out;
}

// Whether a listed id names the configured one: the same id, Ollama's
// "NAME:latest" for "NAME", or (Anthropic) a dated version of an alias
// ("claude-sonnet-4-5-20250929" for "claude-sonnet-4-5").
bool Serves(const models::ModelConfig& m, const std::string& listed) {
  if (listed == m.model || listed == m.model + ":latest") return true;
  return m.provider == "anthropic" && listed.rfind(m.model + "-", 0) == 0;
}

// The model ids of a GET /models answer (OpenAI and Anthropic lists: data[]
// of {id}; Ollama's native {models:[{name}]} too); the entry of `id` goes
// to *entry.
std::vector<std::string> ListedIds(const json& j, const std::string& id,
                                   json* entry) {
  std::vector<std::string> ids;
  for (const char* list : {"data", "models"}) {
    auto it = j.find(list);
    if (it == j.end() || !it->is_array()) continue;
    for (const json& e : *it) {
      if (!e.is_object()) continue;
      for (const char* key : {"id", "name", "model"}) {
        auto k = e.find(key);
        if (k == e.end() || !k->is_string()) continue;
        ids.push_back(k->get<std::string>());
        if (ids.back() == id && entry->is_null()) *entry = e;
        break;
      }
    }
  }
  return ids;
}

PreflightResult Fail(PreflightFailure failure, std::string error) {
  PreflightResult r;
  r.failure = failure;
  r.error = std::move(error);
  return r;
}

}  // namespace

PreflightResult RunPreflight(const std::vector<models::ModelConfig>& models,
                             int concurrency,
                             const std::set<std::string>& managed) {
  PreflightResult result;
  for (const models::ModelConfig& m : models) {
    ModelPreflight& out = result.models.emplace_back();
    if (m.provider == "builtin" || managed.count(m.name)) continue;
    if (!m.api_key_env.empty()) {
      const char* v = std::getenv(m.api_key_env.c_str());
      if (v == nullptr || *v == '\0') {
        return Fail(PreflightFailure::kConfig,
                    Who(m) + "environment variable " + m.api_key_env +
                        " (api_key_env) is not set");
      }
    }
    const std::string url = models::EndpointUrl(m.base_url, "/models");
    util::HttpResponse r = Send("GET", url, Headers(m));
    if (!r.ok) {
      return Fail(PreflightFailure::kEndpoint,
                  Who(m) + m.base_url + " does not answer (GET " + url + ": " +
                      (r.timed_out ? "timeout" : "connection error") + ": " +
                      r.error + ")");
    }
    if (r.status == 404) {
      out.warnings.push_back(Who(m) + m.base_url +
                             " does not list its models (GET " + url +
                             ": HTTP 404); the model id is not checked");
    } else if (r.status != 200) {
      return Fail(PreflightFailure::kEndpoint,
                  Who(m) + m.base_url + " rejected the request (GET " + url +
                      ": HTTP " + std::to_string(r.status) + ": " +
                      models::ErrorSnippet(r.body) + ")");
    }
    json entry;
    if (r.status == 200) {
      json j = ParseObject(r);
      std::vector<std::string> ids = j.is_object()
                                         ? ListedIds(j, m.model, &entry)
                                         : std::vector<std::string>{};
      if (!j.is_object()) {
        return Fail(PreflightFailure::kEndpoint,
                    Who(m) + m.base_url + " answered GET " + url +
                        " with something other than a model list");
      }
      if (std::none_of(ids.begin(), ids.end(),
                       [&](const std::string& id) { return Serves(m, id); })) {
        std::string list;
        for (size_t i = 0; i < ids.size() && i < kMaxIdsListed; ++i) {
          list += (i ? ", " : "") + ids[i];
        }
        if (ids.size() > kMaxIdsListed) {
          list += ", ... (" + std::to_string(ids.size()) + " in all)";
        }
        return Fail(PreflightFailure::kEndpoint,
                    Who(m) + m.base_url + " does not serve '" + m.model +
                        "' (" +
                        (ids.empty() ? std::string("it lists no model")
                                     : "it serves: " + list) +
                        ")");
      }
    }
    if (m.provider == "openai") {
      out.limits = ReadLimits(m, entry);
      for (std::string& w : LimitWarnings(m, out.limits, concurrency)) {
        out.warnings.push_back(std::move(w));
      }
    }
  }
  return result;
}

}  // namespace endstate::evaluator
