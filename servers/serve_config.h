// A managed model server: how endstate starts, checks and stops the process
// that serves one configured model (the `serve:` block of a model in the
// config, docs/config.md and docs/servers.md). Plain data; the lifecycle is
// servers/managed_server.h.
#pragma once

#include <chrono>
#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace endstate::servers {

struct ServeConfig {
  // argv of the server; "{port}" in any element is replaced by the port.
  // argv[0] is looked up on PATH when it has no '/'.
  std::vector<std::string> command;
  // Added to endstate's environment; "{port}" in a value is replaced.
  std::map<std::string, std::string> env;
  int port = 0;                             // 0 = "auto": a free port
  std::string host = "127.0.0.1";           // where the server listens
  std::string ready_path = "/health";       // GET must answer 2xx
  std::chrono::seconds ready_timeout{600};  // from start to ready
  int stop_signal = SIGTERM;                // sent to the process group
  std::chrono::seconds stop_grace{30};      // then SIGKILL
  double need_gb = 0;        // memory the model needs (0 = no pre-flight)
  bool drop_caches = false;  // may drop the page cache when short (root)
  std::string exclusive;     // group name; "" = runs alongside others
  int restart = 0;           // restarts allowed after the server died
};

// Signal names accepted by `stop.signal`: TERM, INT, QUIT, HUP, KILL (with
// or without "SIG"). Returns 0 for anything else.
int SignalNumber(const std::string& name);
std::string SignalName(int signal);

// The command with "{port}" replaced by `port` in every element.
std::vector<std::string> ExpandCommand(const ServeConfig& serve, int port);
// The env values with "{port}" replaced by `port`.
std::map<std::string, std::string> ExpandEnv(const ServeConfig& serve,
                                             int port);

// "http://HOST:PORT/v1", the base_url of the model it serves.
std::string ServedBaseUrl(const ServeConfig& serve, int port);

// The serve block as JSON (run state for `run --resume`, docs/database.md)
// and back. ParseServeJson throws nlohmann::json::exception on a type
// mismatch; missing keys keep the defaults.
nlohmann::json ServeJson(const ServeConfig& serve);
ServeConfig ParseServeJson(const nlohmann::json& j);

}  // namespace endstate::servers
