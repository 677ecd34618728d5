#include "evaluator/run_state.h"

namespace endstate::evaluator {
namespace {

using nlohmann::json;

json ModelJson(const models::ModelConfig& m) {
  return {{"name", m.name},
          {"provider", m.provider},
          {"base_url", m.base_url},
          {"model", m.model},
          {"api_key_env", m.api_key_env},
          {"stream", m.stream},
          {"sampling", m.sampling},
          {"extra", m.extra},
          {"labels", m.labels},
          {"flaky_rate", m.flaky_rate},
          {"max_connections", m.max_connections},
          {"request_timeout_ms", m.request_timeout.count()},
          {"stall_timeout_ms", m.stall_timeout.count()},
          {"retry",
           {{"max_tries", m.retry.max_tries},
            {"initial_backoff_ms", m.retry.initial_backoff.count()},
            {"max_backoff_ms", m.retry.max_backoff.count()},
            {"max_total_ms", m.retry.max_total.count()}}}};
}

// Reads j[key] into *out; a missing key keeps the default. Throws
// json::exception (with the field path prepended by the caller) on a type
// mismatch.
template <class T>
void Read(const json& j, const char* key, T* out) {
  if (j.contains(key)) *out = j.at(key).get<T>();
}

template <class Duration>
void ReadMs(const json& j, const char* key, Duration* out) {
  if (j.contains(key))
    *out = std::chrono::milliseconds(j.at(key).get<int64_t>());
}

models::ModelConfig ParseModel(const json& j) {
  models::ModelConfig m;
  m.name = j.at("name").get<std::string>();
  m.provider = j.at("provider").get<std::string>();
  m.model = j.at("model").get<std::string>();
  Read(j, "base_url", &m.base_url);
  Read(j, "api_key_env", &m.api_key_env);
  Read(j, "stream", &m.stream);
  Read(j, "sampling", &m.sampling);
  Read(j, "extra", &m.extra);
  Read(j, "labels", &m.labels);
  Read(j, "flaky_rate", &m.flaky_rate);
  Read(j, "max_connections", &m.max_connections);
  ReadMs(j, "request_timeout_ms", &m.request_timeout);
  ReadMs(j, "stall_timeout_ms", &m.stall_timeout);
  if (j.contains("retry")) {
    const json& r = j.at("retry");
    Read(r, "max_tries", &m.retry.max_tries);
    ReadMs(r, "initial_backoff_ms", &m.retry.initial_backoff);
    ReadMs(r, "max_backoff_ms", &m.retry.max_backoff);
    ReadMs(r, "max_total_ms", &m.retry.max_total);
  }
  return m;
}

}  // namespace

json RunStateJson(const RunState& state) {
  const Config& c = state.config;
  json models = json::array();
  for (const auto& m : state.models) models.push_back(ModelJson(m));
  json serve = json::object();
  for (const auto& [name, sc] : c.serve) serve[name] = servers::ServeJson(sc);
  json limits = json::object();
  if (c.limits.max_turns) limits["max_turns"] = *c.limits.max_turns;
  if (c.limits.max_tokens) limits["max_tokens"] = *c.limits.max_tokens;
  if (c.limits.timeout_s) limits["timeout_s"] = *c.limits.timeout_s;
  return {{"tasks_dir", state.tasks_dir},
          {"models", models},
          {"serve", serve},
          {"system_prompt", c.system_prompt},
          {"epochs", c.epochs},
          {"concurrency", c.concurrency},
          {"seed", c.seed},
          {"limits", limits},
          {"shell",
           {{"timeout_ms", c.shell.timeout.count()},
            {"max_output_bytes", c.shell.max_output_bytes},
            {"max_pids", c.shell.max_pids},
            {"max_memory_bytes", c.shell.max_memory_bytes},
            {"max_total_memory_bytes", c.shell.max_total_memory_bytes},
            {"max_file_bytes", c.shell.max_file_bytes},
            {"max_world_bytes", c.shell.max_world_bytes}}}};
}

bool ParseRunState(const json& j, RunState* state, std::string* err) {
  std::string field = "resume";
  try {
    if (!j.is_object()) throw std::runtime_error("expected an object");
    RunState s;
    Config& c = s.config;
    field = "resume.tasks_dir";
    Read(j, "tasks_dir", &s.tasks_dir);
    field = "resume.models";
    const json& models = j.at("models");
    if (!models.is_array()) throw std::runtime_error("expected a list");
    for (size_t i = 0; i < models.size(); ++i) {
      field = "resume.models[" + std::to_string(i) + "]";
      s.models.push_back(ParseModel(models[i]));
    }
    if (j.contains("serve")) {
      for (const auto& [name, sc] : j.at("serve").items()) {
        field = "resume.serve." + name;
        c.serve[name] = servers::ParseServeJson(sc);
      }
    }
    field = "resume";
    Read(j, "system_prompt", &c.system_prompt);
    Read(j, "epochs", &c.epochs);
    Read(j, "concurrency", &c.concurrency);
    Read(j, "seed", &c.seed);
    if (j.contains("limits")) {
      field = "resume.limits";
      const json& l = j.at("limits");
      if (l.contains("max_turns")) c.limits.max_turns = l["max_turns"];
      if (l.contains("max_tokens")) c.limits.max_tokens = l["max_tokens"];
      if (l.contains("timeout_s")) c.limits.timeout_s = l["timeout_s"];
    }
    if (j.contains("shell")) {
      field = "resume.shell";
      const json& sh = j.at("shell");
      ReadMs(sh, "timeout_ms", &c.shell.timeout);
      Read(sh, "max_output_bytes", &c.shell.max_output_bytes);
      Read(sh, "max_pids", &c.shell.max_pids);
      Read(sh, "max_memory_bytes", &c.shell.max_memory_bytes);
      Read(sh, "max_total_memory_bytes", &c.shell.max_total_memory_bytes);
      Read(sh, "max_file_bytes", &c.shell.max_file_bytes);
      Read(sh, "max_world_bytes", &c.shell.max_world_bytes);
    }
    *state = std::move(s);
    return true;
  } catch (const std::exception& e) {
    *err = field + ": " + e.what();
    return false;
  }
}

}  // namespace endstate::evaluator
