// One server process started in a process group of its own, watched by a
// small supervisor process so that the group dies with endstate (docs/
// servers.md, "Always stopped").
//
// Life of a server: Spawn() forks a supervisor, which forks the server
// (new process group, PR_SET_PDEATHSIG(SIGKILL) towards the supervisor,
// stdin /dev/null, stdout and stderr appended to the log file) and then
// watches two things: the server's exit, and a control socket whose other end
// only endstate holds. When the server exits, the supervisor kills what is
// left of its group (children it leaked), reports the exit status and
// ends. When endstate asks it to stop, or when the control socket reaches EOF
// because endstate died (SIGKILL included), it sends the stop signal to the
// group, waits the grace period, sends SIGKILL to the group, and ends. The
// supervisor ignores SIGINT, SIGTERM, SIGHUP and SIGQUIT, so a Ctrl-C in
// the terminal reaches endstate (which stops servers itself) and never
// leaves the server without its watcher.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace endstate::servers {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] searched on PATH without '/'
  std::map<std::string, std::string> env;  // added to endstate's environment
  std::string log_path;  // created (parent folders too) and truncated
  int stop_signal = 15;  // SIGTERM
  std::chrono::milliseconds stop_grace{30'000};  // then SIGKILL
};

// Owns one supervised server. Thread-safe; the destructor stops the server.
class ServerProcess {
 public:
  // Starts the server. Returns nullptr and sets *err when argv[0] cannot be
  // found or executed, the log cannot be created, or fork fails (an exec
  // failure after the fork shows as an exit with status 127 and the reason
  // in the log).
  static std::unique_ptr<ServerProcess> Spawn(const SpawnSpec& spec,
                                              std::string* err);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return server_pid_; }  // also its process group id
  const std::string& log_path() const { return log_path_; }

  // nullopt while the server runs; then "exited with status N" or "killed
  // by signal N (SIGKILL)".
  std::optional<std::string> ExitDescription() const;

  // Waits up to `timeout` for the server to exit; true when it has.
  bool WaitExit(std::chrono::milliseconds timeout) const;

  // Stops the group (stop signal, grace, SIGKILL) and waits for the
  // supervisor. Idempotent. Returns the exit description.
  std::string Stop();

 private:
  ServerProcess() = default;
  void Monitor();

  pid_t supervisor_pid_ = -1, server_pid_ = -1;
  int control_fd_ = -1;  // write end: a byte or EOF means "stop"
  int status_fd_ = -1;   // read end: the server's wait status
  std::string log_path_;
  std::chrono::milliseconds stop_grace_{0};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::optional<std::string> exit_;
  bool stopped_ = false;
  std::thread monitor_;
};

// The last `max_lines` lines of the file at `path`, read from at most its
// last `max_bytes` bytes ("" when unreadable).
std::string LogTail(const std::string& path, size_t max_bytes = 4096,
                    int max_lines = 20);

}  // namespace endstate::servers
