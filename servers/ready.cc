#include "servers/ready.h"

#include <thread>

#include "util/http.h"
#include "util/stop.h"

namespace endstate::servers {
namespace {

using Clock = std::chrono::steady_clock;

util::HttpResponse Get(const std::string& url, std::chrono::milliseconds t,
                       size_t max_bytes) {
  util::HttpRequest req;
  req.url = url;
  req.connect_timeout = req.total_timeout = t;
  req.max_body_bytes = max_bytes;
  return util::Fetch(req);
}

std::string Describe(const std::string& path, const util::HttpResponse& r) {
  if (!r.ok) return "GET " + path + ": " + r.error;
  return "GET " + path + ": HTTP " + std::to_string(r.status);
}

nlohmann::json ParseJson(const util::HttpResponse& r) {
  if (!r.ok || r.status < 200 || r.status > 299 || r.body_truncated)
    return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false, false);
}

}  // namespace

ReadyResult WaitReady(const ReadyCheck& check) {
  ReadyResult out;
  const auto deadline = Clock::now() + check.timeout;
  const std::chrono::milliseconds per_get{5'000};
  std::string last = "no answer yet";
  bool health_ok = false;
  for (;;) {
    if (check.exited) {
      std::string why = check.exited();
      if (!why.empty()) {
        out.error = why + " before it was ready (last: " + last + ")";
        return out;
      }
    }
    if (!health_ok) {
      util::HttpResponse r =
          Get(check.root_url + check.ready_path, per_get, 1 << 20);
      health_ok = r.ok && r.status >= 200 && r.status <= 299;
      last = Describe(check.ready_path, r);
    }
    if (health_ok) {
      util::HttpResponse r =
          Get(check.root_url + "/v1/models", per_get, 1 << 20);
      nlohmann::json j = ParseJson(r);
      if (j.is_object() && j.contains("data") && j["data"].is_array() &&
          !j["data"].empty()) {
        out.ready = true;
        out.models = j;
        return out;
      }
      last = r.ok && r.status == 200 ? "GET /v1/models: no model listed"
                                     : Describe("/v1/models", r);
    }
    if (util::StopRequested()) {  // the run is being stopped (util/stop.h)
      out.error = "stopped before it was ready (last: " + last + ")";
      return out;
    }
    if (Clock::now() + check.interval > deadline) {
      out.error =
          "not ready after " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(check.timeout)
                  .count()) +
          " s (last: " + last + ")";
      return out;
    }
    std::this_thread::sleep_for(check.interval);
  }
}

nlohmann::json ServerIdentity(const std::string& root_url) {
  const std::chrono::milliseconds t{2'000};
  const size_t cap = 256 * 1024;
  nlohmann::json props = ParseJson(Get(root_url + "/props", t, cap));
  if (props.is_object() && props.contains("build_info")) {
    nlohmann::json id = {{"kind", "llama.cpp"},
                         {"build_info", props["build_info"]}};
    if (props.contains("model_path")) id["model_path"] = props["model_path"];
    if (props.contains("total_slots")) id["total_slots"] = props["total_slots"];
    const auto& gen =
        props.value("default_generation_settings", nlohmann::json::object());
    if (gen.is_object() && gen.contains("n_ctx")) id["n_ctx"] = gen["n_ctx"];
    return id;
  }
  nlohmann::json ollama = ParseJson(Get(root_url + "/api/version", t, cap));
  if (ollama.is_object() && ollama.contains("version"))
    return {{"kind", "ollama"}, {"version", ollama["version"]}};
  nlohmann::json sglang = ParseJson(Get(root_url + "/get_server_info", t, cap));
  if (sglang.is_object() && sglang.contains("version"))
    return {{"kind", "sglang"}, {"version", sglang["version"]}};
  nlohmann::json version = ParseJson(Get(root_url + "/version", t, cap));
  if (version.is_object() && version.contains("version"))
    return {{"kind", "vllm"}, {"version", version["version"]}};
  return {{"kind", "unknown"}};
}

nlohmann::json ServedModelEntry(const nlohmann::json& models,
                                const std::string& model_id) {
  if (!models.is_object() || !models.contains("data") ||
      !models["data"].is_array() || models["data"].empty())
    return nullptr;
  const nlohmann::json* pick = &models["data"][0];
  for (const auto& m : models["data"]) {
    if (m.is_object() && m.value("id", "") == model_id) pick = &m;
  }
  if (!pick->is_object()) return nullptr;
  nlohmann::json out = nlohmann::json::object();
  for (const char* k : {"id", "owned_by", "max_model_len", "meta"}) {
    if (pick->contains(k)) out[k] = (*pick)[k];
  }
  return out;
}

}  // namespace endstate::servers
