#include "results/run_status.h"

#include <signal.h>
#include <sys/types.h>

#include <cerrno>

namespace endstate::results {

std::string ShownRunStatus(const RunLiveness& run,
                           const std::string& this_host) {
  if (run.status == "finished") return "finished";
  if (run.cancelled) return "cancelled";
  if (run.pid > 0 && !run.pid_host.empty() && run.pid_host == this_host &&
      !ProcessAlive(run.pid)) {
    return "killed";
  }
  return "running";
}

bool ProcessAlive(int64_t pid) {
  if (pid <= 0 || pid > INT32_MAX) return false;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace endstate::results
