// Turns committed per second through results::Store, each turn (with one
// tool call) in its own transaction, as the agent loop records them. Median
// of 5 runs of 2,000 turns, each run in a fresh database in a temp dir.
//   cmake --build build --target sqlite_bench && build/bench/sqlite_bench
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "results/store.h"

namespace {

constexpr int kRuns = 5;
constexpr int kTurns = 2000;

using endstate::results::Store;

// Returns turns per second, or a negative number after printing the error.
double OneRun(const std::string& dir) {
  std::string err;
  auto store = Store::Open(dir + "/bench.db", &err);
  if (!store) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return -1;
  }
  int64_t run =
      store->BeginRun({.config_json = "{}", .version = "bench"}, &err);
  int64_t model = store->AddModel(run, {.name = "m"}, &err);
  int64_t task = store->AddTask(run, {.id = "t"}, &err);
  int64_t attempt = store->BeginAttempt(run, model, task, 0, &err);
  if (attempt < 0) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return -1;
  }
  // Sizes of a typical mid-conversation turn: a few KB of request.
  endstate::results::TurnRecord turn{.raw_request = std::string(4096, 'q'),
                                     .raw_response = std::string(1024, 'r'),
                                     .content = std::string(200, 'c'),
                                     .finish_reason = "tool_calls",
                                     .prompt_tokens = 1200,
                                     .completion_tokens = 80,
                                     .duration_ms = 900};
  turn.tool_calls.push_back({.call_id = "call_0",
                             .name = "shell",
                             .arguments_raw = R"({"command":"ls -la"})",
                             .result = std::string(512, 'o'),
                             .exit_code = 0,
                             .duration_ms = 4});
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kTurns; ++i) {
    turn.index = i;
    if (!store->RecordTurn(attempt, turn, &err)) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return -1;
    }
  }
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  return kTurns / elapsed.count();
}

}  // namespace

int main() {
  std::vector<double> rates;
  for (int r = 0; r < kRuns; ++r) {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "endstate-sqlite-XXXXXX")
            .string();
    if (!mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    double rate = OneRun(tmpl);
    std::filesystem::remove_all(tmpl);
    if (rate < 0) return 1;
    rates.push_back(rate);
  }
  std::sort(rates.begin(), rates.end());
  std::printf(
      "sqlite_bench: %.0f turns/s committed (median of %d runs of %d turns; "
      "each turn + 1 tool call in its own transaction; min %.0f, max %.0f)\n",
      rates[kRuns / 2], kRuns, kTurns, rates.front(), rates.back());
  return 0;
}
