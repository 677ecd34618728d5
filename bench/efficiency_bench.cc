// Scheduling efficiency: the bundled suite run by the real `endstate run`
// binary against an in-process test-double OpenAI-compatible server that
// answers every chat completion after a FIXED latency, playing each task's
// reference solution (as builtin:oracle does, so attempts pass).
//
//   efficiency = ideal / wall,  ideal = sum of the attempts' model_ms / c
//
// where model_ms is what the harness recorded per attempt (time waiting for
// the model) and wall is the child's whole run, process start to exit.
// Also the child's peak RSS (wait4 rusage: the largest of `endstate` and
// its waited-for descendants).
//
// The double answers from the conversation alone: the user message names
// the task (its instruction), the number of assistant messages with tool
// calls is the step to play. The attempts run with their real worlds and
// tools (bwrap, sshd per deploy host, graders).
//
//   cmake --build build --target efficiency_bench endstate
//   build/bench/efficiency_bench [--latency-ms 300] [--reps 3]
//       [--concurrency 1,4,16] [--epochs N]
// Without --epochs each concurrency c runs ceil(5c / tasks) epochs (at
// least 1), so every run has at least 5 attempts per slot and the tail of
// the last wave weighs little.
#include <fcntl.h>
#include <httplib.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "evaluator/replay_wire.h"
#include "evaluator/script.h"
#include "evaluator/suite.h"
#include "models/builtins.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace models = endstate::models;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// The test double: one route, answers after `latency` from arrival.
class DoubleServer {
 public:
  DoubleServer(const std::vector<endstate::tasks::Task>& suite,
               std::chrono::milliseconds latency)
      : latency_(latency) {
    for (const auto& t : suite) by_instruction_[t.instruction] = &t;
    // One thread per open connection (httplib keeps a keep-alive
    // connection on its thread): far more than the 16 attempts at once,
    // so the double never queues a request.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   Complete(req, res);
                 });
  }
  bool Duplicates(size_t tasks) const {
    return by_instruction_.size() != tasks;
  }
  int Bind() { return server_.bind_to_any_port("127.0.0.1"); }
  void Listen() { server_.listen_after_bind(); }
  void Stop() { server_.stop(); }
  int requests() const { return requests_; }

 private:
  void Complete(const httplib::Request& req, httplib::Response& res) {
    const auto arrival = Clock::now();
    ++requests_;
    json body = json::parse(req.body, nullptr, false);
    const endstate::tasks::Task* task = nullptr;
    int played = 0;
    if (body.is_object() && body["messages"].is_array()) {
      for (const json& m : body["messages"]) {
        if (!m.is_object()) continue;
        const std::string role = m.value("role", "");
        if (role == "user" && !task && m.contains("content") &&
            m["content"].is_string()) {
          auto it = by_instruction_.find(m["content"].get<std::string>());
          if (it != by_instruction_.end()) task = it->second;
        }
        if (role == "assistant" && m.contains("tool_calls") &&
            m["tool_calls"].is_array() && !m["tool_calls"].empty()) {
          ++played;
        }
      }
    }
    if (!task) {
      res.status = 400;
      res.set_content(R"({"error":{"message":"unknown task"}})",
                      "application/json");
      return;
    }
    models::CompletionResponse r;
    const size_t n = static_cast<size_t>(played);
    if (n < task->solution.size()) {
      const models::Script script = endstate::evaluator::ScriptFor(*task);
      r.message = models::builtin::StepMessage(script.steps[n], played);
      r.finish_reason = script.steps[n].calls.empty() ? "stop" : "tool_calls";
    } else {
      r.message.role = "assistant";
      r.message.content = models::builtin::kFinalMessage;
      r.finish_reason = "stop";
    }
    r.usage.prompt_tokens = static_cast<int64_t>(req.body.size() / 4);
    r.usage.completion_tokens = 32;
    endstate::evaluator::WireIds ids{
        .id = "chatcmpl-double-" + std::to_string(played),
        .model = body.value("model", "double"),
        .created = static_cast<int64_t>(std::time(nullptr)),
        .turn = played};
    std::string out = endstate::evaluator::CompletionBody(r, ids).dump();
    std::this_thread::sleep_until(arrival + latency_);
    res.set_content(out, "application/json");
  }

  std::chrono::milliseconds latency_;
  std::map<std::string, const endstate::tasks::Task*> by_instruction_;
  httplib::Server server_;
  std::atomic<int> requests_{0};
};

struct RunResult {
  double wall_ms = 0;
  long max_rss_kb = 0;
  int exit_code = -1;
  int attempts = 0, passed = 0, turns = 0;
  double model_ms = 0, tool_ms = 0, attempt_wall_ms = 0, grade_ms = 0;
  double max_attempt_model_ms = 0;
};

bool ReadDb(const std::string& path, RunResult* r) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  const char* sql =
      "SELECT count(*), sum(outcome = 'passed'), sum(turns), sum(model_ms), "
      "sum(tool_ms), sum(wall_ms), sum(grade_ms), max(model_ms) "
      "FROM attempts";
  sqlite3_stmt* st = nullptr;
  bool ok = sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW;
  if (ok) {
    r->attempts = sqlite3_column_int(st, 0);
    r->passed = sqlite3_column_int(st, 1);
    r->turns = sqlite3_column_int(st, 2);
    r->model_ms = sqlite3_column_double(st, 3);
    r->tool_ms = sqlite3_column_double(st, 4);
    r->attempt_wall_ms = sqlite3_column_double(st, 5);
    r->grade_ms = sqlite3_column_double(st, 6);
    r->max_attempt_model_ms = sqlite3_column_double(st, 7);
  } else {
    std::fprintf(stderr, "%s\n", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ok;
}

// Runs `endstate run` as a child; output goes to DIR/run.log.
bool RunOnce(const std::string& dir, int port, int concurrency, int epochs,
             RunResult* r) {
  const std::string db = dir + "/run.db";
  fs::remove(db);
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
  std::vector<std::string> args = {
      ENDSTATE_BINARY,
      "run",
      "--model",
      "openai:http://127.0.0.1:" + std::to_string(port) + "/v1#double",
      "--concurrency",
      std::to_string(concurrency),
      "--epochs",
      std::to_string(epochs),
      "--db",
      db,
      "-q"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const std::string log = dir + "/run.log";
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  const auto start = Clock::now();
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    std::fprintf(stderr, "spawn %s: %s\n", argv[0], std::strerror(rc));
    return false;
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid) return false;
  r->wall_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  r->max_rss_kb = ru.ru_maxrss;
  r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!ReadDb(db, r)) return false;
  if (r->exit_code != 0 || r->passed != r->attempts) {
    std::fprintf(stderr, "run exit %d, %d of %d passed; see %s\n", r->exit_code,
                 r->passed, r->attempts, log.c_str());
  }
  return true;
}

std::vector<int> ParseList(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::atoi(item.c_str()));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int latency_ms = 300, reps = 3, fixed_epochs = 0;
  std::vector<int> levels = {1, 4, 16};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--latency-ms")
      latency_ms = std::atoi(argv[i + 1]);
    else if (flag == "--reps")
      reps = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--epochs")
      fixed_epochs = std::atoi(argv[i + 1]);
    else if (flag == "--concurrency")
      levels = ParseList(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::vector<endstate::tasks::Task> suite;
  std::string err;
  if (!endstate::evaluator::LoadTasks("", {}, &suite, &err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  DoubleServer server(suite, std::chrono::milliseconds(latency_ms));
  if (server.Duplicates(suite.size())) {
    std::fprintf(stderr, "two tasks share an instruction\n");
    return 1;
  }
  const int port = server.Bind();
  if (port <= 0) return 1;
  std::thread listener([&] { server.Listen(); });

  std::string tmpl =
      (fs::temp_directory_path() / "endstate-efficiency-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 1;
  std::printf(
      "efficiency bench: %zu tasks, fixed model latency %d ms, %d reps, "
      "%s\n",
      suite.size(), latency_ms, reps, ENDSTATE_BINARY);
  std::printf("%4s %6s %8s %6s %10s %10s %10s %6s %9s %9s %8s  %s\n", "c",
              "epochs", "attempts", "turns", "model s", "ideal s", "wall s",
              "eff", "tool s", "nonmodel", "rss MiB", "load before -> after");
  int failures = 0;
  for (int c : levels) {
    const int epochs =
        fixed_epochs > 0
            ? fixed_epochs
            : std::max<int>(1, static_cast<int>((5 * c + suite.size() - 1) /
                                                suite.size()));
    std::vector<double> effs;
    for (int rep = 0; rep < reps; ++rep) {
      const std::string before = LoadAverage();
      RunResult r;
      if (!RunOnce(tmpl, port, c, epochs, &r)) return 1;
      if (r.exit_code != 0 || r.passed != r.attempts) ++failures;
      const double ideal = r.model_ms / c;
      const double eff = ideal / r.wall_ms;
      effs.push_back(eff);
      // nonmodel: the attempts' time not spent waiting for the model (world
      // set-up, tools, grading, harness), summed, in s.
      std::printf(
          "%4d %6d %8d %6d %10.2f %10.2f %10.2f %6.3f %9.2f %9.2f %8.1f  %s "
          "-> %s\n",
          c, epochs, r.attempts, r.turns, r.model_ms / 1000, ideal / 1000,
          r.wall_ms / 1000, eff, r.tool_ms / 1000,
          (r.attempt_wall_ms - r.model_ms) / 1000,
          static_cast<double>(r.max_rss_kb) / 1024, before.c_str(),
          LoadAverage().c_str());
      std::fflush(stdout);
    }
    std::sort(effs.begin(), effs.end());
    std::printf("c=%d: efficiency median %.3f (min %.3f, max %.3f)\n\n", c,
                effs[effs.size() / 2], effs.front(), effs.back());
  }
  server.Stop();
  listener.join();
  std::printf("double answered %d requests\n", server.requests());
  fs::remove_all(tmpl);
  return failures == 0 ? 0 : 1;
}
