#include "sandbox/limits.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

namespace endstate::sandbox {
namespace {

constexpr char kPidsRoot[] = "/sys/fs/cgroup/pids";
constexpr char kPidsParent[] = "/sys/fs/cgroup/pids/endstate";
constexpr char kMemoryRoot[] = "/sys/fs/cgroup/memory";
constexpr char kMemoryParent[] = "/sys/fs/cgroup/memory/endstate";

int SetLimit(int resource, uint64_t value) {
  if (value == 0) return 0;
  struct rlimit rl;
  rl.rlim_cur = value;
  rl.rlim_max = value;
  return setrlimit(resource, &rl) == 0 ? 0 : errno;
}

bool WriteSmallFile(const std::filesystem::path& path,
                    const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

std::vector<pid_t> ReadPids(const std::filesystem::path& procs) {
  std::vector<pid_t> pids;
  std::ifstream in(procs);
  pid_t pid;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

}  // namespace

ChildLimits MakeChildLimits(const ShellLimits& limits) {
  ChildLimits out;
  out.address_space = limits.max_memory_bytes;
  out.file_size = limits.max_file_bytes;
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(limits.timeout).count();
  out.cpu_seconds = static_cast<uint64_t>(seconds > 0 ? seconds : 1) * 2 + 5;
  return out;
}

int SetUpChild(const ChildLimits& limits) {
  // Our own process group, so a plain (non-isolated) run can be killed as a
  // whole with killpg.
  if (setpgid(0, 0) != 0) return errno;
  // A parent that ignores SIGPIPE would pass that on through exec, and
  // `yes | head` would then spin instead of dying.
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (int e = SetLimit(RLIMIT_AS, limits.address_space)) return e;
  if (int e = SetLimit(RLIMIT_FSIZE, limits.file_size)) return e;
  if (int e = SetLimit(RLIMIT_CPU, limits.cpu_seconds)) return e;
  // "0" moves the writing process (cgroup v1).
  for (int fd : {limits.cgroup_procs_fd, limits.memory_procs_fd}) {
    if (fd >= 0 && write(fd, "0", 1) != 1) return errno;
  }
  // Boost.Process 1.81's close_range path skips the gap between fd 2 and its
  // error pipe (a bug), so descriptors of other threads could leak into the
  // sandbox. Mark everything above stderr close-on-exec; the error pipe is
  // close-on-exec already.
  syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
  return 0;
}

namespace {

// Creates run-<pid>-<n> below `parent` of a cgroup v1 hierarchy mounted at
// `root`, writes `setting` = `value` in it and opens its cgroup.procs.
// False when the controller is unavailable (the caller goes on without).
bool MakeRunCgroup(const char* root, const char* parent, const char* setting,
                   const std::string& value, std::filesystem::path* dir,
                   int* procs_fd) {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(root) / "tasks", ec)) {
    return false;
  }
  std::filesystem::create_directory(parent, ec);
  if (ec) return false;
  std::ostringstream name;
  name << "run-" << getpid() << "-" << counter.fetch_add(1);
  *dir = std::filesystem::path(parent) / name.str();
  std::filesystem::create_directory(*dir, ec);
  if (ec) return false;
  if (!WriteSmallFile(*dir / setting, value)) {
    std::filesystem::remove(*dir, ec);
    return false;
  }
  *procs_fd = open((*dir / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (*procs_fd < 0) {
    std::filesystem::remove(*dir, ec);
    return false;
  }
  return true;
}

int KillMembers(const std::filesystem::path& dir) {
  int killed = 0;
  for (pid_t pid : ReadPids(dir / "cgroup.procs")) {
    if (kill(pid, SIGKILL) == 0) ++killed;
  }
  return killed;
}

// Kills every member, then removes the cgroup. Killed processes leave the
// cgroup only once they are reaped; give them up to ~2 s (they are
// normally gone at once).
void RemoveRunCgroup(const std::filesystem::path& dir, int procs_fd) {
  if (procs_fd >= 0) close(procs_fd);
  for (int attempt = 0; attempt < 200; ++attempt) {
    KillMembers(dir);
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::unique_ptr<PidsCgroup> PidsCgroup::Create(int max_pids) {
  std::filesystem::path dir;
  int fd = -1;
  if (!MakeRunCgroup(kPidsRoot, kPidsParent, "pids.max",
                     std::to_string(max_pids), &dir, &fd)) {
    return nullptr;
  }
  return std::unique_ptr<PidsCgroup>(new PidsCgroup(dir, fd));
}

std::unique_ptr<MemoryCgroup> MemoryCgroup::Create(uint64_t max_bytes) {
  std::filesystem::path dir;
  int fd = -1;
  if (max_bytes == 0 ||
      !MakeRunCgroup(kMemoryRoot, kMemoryParent, "memory.limit_in_bytes",
                     std::to_string(max_bytes), &dir, &fd)) {
    return nullptr;
  }
  return std::unique_ptr<MemoryCgroup>(new MemoryCgroup(dir, fd));
}

MemoryCgroup::~MemoryCgroup() { RemoveRunCgroup(dir_, procs_fd_); }

bool MemoryCgroup::LimitHit() const {
  // memory.failcnt counts allocations refused at the limit (then reclaimed
  // or OOM-killed); oom_control's oom_kill counts the kills.
  std::ifstream in(dir_ / "memory.oom_control");
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "oom_kill" && value > 0) return true;
  }
  std::ifstream fail(dir_ / "memory.failcnt");
  int64_t failcnt = 0;
  return (fail >> failcnt) && failcnt > 0;
}

int PidsCgroup::KillAll() const { return KillMembers(dir_); }

int64_t PidsCgroup::ForksRefused() const {
  std::ifstream in(dir_ / "pids.events");
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "max") return value;
  }
  return 0;
}

int SweepStalePidsCgroups() {
  int removed = 0;
  for (const char* parent : {kPidsParent, kMemoryParent}) {
    std::error_code ec;
    std::filesystem::directory_iterator it(parent, ec);
    if (ec) continue;
    for (const auto& e : it) {
      const std::string name = e.path().filename().string();
      int pid = 0, n = 0;
      char tail = 0;
      if (std::sscanf(name.c_str(), "run-%d-%d%c", &pid, &n, &tail) != 2 ||
          pid <= 1) {
        continue;
      }
      if (kill(pid, 0) == 0 || errno == EPERM) continue;  // owner alive
      for (int attempt = 0; attempt < 20; ++attempt) {
        for (pid_t member : ReadPids(e.path() / "cgroup.procs")) {
          kill(member, SIGKILL);
        }
        if (rmdir(e.path().c_str()) == 0) {
          ++removed;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
  return removed;
}

PidsCgroup::~PidsCgroup() { RemoveRunCgroup(dir_, procs_fd_); }

}  // namespace endstate::sandbox
