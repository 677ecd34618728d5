#include "evaluator/config.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>

#include "evaluator/sampling_check.h"
#include "util/yaml.h"

namespace endstate::evaluator {
namespace {

// Throws util::YamlError inside; LoadConfig turns it into *err.
class ConfigLoader : private util::YamlReader {
 public:
  ConfigLoader(const std::string& path, Config* config)
      : util::YamlReader(path), config_(config) {}

  void Load() {
    YAML::Node root = LoadFile();
    config_->path = path();
    LoadRoot(root);
  }

  // The file's top level, or an override shaped like it.
  void LoadRoot(const YAML::Node& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) Fail(root, "", "expected a mapping at the top level");
    CheckKeys(root, "", {"system_prompt", "models", "run"});
    if (root["system_prompt"]) {
      config_->system_prompt = String(root["system_prompt"], "system_prompt");
    }
    if (root["run"]) LoadRun(root["run"]);
    if (root["models"]) LoadModels(root["models"]);
  }

 private:
  void LoadRun(const YAML::Node& n) {
    if (!n.IsMap()) Fail(n, "run", "expected a mapping");
    CheckKeys(n, "run", {"epochs", "concurrency", "seed", "limits", "shell"});
    if (n["epochs"])
      config_->epochs = static_cast<int>(Int(n["epochs"], "run.epochs", 1));
    if (n["concurrency"]) {
      config_->concurrency =
          static_cast<int>(Int(n["concurrency"], "run.concurrency", 1));
    }
    if (n["seed"])
      config_->seed = static_cast<uint64_t>(Int(n["seed"], "run.seed", 0));
    if (YAML::Node l = n["limits"]) {
      if (!l.IsMap()) Fail(l, "run.limits", "expected a mapping");
      CheckKeys(l, "run.limits", {"max_turns", "max_tokens", "timeout_s"});
      if (l["max_turns"])
        config_->limits.max_turns =
            static_cast<int>(Int(l["max_turns"], "run.limits.max_turns", 1));
      if (l["max_tokens"])
        config_->limits.max_tokens =
            Int(l["max_tokens"], "run.limits.max_tokens", 1);
      if (l["timeout_s"])
        config_->limits.timeout_s =
            static_cast<int>(Int(l["timeout_s"], "run.limits.timeout_s", 1));
    }
    if (YAML::Node s = n["shell"]) {
      if (!s.IsMap()) Fail(s, "run.shell", "expected a mapping");
      CheckKeys(s, "run.shell",
                {"timeout_s", "max_output_bytes", "max_pids", "max_memory_mb",
                 "max_total_memory_mb", "max_world_mb"});
      auto& sh = config_->shell;
      if (s["timeout_s"])
        sh.timeout =
            std::chrono::seconds(Int(s["timeout_s"], "run.shell.timeout_s", 1));
      if (s["max_output_bytes"])
        sh.max_output_bytes =
            Int(s["max_output_bytes"], "run.shell.max_output_bytes", 1024);
      if (s["max_pids"])
        sh.max_pids =
            static_cast<int>(Int(s["max_pids"], "run.shell.max_pids", 8));
      if (s["max_memory_mb"])
        sh.max_memory_bytes =
            static_cast<uint64_t>(
                Int(s["max_memory_mb"], "run.shell.max_memory_mb", 64))
            << 20;
      if (s["max_total_memory_mb"])
        sh.max_total_memory_bytes =
            static_cast<uint64_t>(Int(s["max_total_memory_mb"],
                                      "run.shell.max_total_memory_mb", 64))
            << 20;
      if (s["max_world_mb"])
        sh.max_world_bytes =
            static_cast<uint64_t>(
                Int(s["max_world_mb"], "run.shell.max_world_mb", 0))
            << 20;
    }
  }

  void LoadModels(const YAML::Node& n) {
    if (!n.IsSequence()) Fail(n, "models", "expected a list of models");
    std::set<std::string> names;
    int i = 0;
    for (const auto& m : n) {
      std::string where = "models[" + std::to_string(i++) + "]";
      if (!m.IsMap()) Fail(m, where, "expected a mapping");
      CheckKeys(m, where,
                {"name", "provider", "base_url", "model", "api_key_env",
                 "stream", "sampling", "extra", "labels", "max_connections",
                 "timeout_s", "stall_timeout_s", "retries", "flaky_rate",
                 "max_response_mb", "serve"});
      models::ModelConfig mc;
      if (!m["name"]) Fail(m, where + ".name", "missing field");
      mc.name = String(m["name"], where + ".name");
      if (!names.insert(mc.name).second)
        Fail(m["name"], where + ".name",
             "duplicate model name '" + mc.name + "'");
      if (!m["provider"])
        Fail(m, where + ".provider",
             "missing field (expected openai, anthropic or builtin)");
      mc.provider = String(m["provider"], where + ".provider");
      if (mc.provider != "openai" && mc.provider != "anthropic" &&
          mc.provider != "builtin") {
        Fail(
            m["provider"], where + ".provider",
            "expected openai, anthropic or builtin, got '" + mc.provider + "'");
      }
      if (!m["model"]) Fail(m, where + ".model", "missing field");
      mc.model = String(m["model"], where + ".model");
      if (mc.provider == "builtin" && mc.model != "oracle" &&
          mc.model != "null" && mc.model != "flaky") {
        Fail(m["model"], where + ".model",
             "expected oracle, null or flaky for provider builtin");
      }
      if (m["serve"]) {
        LoadServe(m, where, &mc);
      } else if (mc.provider == "anthropic" && !m["base_url"]) {
        mc.base_url = models::kAnthropicBaseUrl;
      } else if (mc.provider != "builtin") {
        if (!m["base_url"])
          Fail(m, where + ".base_url",
               "missing field (e.g. http://127.0.0.1:8000/v1)");
        mc.base_url = String(m["base_url"], where + ".base_url");
        if (mc.base_url.rfind("http://", 0) != 0 &&
            mc.base_url.rfind("https://", 0) != 0) {
          Fail(m["base_url"], where + ".base_url",
               "expected an http:// or https:// URL");
        }
      }
      if (m["api_key_env"]) {
        mc.api_key_env = String(m["api_key_env"], where + ".api_key_env");
      } else if (mc.provider == "anthropic") {
        mc.api_key_env = models::kAnthropicKeyEnv;  // the API needs a key
      }
      if (m["stream"]) mc.stream = Bool(m["stream"], where + ".stream");
      if (m["sampling"]) {
        if (!m["sampling"].IsMap())
          Fail(m["sampling"], where + ".sampling", "expected a mapping");
        if (auto problem = CheckSampling(m["sampling"], where + ".sampling")) {
          Fail(problem->node, problem->field, problem->what);
        }
        mc.sampling = util::YamlToJson(m["sampling"]);
      }
      if (m["extra"]) {
        if (!m["extra"].IsMap())
          Fail(m["extra"], where + ".extra", "expected a mapping");
        mc.extra = util::YamlToJson(m["extra"]);
      }
      if (m["labels"]) {
        if (!m["labels"].IsMap())
          Fail(m["labels"], where + ".labels", "expected a mapping");
        for (const auto& kv : m["labels"])
          mc.labels[kv.first.Scalar()] = kv.second.Scalar();
      }
      if (m["max_connections"])
        mc.max_connections = static_cast<int>(
            Int(m["max_connections"], where + ".max_connections", 1));
      if (m["timeout_s"])
        mc.request_timeout =
            std::chrono::seconds(Int(m["timeout_s"], where + ".timeout_s", 1));
      if (m["stall_timeout_s"])
        mc.stall_timeout = std::chrono::seconds(
            Int(m["stall_timeout_s"], where + ".stall_timeout_s", 1));
      if (m["max_response_mb"]) {
        mc.max_response_bytes =
            static_cast<size_t>(
                Int(m["max_response_mb"], where + ".max_response_mb", 1))
            << 20;
      }
      if (m["flaky_rate"]) {
        nlohmann::json v = util::YamlToJson(m["flaky_rate"]);
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
          Fail(m["flaky_rate"], where + ".flaky_rate",
               "expected a number from 0 to 1");
        }
        mc.flaky_rate = v.get<double>();
      }
      if (YAML::Node r = m["retries"]) {
        if (!r.IsMap()) Fail(r, where + ".retries", "expected a mapping");
        CheckKeys(r, where + ".retries",
                  {"max_tries", "initial_backoff_ms", "max_backoff_ms",
                   "max_total_s"});
        if (r["max_tries"])
          mc.retry.max_tries = static_cast<int>(
              Int(r["max_tries"], where + ".retries.max_tries", 1));
        if (r["initial_backoff_ms"])
          mc.retry.initial_backoff = std::chrono::milliseconds(
              Int(r["initial_backoff_ms"],
                  where + ".retries.initial_backoff_ms", 0));
        if (r["max_backoff_ms"])
          mc.retry.max_backoff = std::chrono::milliseconds(
              Int(r["max_backoff_ms"], where + ".retries.max_backoff_ms", 0));
        if (r["max_total_s"])
          mc.retry.max_total = std::chrono::seconds(
              Int(r["max_total_s"], where + ".retries.max_total_s", 1));
      }
      config_->models.push_back(std::move(mc));
    }
  }

  // A model's `serve:` block (docs/config.md, docs/servers.md); sets the
  // model's base_url from the server's host and port.
  void LoadServe(const YAML::Node& m, const std::string& where,
                 models::ModelConfig* mc) {
    const YAML::Node n = m["serve"];
    const std::string at = where + ".serve";
    if (mc->provider != "openai")
      Fail(n, at, "a managed server needs provider openai");
    if (m["base_url"])
      Fail(m["base_url"], where + ".base_url",
           "not allowed with serve (derived from serve.host and serve.port)");
    if (!n.IsMap()) Fail(n, at, "expected a mapping");
    CheckKeys(n, at,
              {"command", "env", "port", "host", "ready", "stop", "memory",
               "exclusive", "restart"});
    servers::ServeConfig s;
    const YAML::Node cmd = n["command"];
    if (!cmd || !cmd.IsSequence() || cmd.size() == 0)
      Fail(cmd ? cmd : n, at + ".command",
           "expected a non-empty list of strings (e.g. [vllm, serve, MODEL, "
           "--port, \"{port}\"])");
    for (size_t i = 0; i < cmd.size(); ++i)
      s.command.push_back(
          String(cmd[i], at + ".command[" + std::to_string(i) + "]"));
    if (const YAML::Node env = n["env"]) {
      if (!env.IsMap()) Fail(env, at + ".env", "expected a mapping");
      for (const auto& kv : env)
        s.env[kv.first.Scalar()] =
            String(kv.second, at + ".env." + kv.first.Scalar());
    }
    if (const YAML::Node port = n["port"]) {
      if (!(port.IsScalar() && port.Scalar() == "auto")) {
        nlohmann::json v = util::YamlToJson(port);
        if (!v.is_number_integer() || v.get<int64_t>() < 1 ||
            v.get<int64_t>() > 65535)
          Fail(port, at + ".port", "expected auto or a port from 1 to 65535");
        s.port = v.get<int>();
      }
    }
    if (n["host"]) s.host = String(n["host"], at + ".host");
    if (const YAML::Node r = n["ready"]) {
      if (!r.IsMap()) Fail(r, at + ".ready", "expected a mapping");
      CheckKeys(r, at + ".ready", {"path", "timeout_s"});
      if (r["path"]) {
        s.ready_path = String(r["path"], at + ".ready.path");
        if (s.ready_path.empty() || s.ready_path[0] != '/')
          Fail(r["path"], at + ".ready.path",
               "expected a path starting with /");
      }
      if (r["timeout_s"])
        s.ready_timeout = std::chrono::seconds(
            Int(r["timeout_s"], at + ".ready.timeout_s", 1));
    }
    if (const YAML::Node st = n["stop"]) {
      if (!st.IsMap()) Fail(st, at + ".stop", "expected a mapping");
      CheckKeys(st, at + ".stop", {"signal", "grace_s"});
      if (st["signal"]) {
        s.stop_signal =
            servers::SignalNumber(String(st["signal"], at + ".stop.signal"));
        if (s.stop_signal == 0)
          Fail(st["signal"], at + ".stop.signal",
               "expected TERM, INT, QUIT, HUP or KILL");
      }
      if (st["grace_s"])
        s.stop_grace =
            std::chrono::seconds(Int(st["grace_s"], at + ".stop.grace_s", 0));
    }
    if (const YAML::Node mem = n["memory"]) {
      if (!mem.IsMap()) Fail(mem, at + ".memory", "expected a mapping");
      CheckKeys(mem, at + ".memory", {"need_gb", "drop_caches"});
      if (mem["need_gb"]) {
        nlohmann::json v = util::YamlToJson(mem["need_gb"]);
        if (!v.is_number() || v.get<double>() < 0)
          Fail(mem["need_gb"], at + ".memory.need_gb",
               "expected a number >= 0 (GB)");
        s.need_gb = v.get<double>();
      }
      if (mem["drop_caches"])
        s.drop_caches = Bool(mem["drop_caches"], at + ".memory.drop_caches");
    }
    if (n["exclusive"]) s.exclusive = String(n["exclusive"], at + ".exclusive");
    if (n["restart"])
      s.restart = static_cast<int>(Int(n["restart"], at + ".restart", 0));
    mc->base_url = s.port > 0 ? servers::ServedBaseUrl(s, s.port)
                              : "http://" + s.host + ":{port}/v1";
    config_->serve[mc->name] = std::move(s);
  }

  Config* config_;
};

}  // namespace

bool LoadConfig(const std::string& path, Config* config, std::string* err) {
  try {
    ConfigLoader(path, config).Load();
    return true;
  } catch (const util::YamlError& e) {
    *err = e.message;
  } catch (const std::exception& e) {
    *err = path + ": " + e.what();
  }
  return false;
}

bool MergeConfig(const YAML::Node& root, const std::string& source,
                 Config* config, std::string* err) {
  try {
    ConfigLoader(source, config).LoadRoot(root);
    return true;
  } catch (const util::YamlError& e) {
    *err = e.message;
  } catch (const std::exception& e) {
    *err = source + ": " + e.what();
  }
  return false;
}

bool ResolveModel(const Config& config, const std::string& spec,
                  models::ModelConfig* out, std::string* err) {
  for (const auto& m : config.models) {
    if (m.name == spec) {
      *out = m;
      return true;
    }
  }
  if (spec.find(':') == std::string::npos) {
    *err = "--model '" + spec + "': no model of that name in " +
           (config.path.empty() ? std::string("the config (no --config given)")
                                : config.path) +
           "; use a configured name, builtin:oracle|null|flaky[:RATE], "
           "openai:BASE_URL#MODEL_ID or anthropic:[BASE_URL]#MODEL_ID";
    return false;
  }
  return models::ParseModelSpec(spec, out, err);
}

std::string ConfigJson(const Config& config) {
  nlohmann::json j;
  j["path"] = config.path;
  j["system_prompt"] = config.system_prompt;
  j["epochs"] = config.epochs;
  j["concurrency"] = config.concurrency;
  j["seed"] = config.seed;
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : config.models) {
    models.push_back({{"name", m.name},
                      {"provider", m.provider},
                      {"base_url", m.base_url},
                      {"model", m.model},
                      {"stream", m.stream},
                      {"sampling", m.sampling},
                      {"labels", m.labels}});
  }
  j["models"] = models;
  return j.dump();
}

results::ModelInfo ModelRecord(const models::ModelConfig& model) {
  return {.name = model.name,
          .provider = model.provider,
          .base_url = model.base_url,
          .model = model.model,
          .sampling = model.sampling,
          .labels = nlohmann::json(model.labels)};
}

}  // namespace endstate::evaluator
