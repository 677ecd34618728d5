// What a run's state is, as `endstate runs` shows it (docs/cli.md, "runs"):
// the status column holds only running | finished (schema v1), so a run
// stopped by SIGINT or SIGTERM is told by runs.cancelled_at, and a run whose
// process died without a word (SIGKILL, a crash, a reboot) by its recorded
// pid no longer being alive on its recorded host (runs.pid, runs.pid_host,
// schema v6). Pure functions but for ProcessAlive (a kill(pid, 0) probe);
// thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace endstate::results {

// The recorded columns of one run that decide its shown status.
struct RunLiveness {
  std::string status{};    // runs.status: running | finished
  bool cancelled = false;  // runs.cancelled_at is set
  int64_t pid = 0;         // runs.pid; 0 = not recorded (before v6)
  std::string pid_host{};  // runs.pid_host; "" = not recorded
};

// "finished"; "cancelled" (stopped by a signal, resumable); "killed"
// (status running, recorded on `this_host`, its pid not alive); else
// "running" (alive, or on another host, or no pid recorded: unknown, shown
// as running). A pid reused by an unrelated process after a kill reads as
// alive: the run then shows running until that process ends.
std::string ShownRunStatus(const RunLiveness& run,
                           const std::string& this_host);

// Whether a process with this pid exists on this machine (kill(pid, 0)
// succeeds or fails with EPERM). pid <= 0 is never alive.
bool ProcessAlive(int64_t pid);

}  // namespace endstate::results
