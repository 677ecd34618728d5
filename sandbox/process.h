// Runs one command isolated in bubblewrap (or plainly, for benchmarks),
// driven by Boost.Process v2. Facts behind the choices: NOTES.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace endstate::sandbox {

// A directory of the host made visible inside the sandbox.
struct Mount {
  std::filesystem::path host;  // absolute path on the host
  std::string inside;          // absolute path inside the sandbox
  bool writable = false;
};

struct ShellLimits {
  std::chrono::milliseconds timeout{60'000};     // wall clock, whole tree
  size_t max_output_bytes = 64 * 1024;           // stdout and stderr, each
  int max_pids = 256;                            // processes in the sandbox
  uint64_t max_memory_bytes = 2ull << 30;        // address space per process
  uint64_t max_total_memory_bytes = 4ull << 30;  // all processes of one run
                                                 // together, /tmp included
                                                 // (memory cgroup; 0 = none)
  uint64_t max_file_bytes = 256ull << 20;        // largest file written
  uint64_t max_world_bytes = 1ull << 30;  // the whole world of an attempt:
                                          // workspace, hosts' roots (its
                                          // own tmpfs, sandbox/world_disk.h;
                                          // 0 = none); read by World::Create
};

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute path inside
  std::vector<Mount> mounts;      // besides the read-only system dirs
  std::string workdir = "/";      // inside the sandbox
  std::vector<std::pair<std::string, std::string>> env;  // the whole env
  std::string stdin_data;  // written to stdin, then closed
  ShellLimits limits;
  bool isolate = true;  // false: plain fork/exec (benchmarks, trusted)
  // Kill the tree when util::StopRequested() (util/stop.h: the run is being
  // stopped), checked every 100 ms; the result then has `stopped` set.
  bool abort_on_stop = false;
};

struct ProcessResult {
  bool started = false;    // false: could not start (see error)
  std::string error;       // why it could not start
  int exit_code = -1;      // WEXITSTATUS when exited normally
  int signal = 0;          // terminating signal, 0 when exited
  bool timed_out = false;  // killed at limits.timeout
  bool stopped = false;    // killed because the run is being stopped
  bool output_truncated = false;
  bool memory_limit_hit = false;  // max_total_memory_bytes was reached
  std::string out;                // stdout, at most max_output_bytes
  std::string err;                // stderr, at most max_output_bytes
  std::chrono::microseconds duration{0};
};

// Runs `spec` to completion. Never throws for the command's own failure: a
// non-zero exit, a timeout or an output cap are reported in the result. On
// timeout the whole process tree is killed. Thread-safe.
//
// Isolation (spec.isolate): bwrap with --unshare-all (no network but
// loopback of its own), --unshare-user --uid 1000 --gid 1000 --cap-drop ALL
// --disable-userns (no nested user namespace), --die-with-parent
// --new-session, a tmpfs root with /usr (and /bin, /lib* links), /etc
// read-only, fresh /proc, /dev, /tmp, and spec.mounts.
// Details (sandbox/bwrap_args.h, sandbox/limits.h): /etc entries that are
// not world-readable are hidden; /tmp is a tmpfs of max(64 MiB,
// 4 x max_file_bytes); max_pids holds through a cgroup v1 pids controller
// when one is writable. bwrap reports a command killed by signal N as exit
// 128+N, so isolated runs report exit_code 128+N with signal N for exit
// codes 129..192; plain runs report the real wait status (exit_code -1).
ProcessResult RunProcess(const ProcessSpec& spec);

// Absolute path of `bwrap`, or empty when it is not installed.
std::string BwrapPath();

}  // namespace endstate::sandbox
