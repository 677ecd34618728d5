// Sandbox start-up cost: what isolation adds to running one command, and
// what creating a world costs. Prints medians over kRuns runs, and the
// run_shell tool's cost as ratios to its baselines (bare bwrap, bare
// fork/exec) measured in the same process.
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
#include "tools/tool.h"

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

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

}  // namespace

int main() {
  std::printf("sandbox bench: %d runs each, load %s\n\n", kRuns,
              LoadAverage().c_str());

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

  // The three baselines of run_shell, measured in this one process.
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

  // run_shell itself: the tool through the registry (argument validation,
  // bash -c inside the world's sandbox, result formatting).
  std::string err;
  double shell_ms = 0;
  {
    auto world = sb::World::Create(task, options, &err);
    if (!world) {
      std::fprintf(stderr, "World::Create: %s\n", err.c_str());
      return 1;
    }
    const auto& registry = endstate::tools::Registry::Default();
    const std::vector<std::string> allowed = {"run_shell"};
    endstate::tools::ToolContext ctx{.world = world.get()};
    shell_ms = MedianMs("run_shell tool: true", [&] {
      endstate::tools::CallErrorKind kind{};
      auto r = registry.Call("run_shell", R"({"command":"true"})", allowed, ctx,
                             &kind);
      if (r.is_error || r.exit_code != 0)
        std::fprintf(stderr, "run_shell: %s\n", r.content.c_str());
      return !r.is_error && r.exit_code == 0;
    });
  }

  std::printf(
      "\nratios (same process):\n"
      "  run_shell tool / bare bwrap        %6.2fx  (target <= 2x)\n"
      "  run_shell tool / fork/exec         %6.1fx\n"
      "  bare bwrap / fork/exec             %6.1fx\n"
      "  RunProcess isolated / bare bwrap   %6.2fx\n"
      "  RunProcess isolate=false / fork    %6.2fx\n"
      "load %s\n\n",
      shell_ms / bare_ms, shell_ms / raw, bare_ms / raw, isolated_ms / bare_ms,
      plain_ms / raw, LoadAverage().c_str());

  auto create = [&] {
    std::string werr;
    auto world = sb::World::Create(task, options, &werr);
    if (!world) std::fprintf(stderr, "World::Create: %s\n", werr.c_str());
    return world != nullptr;  // destroyed here: teardown is included
  };
  MedianMs("World create+destroy, no hosts", create);
  endstate::tasks::HostSpec host;
  host.name = "prod.test";
  host.files = root / "prod";
  task.world.hosts = {host};
  MedianMs("World create+destroy, one deploy host", create);
  std::printf("load %s\n", LoadAverage().c_str());

  fs::remove_all(root);
  return 0;
}
