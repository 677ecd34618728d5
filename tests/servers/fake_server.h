// Helpers for tests that start tests/servers/fake_model_server.py as a
// managed server: its command line, a scratch folder, and whether a pid is
// gone.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "servers/serve_config.h"

namespace endstate::servers::testing {

inline std::string FakeServerScript() {
  return std::string(ENDSTATE_SOURCE_DIR) +
         "/tests/servers/fake_model_server.py";
}

// A serve block running the fake server on an automatic port with `extra`
// arguments; short timeouts so that tests take seconds.
inline ServeConfig FakeServe(std::vector<std::string> extra = {}) {
  ServeConfig s;
  s.command = {"python3", FakeServerScript(), "--port", "{port}"};
  for (auto& e : extra) s.command.push_back(std::move(e));
  s.ready_timeout = std::chrono::seconds(20);
  s.stop_grace = std::chrono::seconds(1);
  return s;
}

// Whether `pid` no longer runs (gone, or a zombie nobody reaped yet).
inline bool ProcessGone(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() &&
         (line[close + 2] == 'Z' || line[close + 2] == 'X');
}

// Waits up to `timeout` for every pid to be gone.
inline bool AllGone(const std::vector<pid_t>& pids,
                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool all = true;
    for (pid_t p : pids) all = all && ProcessGone(p);
    if (all) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The pids the fake server wrote with --pid-file (server, then leaked
// child); waits up to 10 s for the file.
inline std::vector<pid_t> ReadPids(const std::string& path) {
  std::vector<pid_t> pids;
  for (int i = 0; i < 500 && pids.empty(); ++i) {
    std::ifstream in(path);
    pid_t p;
    while (in >> p) pids.push_back(p);
    if (pids.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pids;
}

}  // namespace endstate::servers::testing
