// The supervisor runs in a child forked from a multi-threaded process: until
// it exits it calls only async-signal-safe functions (no allocation, no
// locks), on data prepared before the fork.
#include "servers/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

extern char** environ;

namespace endstate::servers {
namespace {

// Everything the forked children need, built before the fork.
struct ExecData {
  std::string path;
  std::vector<std::string> argv_store, env_store;
  std::vector<char*> argv, envp;
};

std::string FindOnPath(const std::string& name, const std::string& path_var) {
  if (name.find('/') != std::string::npos) return name;
  size_t start = 0;
  while (start <= path_var.size()) {
    size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

bool PrepareExec(const SpawnSpec& spec, ExecData* d, std::string* err) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    *err = "serve.command: empty command";
    return false;
  }
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : spec.env) env[k] = v;
  const std::string path_var =
      env.count("PATH") ? env["PATH"] : "/usr/bin:/bin";
  d->path = FindOnPath(spec.argv[0], path_var);
  if (d->path.empty()) {
    *err = "serve.command[0]: '" + spec.argv[0] + "' not found on PATH";
    return false;
  }
  if (access(d->path.c_str(), X_OK) != 0) {
    *err = "serve.command[0]: '" + d->path +
           "' is not executable: " + std::strerror(errno);
    return false;
  }
  d->argv_store = spec.argv;
  for (const auto& [k, v] : env) d->env_store.push_back(k + "=" + v);
  for (auto& a : d->argv_store) d->argv.push_back(a.data());
  d->argv.push_back(nullptr);
  for (auto& e : d->env_store) d->envp.push_back(e.data());
  d->envp.push_back(nullptr);
  return true;
}

void SleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Closes every descriptor >= 3 except those in `keep` (sorted ascending).
void CloseAllBut(const int* keep, int n) {
  unsigned lo = 3;
  for (int i = 0; i < n; ++i) {
    if (keep[i] < 3) continue;
    if (static_cast<unsigned>(keep[i]) > lo)
      close_range(lo, static_cast<unsigned>(keep[i]) - 1, 0);
    lo = static_cast<unsigned>(keep[i]) + 1;
  }
  close_range(lo, ~0U, 0);
}

void WriteAll(int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

[[noreturn]] void RunServer(const ExecData& d, int log_fd) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE})
    sigaction(s, &dfl, nullptr);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(log_fd, 1);
  dup2(log_fd, 2);
  CloseAllBut(nullptr, 0);
  execve(d.path.c_str(), d.argv.data(), d.envp.data());
  const char* msg = "endstate: exec of the server command failed: ";
  WriteAll(2, msg, strlen(msg));
  const char* why = strerror(errno);
  WriteAll(2, why, strlen(why));
  WriteAll(2, "\n", 1);
  _exit(127);
}

// Waits up to grace_ms for `pid` to exit; true when reaped (*status set).
bool WaitFor(pid_t pid, long grace_ms, int* status) {
  for (long waited = 0;; waited += 20) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;
    if (waited >= grace_ms) return false;
    SleepMs(20);
  }
}

[[noreturn]] void Supervise(const ExecData& d, int log_fd, int control_fd,
                            int status_fd, int stop_signal, long grace_ms) {
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE})
    sigaction(s, &ign, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int keep[3] = {log_fd, control_fd, status_fd};
  std::sort(keep, keep + 3);
  CloseAllBut(keep, 3);

  const pid_t self = getpid();
  pid_t server = fork();
  if (server == 0) {
    close(control_fd);
    close(status_fd);
    if (getppid() != self) _exit(127);  // the supervisor died already
    RunServer(d, log_fd);
  }
  if (server < 0) _exit(1);
  setpgid(server, server);  // also here: no window where it is not set
  close(log_fd);
  WriteAll(status_fd, &server, sizeof server);

  int status = 0;
  for (;;) {
    pid_t r = waitpid(server, &status, WNOHANG);
    if (r == server) {
      killpg(server, SIGKILL);  // whatever it left behind in its group
      break;
    }
    pollfd p{control_fd, POLLIN, 0};
    int n = poll(&p, 1, 50);
    if (n > 0) {
      // A byte (stop) or EOF/error (endstate is gone): stop the group.
      killpg(server, stop_signal);
      if (!WaitFor(server, grace_ms, &status)) {
        killpg(server, SIGKILL);
        while (waitpid(server, &status, 0) < 0 && errno == EINTR) {
        }
      }
      killpg(server, SIGKILL);
      break;
    }
  }
  WriteAll(status_fd, &status, sizeof status);
  _exit(0);
}

std::string Describe(int status) {
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int s = WTERMSIG(status);
    const char* name = sigabbrev_np(s);
    return "killed by signal " + std::to_string(s) +
           (name ? " (SIG" + std::string(name) + ")" : "");
  }
  return "ended (wait status " + std::to_string(status) + ")";
}

bool ReadAll(int fd, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

std::unique_ptr<ServerProcess> ServerProcess::Spawn(const SpawnSpec& spec,
                                                    std::string* err) {
  ExecData d;
  if (!PrepareExec(spec, &d, err)) return nullptr;
  std::error_code ec;
  std::filesystem::create_directories(
      std::filesystem::path(spec.log_path).parent_path(), ec);
  int log_fd = open(spec.log_path.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    *err = "cannot create the server log " + spec.log_path + ": " +
           std::strerror(errno);
    return nullptr;
  }
  // The control channel is a socket pair so that writing to it after the
  // supervisor ended gives EPIPE, never SIGPIPE (send MSG_NOSIGNAL).
  int control[2], status[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) != 0) {
    *err = std::string("socketpair: ") + std::strerror(errno);
    close(log_fd);
    return nullptr;
  }
  if (pipe2(status, O_CLOEXEC) != 0) {
    *err = std::string("pipe: ") + std::strerror(errno);
    close(log_fd);
    close(control[0]);
    close(control[1]);
    return nullptr;
  }
  const long grace_ms = static_cast<long>(spec.stop_grace.count());
  pid_t sup = fork();
  if (sup == 0) {
    Supervise(d, log_fd, control[0], status[1], spec.stop_signal, grace_ms);
  }
  const int fork_errno = errno;
  close(log_fd);
  close(control[0]);
  close(status[1]);
  if (sup < 0) {
    close(control[1]);
    close(status[0]);
    *err = std::string("fork: ") + std::strerror(fork_errno);
    return nullptr;
  }
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->supervisor_pid_ = sup;
  p->control_fd_ = control[1];
  p->status_fd_ = status[0];
  p->log_path_ = spec.log_path;
  p->stop_grace_ = spec.stop_grace;
  pid_t server = -1;
  if (!ReadAll(p->status_fd_, &server, sizeof server)) {
    *err = "the server supervisor failed to start the server";
    return nullptr;  // the destructor reaps the supervisor
  }
  p->server_pid_ = server;
  p->monitor_ = std::thread([raw = p.get()] { raw->Monitor(); });
  return p;
}

void ServerProcess::Monitor() {
  int status = 0;
  std::string what = ReadAll(status_fd_, &status, sizeof status)
                         ? Describe(status)
                         : "lost (its supervisor died)";
  while (waitpid(supervisor_pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mu_);
  supervisor_pid_ = -1;  // reaped
  exit_ = what;
  cv_.notify_all();
}

std::optional<std::string> ServerProcess::ExitDescription() const {
  std::lock_guard lock(mu_);
  return exit_;
}

bool ServerProcess::WaitExit(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return exit_.has_value(); });
}

std::string ServerProcess::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!stopped_ && control_fd_ >= 0) {
      char stop = 'S';
      (void)send(control_fd_, &stop, 1, MSG_NOSIGNAL);
    }
    stopped_ = true;
  }
  if (monitor_.joinable()) monitor_.join();
  std::lock_guard lock(mu_);
  return exit_.value_or("not started");
}

ServerProcess::~ServerProcess() {
  if (monitor_.joinable()) {
    Stop();
  } else if (supervisor_pid_ > 0) {
    close(control_fd_);  // EOF: the supervisor stops the group and exits
    control_fd_ = -1;
    while (waitpid(supervisor_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (control_fd_ >= 0) close(control_fd_);
  if (status_fd_ >= 0) close(status_fd_);
}

std::string LogTail(const std::string& path, size_t max_bytes, int max_lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const auto cap = static_cast<std::streamoff>(max_bytes);
  const std::streamoff from = size > cap ? size - cap : 0;
  in.seekg(from);
  std::string text(static_cast<size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  // A cut first line is dropped; so are trailing blank lines.
  if (from > 0) {
    size_t nl = text.find('\n');
    text = nl == std::string::npos ? "" : text.substr(nl + 1);
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t at = text.size();
  for (int i = 0; i < max_lines; ++i) {
    if (at == 0 || at == std::string::npos) return text;
    at = text.rfind('\n', at - 1);
    if (at == std::string::npos) return text;
  }
  return text.substr(at + 1);
}

}  // namespace endstate::servers
