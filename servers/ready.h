// Readiness of a started server: its ready path answers 2xx, then
// /v1/models lists a model (docs/servers.md, "Ready, not guessed"). Also the
// server's own identity for provenance.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace endstate::servers {

struct ReadyCheck {
  std::string root_url;                // "http://127.0.0.1:PORT", no slash
  std::string ready_path = "/health";  // first GET that must answer 2xx
  std::chrono::milliseconds timeout{600'000};  // whole wait
  std::chrono::milliseconds interval{200};     // between polls
  // Returns "" while the server process lives, else why it ended; the wait
  // stops at once when it is non-empty.
  std::function<std::string()> exited;
};

struct ReadyResult {
  bool ready = false;
  // When !ready: "not ready after 600 s (last: GET /health: HTTP 503)" or
  // "exited with status 1 before it was ready", or "stopped before it was
  // ready (last: ...)" when util::StopRequested() (the run is being
  // stopped; checked between polls).
  std::string error;
  nlohmann::json models = nullptr;  // the /v1/models answer when ready
};

// Polls until ready, the process exits, or the timeout. Each GET has a 5 s
// timeout and reads at most 1 MiB.
ReadyResult WaitReady(const ReadyCheck& check);

// What the server says it is, from whichever answers (2 s each, 256 KiB):
// llama.cpp GET /props (build_info, model_path, n_ctx, total_slots),
// Ollama GET /api/version, SGLang GET /get_server_info, vLLM GET /version
// (tried in that order): {"kind": "llama.cpp"|"ollama"|"sglang"|"vllm"|
// "unknown", "version" or "build_info", ...}.
nlohmann::json ServerIdentity(const std::string& root_url);

// The /v1/models entry whose id is `model_id` (else the first), keeping id,
// owned_by, max_model_len and meta; null when there is none.
nlohmann::json ServedModelEntry(const nlohmann::json& models,
                                const std::string& model_id);

}  // namespace endstate::servers
