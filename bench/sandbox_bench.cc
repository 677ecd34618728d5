// Sandbox start-up cost: what isolation adds to running one command, and
// what creating a world costs. Prints medians over kRuns runs.
//
//   cmake --build build --target sandbox_bench && build/bench/sandbox_bench
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "sandbox/process.h"
#include "sandbox/world.h"
#include "tasks/task.h"

namespace {

namespace fs = std::filesystem;
namespace sb = endstate::sandbox;
using Clock = std::chrono::steady_clock;

constexpr int kRuns = 50;

// Median wall time of `fn` in milliseconds; aborts the bench on failure.
double MedianMs(const char* label, const std::function<bool()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < kRuns; ++i) {
    auto start = Clock::now();
    if (!fn()) {
      std::fprintf(stderr, "%s: run %d failed\n", label, i);
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  double median = (ms[kRuns / 2 - 1] + ms[kRuns / 2]) / 2;
  std::printf("%-44s median %8.3f ms  (min %.3f, max %.3f)\n", label, median,
              ms.front(), ms.back());
  return median;
}

bool RawForkExec() {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/usr/bin/true", "true", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

bool Ok(const sb::ProcessResult& r) {
  if (!r.started || r.exit_code != 0) {
    std::fprintf(stderr, "error: %s %s\n", r.error.c_str(), r.err.c_str());
    return false;
  }
  return true;
}

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

}  // namespace

int main() {
  std::printf("sandbox bench: %d runs each\n\n", kRuns);

  double raw = MedianMs("fork/exec /usr/bin/true (no Boost)", RawForkExec);

  sb::ProcessSpec plain;
  plain.argv = {"/usr/bin/true"};
  plain.isolate = false;
  double plain_ms = MedianMs("RunProcess isolate=false true",
                             [&] { return Ok(sb::RunProcess(plain)); });

  sb::ProcessSpec bare;
  bare.argv = {sb::BwrapPath(),
               "--unshare-all",
               "--unshare-user",
               "--uid",
               "1000",
               "--gid",
               "1000",
               "--cap-drop",
               "ALL",
               "--tmpfs",
               "/",
               "--ro-bind",
               "/usr",
               "/usr",
               "--symlink",
               "usr/lib64",
               "/lib64",
               "--symlink",
               "usr/lib",
               "/lib",
               "--proc",
               "/proc",
               "--dev",
               "/dev",
               "--tmpfs",
               "/tmp",
               "--",
               "/usr/bin/true"};
  bare.isolate = false;
  double bare_ms = MedianMs("RunProcess isolate=false bare bwrap true",
                            [&] { return Ok(sb::RunProcess(bare)); });

  sb::ProcessSpec isolated;
  isolated.argv = {"/usr/bin/true"};
  double isolated_ms = MedianMs("RunProcess isolated true",
                                [&] { return Ok(sb::RunProcess(isolated)); });

  std::printf(
      "\nratios: isolated / plain RunProcess %.1fx, isolated / bare "
      "bwrap %.2fx, plain RunProcess / raw fork %.2fx\n\n",
      isolated_ms / plain_ms, isolated_ms / bare_ms, plain_ms / raw);

  char tmpl[] = "/var/tmp/es-sandbox-bench-XXXXXX";
  fs::path root = mkdtemp(tmpl);
  Write(root / "workspace/README.md", "hello\n");
  Write(root / "workspace/src/main.c", "int main() { return 0; }\n");
  Write(root / "site/index.html", "<h1>site</h1>");
  Write(root / "prod/www/index.html", "<h1>prod</h1>");
  endstate::tasks::Task task;
  task.id = "bench";
  task.world.workspace = root / "workspace";
  task.world.sites = {{"site.test", root / "site"}};
  sb::WorldOptions options;
  options.base = root / "worlds";
  auto create = [&] {
    std::string err;
    auto world = sb::World::Create(task, options, &err);
    if (!world) std::fprintf(stderr, "World::Create: %s\n", err.c_str());
    return world != nullptr;  // destroyed here: teardown is included
  };
  MedianMs("World create+destroy, no hosts", create);
  endstate::tasks::HostSpec host;
  host.name = "prod.test";
  host.files = root / "prod";
  task.world.hosts = {host};
  MedianMs("World create+destroy, one deploy host", create);

  fs::remove_all(root);
  return 0;
}
