// Reports on a large record: builds (once) a database of 100,000 attempts
// and 1,000,000 turns (4 models x 25 tasks x 1,000 epochs; 10 turns of one
// tool call each per attempt, 3 checks per attempt; small bodies), then
// times what `endstate report` does on it and prints medians of 3 runs.
//   cmake --build build --target report_bench
//   build/bench/report_bench [DB [EPOCHS [HTML]]]
// DB defaults to /tmp/endstate-report-bench.db and is reused when it exists;
// EPOCHS (default 1000) sets the size of a new one (100 = 10,000 attempts);
// HTML, when given, receives the report for opening in a browser.
// Results: docs/performance.md, "Report on a large database".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_timing.h"
#include "report/html_report.h"
#include "report/model_stats.h"
#include "results/reader.h"
#include "results/sqlite.h"
#include "results/store.h"

namespace {

using endstate::results::Db;
using endstate::results::Stmt;
using endstate::results::Store;
using endstate::results::Transaction;

constexpr int kModels = 4, kTasks = 25;
int epochs = 1000;
constexpr int kTurnsPerAttempt = 10, kChecksPerAttempt = 3;
constexpr int kRepeats = 3;

bool Fail(const std::string& err) {
  std::fprintf(stderr, "report_bench: %s\n", err.c_str());
  return false;
}

bool Build(const std::string& path) {
  std::string err;
  {
    auto store = Store::Open(path, &err);  // creates the schema
    if (!store) return Fail(err);
    int64_t run = store->BeginRun(
        {.config_json = "{}", .version = "bench", .host = "bench"}, &err);
    for (int m = 0; m < kModels; ++m) {
      store->AddModel(run, {.name = "model-" + std::to_string(m)}, &err);
    }
    for (int t = 0; t < kTasks; ++t) {
      store->AddTask(run, {.id = "task-" + std::to_string(t), .title = "T"},
                     &err);
    }
    if (!store->FinishRun(run, &err)) return Fail(err);
  }
  auto db = Db::Open(path, &err);
  if (!db) return Fail(err);
  auto tx = Transaction::Begin(*db, &err);
  auto attempt = Stmt::Prepare(
      *db,
      "INSERT INTO attempts (run_id, model_id, task_id, epoch, status, "
      "outcome, termination, error, turns, prompt_tokens, completion_tokens, "
      "wall_ms, model_ms, tool_ms, grade_ms) VALUES (1, :m, :t, :e, "
      "'finished', :o, :term, :err, :turns, 12000, 900, 30000, 25000, 4000, "
      "300)",
      &err);
  auto turn = Stmt::Prepare(
      *db,
      "INSERT INTO turns (attempt_id, idx, raw_request, raw_response, "
      "content, reasoning, finish_reason, prompt_tokens, completion_tokens, "
      "ttft_ms, duration_ms) VALUES (:a, :i, :req, :resp, :c, :r, "
      "'tool_calls', 1200, 90, 150, 2500)",
      &err);
  auto call = Stmt::Prepare(
      *db,
      "INSERT INTO tool_calls (turn_id, idx, call_id, name, arguments_raw, "
      "error_kind, result, is_error, exit_code, duration_ms) VALUES (:turn, "
      "0, 'call_0', 'shell', '{\"command\":\"ls -la\"}', :kind, :res, "
      ":is_err, 0, 4)",
      &err);
  auto check = Stmt::Prepare(
      *db,
      "INSERT INTO checks (attempt_id, idx, kind, spec_json, verdict, "
      "detail, duration_ms) VALUES (:a, :i, 'file_contains', "
      "'{\"path\":\"index.html\"}', :v, 'index.html contains the title', 1)",
      &err);
  if (!tx || !attempt || !turn || !call || !check) return Fail(err);
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const std::string request(300, 'q'), response(300, 'r'), content(120, 'c'),
      reasoning(200, 'k'), result(300, 'o');
  const char* kinds[] = {"invalid_json", "unknown_tool", "schema_violation",
                         "leaked_markup"};
  for (int e = 0; e < epochs; ++e) {
    for (int m = 1; m <= kModels; ++m) {
      for (int t = 1; t <= kTasks; ++t) {
        double x = u(rng);
        double pass = 0.5 + 0.1 * m - 0.01 * t;
        std::string outcome = x < 0.02   ? "error"
                              : x < pass ? "passed"
                                         : "failed";
        attempt->Reset();
        if (!attempt->Bind(
                {{":m", m},
                 {":t", t},
                 {":e", e},
                 {":o", outcome},
                 {":term", outcome == "error" ? "model_error"
                           : x > 0.95         ? "max_turns"
                                              : "agent_stop"},
                 {":err", outcome == "error" ? "HTTP 503 from endpoint" : ""},
                 {":turns", kTurnsPerAttempt}},
                &err) ||
            !attempt->Run(&err)) {
          return Fail(err);
        }
        int64_t attempt_id = sqlite3_last_insert_rowid(db->get());
        for (int i = 0; i < kTurnsPerAttempt; ++i) {
          turn->Reset();
          if (!turn->Bind({{":a", attempt_id},
                           {":i", i},
                           {":req", request},
                           {":resp", response},
                           {":c", content},
                           {":r", reasoning}},
                          &err) ||
              !turn->Run(&err)) {
            return Fail(err);
          }
          int64_t turn_id = sqlite3_last_insert_rowid(db->get());
          bool bad = u(rng) < 0.02;
          call->Reset();
          if (!call->Bind({{":turn", turn_id},
                           {":kind", bad ? kinds[i % 4] : ""},
                           {":res", result},
                           {":is_err", bad}},
                          &err) ||
              !call->Run(&err)) {
            return Fail(err);
          }
        }
        for (int i = 0; i < kChecksPerAttempt; ++i) {
          check->Reset();
          if (!check->Bind(
                  {{":a", attempt_id},
                   {":i", i},
                   {":v", outcome == "passed" || i > 0 ? "passed" : "failed"}},
                  &err) ||
              !check->Run(&err)) {
            return Fail(err);
          }
        }
      }
    }
  }
  if (!tx->Commit(&err)) return Fail(err);
  return db->Exec("PRAGMA wal_checkpoint(TRUNCATE)", &err) || Fail(err);
}

using endstate::bench::Timing;

// Median of kRepeats calls (bench/bench_timing.h).
Timing Median(const std::function<bool()>& fn) {
  return endstate::bench::Median(fn, kRepeats);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "/tmp/endstate-report-bench.db";
  if (argc > 2) epochs = std::atoi(argv[2]);
  std::string html_out = argc > 3 ? argv[3] : "";
  if (!std::filesystem::exists(path)) {
    std::printf("building %s: %d attempts, %d turns ...\n", path.c_str(),
                kModels * kTasks * epochs,
                kModels * kTasks * epochs * kTurnsPerAttempt);
    auto start = std::chrono::steady_clock::now();
    if (!Build(path)) return 1;
    std::printf(
        "built in %.1f s, %.0f MB\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        std::filesystem::file_size(path) / 1e6);
  }
  std::string err;
  auto store = Store::Open(path, &err);  // applies pending migrations
  if (!store) return !Fail(err);
  store.reset();
  size_t html_bytes = 0;
  using endstate::results::RunReader;
  auto reader = RunReader::Open(path, &err);
  if (!reader) return !Fail(err);
  auto stats = [&] {
    auto data = reader->Load(1, &err);
    return data && !endstate::report::ComputeModelStats(*data).empty();
  };
  struct Step {
    const char* name;
    std::function<bool()> fn;
  } steps[] = {
      {"Store::Open", [&] { return Store::Open(path, &err) != nullptr; }},
      {"RunReader::Open",
       [&] { return RunReader::Open(path, &err).has_value(); }},
      {"RunReader::Summarize",
       [&] { return reader->Summarize(1, &err).has_value(); }},
      {"RunReader::TaskMatrix",
       [&] { return reader->TaskMatrix(1, &err).has_value(); }},
      {"RunReader::Load + ComputeModelStats", stats},
      // What `endstate report` does, end to end minus printing and probes:
      // open the reader once; the table (also csv, markdown, junit) reads the
      // run's data once; JSON adds the summaries and task matrix.
      {"report (table): Open + above",
       [&] {
         auto r = RunReader::Open(path, &err);
         return r && r->HasRun(1, &err) && stats();
       }},
      {"report --format json: all of the above",
       [&] {
         auto r = RunReader::Open(path, &err);
         return r && r->HasRun(1, &err) && r->Summarize(1, &err) &&
                r->TaskMatrix(1, &err) && stats();
       }},
      {"report --html: RenderHtmlReport",
       [&] {
         auto html = endstate::report::RenderHtmlReport(*reader, 1, {}, &err);
         if (html) html_bytes = html->size();
         return html.has_value();
       }},
  };
  std::printf("%-40s %10s %10s\n", "step (median of 3)", "wall ms", "cpu ms");
  for (const Step& s : steps) {
    Timing t = Median(s.fn);
    if (t.wall_ms < 0) return !Fail(err);
    std::printf("%-40s %10.1f %10.1f\n", s.name, t.wall_ms, t.cpu_ms);
    std::fflush(stdout);
  }
  std::printf("HTML report size: %.1f MB\n", html_bytes / 1e6);
  if (!html_out.empty() &&
      !endstate::report::WriteHtmlReport(*reader, 1, html_out, {}, &err)) {
    return !Fail(err);
  }
  return 0;
}
