// Resource limits of one sandboxed run (internal to sandbox/).
//
// What holds where (measured on this platform, see NOTES.md):
// - Address space, file size and CPU time: rlimits set in the forked child
//   before exec; bwrap and everything below it inherit them.
// - Process count: RLIMIT_NPROC does NOT bound the sandbox. We run as root and
//   bwrap maps the sandbox uid 1000 onto real uid 0, which the kernel exempts
//   from RLIMIT_NPROC (measured: 50 children under `prlimit --nproc=20`).
//   Instead each run gets its own child of the cgroup v1 `pids` controller
//   (/sys/fs/cgroup/pids/endstate/run-<pid>-<n>) with pids.max = max_pids;
//   the forked child joins it before exec, so bwrap itself and every
//   descendant count (bwrap uses 2 of the budget). The cgroup also lists
//   every process of the run, which makes it the reliable "kill the whole
//   tree" handle. When no writable pids hierarchy exists (not root, cgroup
//   v2 only), the run still works but the process count is unbounded.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "sandbox/process.h"

namespace endstate::sandbox {

// The rlimits applied in the child; plain values so the child needs no
// allocation (async-signal-safe use after fork).
struct ChildLimits {
  uint64_t address_space = 0;  // bytes, RLIMIT_AS (0 = unchanged)
  uint64_t file_size = 0;      // bytes, RLIMIT_FSIZE (0 = unchanged)
  uint64_t cpu_seconds = 0;    // RLIMIT_CPU (0 = unchanged)
  int cgroup_procs_fd = -1;    // open cgroup.procs to join, or -1
  int memory_procs_fd = -1;    // the memory cgroup's, or -1
};

// Derives the child's limits from `limits`: CPU time gets a generous bound
// (twice the wall-clock timeout plus 5 s) as a backstop only.
ChildLimits MakeChildLimits(const ShellLimits& limits);

// Runs in the forked child before exec (async-signal-safe only): new process
// group, default SIGPIPE and empty signal mask, rlimits, cgroup join, and
// close-on-exec for every descriptor above 2. Returns 0 or an errno value.
int SetUpChild(const ChildLimits& limits);

// One pids cgroup for one run. Not thread-safe; one per run.
class PidsCgroup {
 public:
  // Creates the cgroup with pids.max = max_pids, or returns nullptr when the
  // pids controller is not available (no error: the limit is best effort).
  static std::unique_ptr<PidsCgroup> Create(int max_pids);
  // Kills every member, then removes the cgroup (retrying while members
  // are still exiting).
  ~PidsCgroup();
  PidsCgroup(const PidsCgroup&) = delete;
  PidsCgroup& operator=(const PidsCgroup&) = delete;

  int procs_fd() const { return procs_fd_; }
  // SIGKILLs every process currently in the cgroup; returns how many.
  int KillAll() const;
  // pids.events "max" counter: forks refused because of pids.max.
  int64_t ForksRefused() const;

 private:
  PidsCgroup(std::filesystem::path dir, int procs_fd)
      : dir_(std::move(dir)), procs_fd_(procs_fd) {}
  std::filesystem::path dir_;
  int procs_fd_ = -1;
};

// One memory cgroup (v1) for one run: memory.limit_in_bytes bounds the
// memory of every process of the run together, /tmp's tmpfs pages
// included (the address-space rlimit bounds each process only: 4 x 1.5
// GiB fit under a 2 GiB rlimit). At the limit the kernel reclaims, then
// OOM-kills inside the cgroup only. Not thread-safe; one per run.
class MemoryCgroup {
 public:
  // nullptr when max_bytes is 0 or the memory controller is not available
  // (no error: best effort, like PidsCgroup).
  static std::unique_ptr<MemoryCgroup> Create(uint64_t max_bytes);
  // Kills every member, then removes the cgroup.
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  int procs_fd() const { return procs_fd_; }
  // The cgroup's directory (/sys/fs/cgroup/memory/endstate/run-<pid>-<n>).
  const std::filesystem::path& dir() const { return dir_; }
  // Whether the run reached the limit (an allocation was refused or a
  // process OOM-killed).
  bool LimitHit() const;

 private:
  MemoryCgroup(std::filesystem::path dir, int procs_fd)
      : dir_(std::move(dir)), procs_fd_(procs_fd) {}
  std::filesystem::path dir_;
  int procs_fd_ = -1;
};

// Removes the pids (and memory) cgroups left by processes killed before their
// PidsCgroup destructor ran (named run-<pid>-<n>; the pid is gone): kills
// any member still inside, then removes the directory. Returns how many
// were removed; errors are ignored (best effort, like the limit itself).
int SweepStalePidsCgroups();

}  // namespace endstate::sandbox
