// The life of one managed model server (docs/servers.md): memory
// pre-flight, start in its own process group, wait until ready, collect
// provenance, notice when it dies (restarting it up to `restart` times),
// stop it. evaluator/ drives one per model that has a `serve:` block.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "servers/memory.h"
#include "servers/serve_config.h"
#include "servers/server_process.h"

namespace endstate::servers {

struct ServerOptions {
  // Server logs: DIR/<model name>-<pid of endstate>-<n>.log.
  std::string log_dir = "/var/tmp/endstate-servers";
  MemorySources memory{};
  std::chrono::milliseconds ready_interval{200};  // between ready polls
  // Progress lines ("server qwen-bf16: starting ..."); nullptr = none.
  // Called from any thread.
  std::function<void(const std::string&)> log = nullptr;
};

// Thread-safe. The destructor stops the server.
class ManagedServer {
 public:
  // `model_name` names the server in messages; `model_id` picks the
  // /v1/models entry recorded as provenance.
  ManagedServer(std::string model_name, std::string model_id, ServeConfig serve,
                ServerOptions options);
  ~ManagedServer();

  // Pre-flight, spawn, ready. Returns false with *err ("server 'NAME':
  // memory pre-flight: ...", "server 'NAME': exited with status 1 before it
  // was ready (last: ...); log tail (PATH):\n...") and leaves nothing
  // running.
  bool Start(std::string* err);

  // "http://HOST:PORT/v1" once a port is chosen (after Start).
  std::string base_url() const;

  // "" while the server runs. When it has died: restarts it if restarts
  // are left (blocking the caller until ready again; "" on success), else
  // returns "server 'NAME' exited with status 1 (...); log tail (PATH):
  // ...". The hook models::ModelConfig::endpoint_down calls this.
  std::string DownReason();

  // Stops the server (stop signal, grace, SIGKILL to its group). Idempotent.
  void Stop();

  // Command line, environment (secrets redacted), identity, served model,
  // times and memory; docs/servers.md "Provenance" lists every key.
  nlohmann::json Provenance() const;

  pid_t pid() const;  // the running server's pid, -1 when none

 private:
  bool StartLocked(std::string* err);
  std::string Tail() const;
  void Log(const std::string& line) const;

  const std::string name_, model_id_;
  const ServeConfig serve_;
  const ServerOptions options_;
  mutable std::mutex mu_;
  int port_ = 0;
  int starts_ = 0;  // spawns so far (1 + restarts)
  std::unique_ptr<ServerProcess> process_;
  std::string down_;  // set once the server is down for good
  nlohmann::json provenance_ = nlohmann::json::object();
};

// The environment as recorded: values of variables whose name contains
// KEY, TOKEN, SECRET, PASSWORD, PASSWD, CREDENTIAL or AUTH
// (case-insensitive) become "<redacted>".
nlohmann::json RedactedEnv(const std::map<std::string, std::string>& env);

// A free TCP port on `host` (bound to port 0, then released); 0 on failure.
int FreePort(const std::string& host);

// "2026-12-04T22:51:06.123Z", now.
std::string UtcNow();

}  // namespace endstate::servers
