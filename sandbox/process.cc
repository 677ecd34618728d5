// RunProcess: one Boost.Process v2 child driven by its own single-threaded
// io_context (NOTES.md: v1's waits and groups misbehave; v2 has no PATH
// search and no process-group option, hence SetUpChild).
//
// Life of a run:
//   1. stdin is a sealed memfd (no pipe to feed, no SIGPIPE in the harness),
//      stdout and stderr are pipes read asynchronously; bytes past
//      max_output_bytes are read and dropped so the child never blocks.
//   2. The child joins a fresh pids cgroup (limits.h) and its own process
//      group, sets its rlimits, then execs bwrap (or argv[0] when !isolate).
//   3. At the timeout every process of the run is SIGKILLed: the cgroup
//      members, the process group, the child. With --unshare-pid, bwrap's
//      death alone takes the whole namespace down (--die-with-parent).
//   4. When the child exits, leftovers (background jobs of a plain run) are
//      killed the same way, and the pipes get kDrainGrace to reach EOF.
//
// Exit status: bwrap reports a command killed by signal N as exit 128+N, the
// shell's convention, so for isolated runs an exit code in 129..192 is
// reported as exit_code = 128+N and signal = N (a command that itself
// exits 137 looks the same). Plain runs report the real wait status.
#include "sandbox/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process/v2.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include "sandbox/bwrap_args.h"
#include "sandbox/limits.h"
#include "util/stop.h"

namespace endstate::sandbox {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;

// How long the pipes may stay open after the child exited (a plain run's
// escaped daemon holding stdout) before we stop reading.
constexpr auto kDrainGrace = std::chrono::milliseconds(2000);
// How often a child run with abort_on_stop checks util::StopRequested().
constexpr auto kStopPoll = std::chrono::milliseconds(100);
constexpr size_t kReadChunk = 64 * 1024;

struct FdCloser {
  void operator()(int* fd) const {
    if (*fd >= 0) close(*fd);
    delete fd;
  }
};
using UniqueFd = std::unique_ptr<int, FdCloser>;
UniqueFd MakeFd(int fd) { return UniqueFd(new int(fd)); }

// stdin as an in-memory file: the child reads it at its own pace and gets
// EOF at the end; nothing for us to pump.
UniqueFd MakeStdin(const std::string& data, std::string* err) {
  if (data.empty()) {
    UniqueFd fd = MakeFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (*fd < 0) *err = std::string("open /dev/null: ") + strerror(errno);
    return fd;
  }
  UniqueFd fd = MakeFd(memfd_create("endstate-stdin", MFD_CLOEXEC));
  if (*fd < 0) {
    *err = std::string("memfd_create: ") + strerror(errno);
    return fd;
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(*fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *err = std::string("write stdin: ") + strerror(errno);
      return MakeFd(-1);
    }
    done += static_cast<size_t>(n);
  }
  lseek(*fd, 0, SEEK_SET);
  return fd;
}

// Boost.Process initializer running SetUpChild between fork and exec.
struct ChildSetup {
  const ChildLimits* limits;
  bp::error_code on_exec_setup(bp::posix::default_launcher&,
                               const bp::filesystem::path&,
                               const char* const*&) {
    int e = SetUpChild(*limits);
    return e ? bp::error_code(e, bp::system_category()) : bp::error_code();
  }
};

// Sets the child's whole environment. (bp::process_environment cannot be
// used: Boost 1.81 never defines its on_setup in header-only mode.)
struct ChildEnvironment {
  explicit ChildEnvironment(const std::vector<std::string>& entries) {
    for (const std::string& e : entries) pointers.push_back(e.c_str());
    pointers.push_back(nullptr);
  }
  bp::error_code on_setup(bp::posix::default_launcher& launcher,
                          const bp::filesystem::path&, const char* const*) {
    launcher.env = pointers.data();
    return {};
  }
  std::vector<const char*> pointers;
};

// Reads one pipe to EOF, keeping at most `cap` bytes.
class StreamReader {
 public:
  StreamReader(asio::readable_pipe& pipe, std::string* data, size_t cap,
               bool* truncated, std::function<void()> on_done)
      : pipe_(pipe),
        data_(data),
        cap_(cap),
        truncated_(truncated),
        on_done_(std::move(on_done)) {}
  void Start() {
    pipe_.async_read_some(asio::buffer(buf_),
                          [this](const bp::error_code& ec, size_t n) {
                            Append(n);
                            if (ec) {
                              done_ = true;
                              on_done_();
                              return;
                            }
                            Start();
                          });
  }
  bool done() const { return done_; }

 private:
  void Append(size_t n) {
    size_t room = cap_ > data_->size() ? cap_ - data_->size() : 0;
    if (n > room) *truncated_ = true;
    data_->append(buf_.data(), std::min(n, room));
  }
  asio::readable_pipe& pipe_;
  std::string* data_;
  size_t cap_;
  bool* truncated_;
  std::function<void()> on_done_;
  std::array<char, kReadChunk> buf_{};
  bool done_ = false;
};

void FillStatus(int status, bool isolated, ProcessResult* r) {
  if (WIFSIGNALED(status)) {
    r->signal = WTERMSIG(status);
    r->exit_code = -1;
    return;
  }
  r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (isolated && !r->timed_out && r->exit_code > 128 &&
      r->exit_code <= 128 + 64) {
    r->signal = r->exit_code - 128;
  }
}

ProcessResult Run(const ProcessSpec& spec) {
  ProcessResult r;
  const auto start = Clock::now();
  if (spec.argv.empty()) {
    r.error = "empty argv";
    return r;
  }
  if (spec.argv[0].empty() || spec.argv[0][0] != '/') {
    r.error = "argv[0] is not an absolute path: '" + spec.argv[0] + "'";
    return r;
  }
  std::string exe;
  std::vector<std::string> args;
  std::vector<std::string> env;
  if (spec.isolate) {
    exe = BwrapPath();
    if (exe.empty()) {
      r.error = "bwrap not found: apt-get install bubblewrap";
      return r;
    }
    args = BwrapArgs(spec);  // bwrap itself gets an empty environment
  } else {
    exe = spec.argv[0];
    args.assign(spec.argv.begin() + 1, spec.argv.end());
    for (const auto& [key, value] : spec.env) env.push_back(key + "=" + value);
  }
  UniqueFd stdin_fd = MakeStdin(spec.stdin_data, &r.error);
  if (*stdin_fd < 0) return r;

  std::unique_ptr<PidsCgroup> cgroup = PidsCgroup::Create(spec.limits.max_pids);
  ChildLimits child = MakeChildLimits(spec.limits);
  if (cgroup) child.cgroup_procs_fd = cgroup->procs_fd();
  std::unique_ptr<MemoryCgroup> memory =
      MemoryCgroup::Create(spec.limits.max_total_memory_bytes);
  if (memory) child.memory_procs_fd = memory->procs_fd();

  asio::io_context ctx(1);
  asio::readable_pipe out_pipe(ctx), err_pipe(ctx);
  bp::error_code ec;
  std::optional<bp::process> proc;
  bp::posix::default_launcher launcher;
  {
    // The child's ends of the pipes close when `stdio` goes out of scope;
    // until then we would never see EOF.
    bp::process_stdio stdio{*stdin_fd, out_pipe, err_pipe};
    ChildEnvironment environment(env);
    bp::process_start_dir start_dir(spec.isolate ? std::string("/")
                                                 : spec.workdir);
    ChildSetup setup{&child};
    proc.emplace(launcher(ctx.get_executor(), ec, exe, args, stdio, environment,
                          start_dir, setup));
  }
  stdin_fd.reset();
  if (ec) {
    // A failed exec leaves its child (already exiting) unreaped.
    if (launcher.pid > 0) waitpid(launcher.pid, nullptr, 0);
    r.error = "cannot start " + exe + ": " + ec.message();
    return r;
  }
  r.started = true;
  const pid_t pid = proc->id();

  bool exited = false;
  asio::steady_timer deadline(ctx), drain(ctx), stop_poll(ctx);
  auto kill_tree = [&] {
    if (cgroup) cgroup->KillAll();
    killpg(pid, SIGKILL);
  };
  std::unique_ptr<StreamReader> out_reader, err_reader;
  auto on_stream_done = [&] {
    if (exited && out_reader->done() && err_reader->done()) drain.cancel();
  };
  out_reader = std::make_unique<StreamReader>(
      out_pipe, &r.out, spec.limits.max_output_bytes, &r.output_truncated,
      on_stream_done);
  err_reader = std::make_unique<StreamReader>(
      err_pipe, &r.err, spec.limits.max_output_bytes, &r.output_truncated,
      on_stream_done);
  out_reader->Start();
  err_reader->Start();

  deadline.expires_after(spec.limits.timeout);
  deadline.async_wait([&](const bp::error_code& e) {
    if (e || exited) return;
    r.timed_out = true;
    kill_tree();
    kill(pid, SIGKILL);  // not reaped yet, so `pid` is still ours
  });

  // A run being stopped (util/stop.h) does not wait for its tool calls.
  std::function<void(const bp::error_code&)> poll_stop =
      [&](const bp::error_code& e) {
        if (e || exited) return;
        if (util::StopRequested()) {
          r.stopped = true;
          kill_tree();
          kill(pid, SIGKILL);
          return;
        }
        stop_poll.expires_after(kStopPoll);
        stop_poll.async_wait(poll_stop);
      };
  if (spec.abort_on_stop) poll_stop({});

  proc->async_wait([&](const bp::error_code& e, int /*portable code*/) {
    exited = true;
    stop_poll.cancel();
    r.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        Clock::now() - start);
    deadline.cancel();
    if (e) {
      r.error = "wait failed: " + e.message();
    } else {
      FillStatus(proc->native_exit_code(), spec.isolate, &r);
    }
    // Leftovers of a plain run (background jobs). The group may only be
    // killed while it has members, which keeps its id from being reused.
    if (cgroup) {
      cgroup->KillAll();
    } else if (!spec.isolate) {
      killpg(pid, SIGKILL);
    }
    if (out_reader->done() && err_reader->done()) return;
    drain.expires_after(kDrainGrace);
    drain.async_wait([&](const bp::error_code& de) {
      if (de) return;
      bp::error_code ignored;
      out_pipe.close(ignored);
      err_pipe.close(ignored);
    });
  });

  ctx.run();
  if (memory) r.memory_limit_hit = memory->LimitHit();
  return r;
}

}  // namespace

ProcessResult RunProcess(const ProcessSpec& spec) {
  try {
    return Run(spec);
  } catch (const std::exception& e) {
    ProcessResult r;
    r.error = std::string("sandbox: ") + e.what();
    return r;
  }
}

std::string BwrapPath() {
  for (const char* path : {"/usr/bin/bwrap", "/usr/local/bin/bwrap"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

}  // namespace endstate::sandbox
