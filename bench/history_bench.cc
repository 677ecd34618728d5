// `endstate history` over a year of nights: builds (once) a database of 365
// evaluation runs x 4 models x 20 tasks x 3 epochs (87,600 attempts, each
// with 2 turns of one tool call and 2 checks; a speed probe per model and
// run; labels on every run), then times what `history` does on it and
// prints medians of 3 runs.
//   cmake --build build --target history_bench
//   build/bench/history_bench [DB [NIGHTS]]
// DB defaults to /tmp/endstate-history-bench.db and is reused when it
// exists. Results: docs/performance.md, "History over a year of nights".
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
#include "report/history.h"
#include "report/history_formats.h"
#include "report/history_html.h"
#include "results/sqlite.h"
#include "results/store.h"

namespace {

using endstate::results::Db;
using endstate::results::Stmt;
using endstate::results::Store;
using endstate::results::Transaction;

constexpr int kModels = 4, kTasks = 20, kEpochs = 3, kRepeats = 3;
int nights = 365;

bool Fail(const std::string& err) {
  std::fprintf(stderr, "history_bench: %s\n", err.c_str());
  return false;
}

bool Build(const std::string& path) {
  std::string err;
  {
    auto store = Store::Open(path, &err);  // creates the schema
    if (!store) return Fail(err);
  }
  auto db = Db::Open(path, &err);
  if (!db) return Fail(err);
  auto tx = Transaction::Begin(*db, &err);
  if (!tx) return Fail(err);
  auto Prep = [&](const char* sql) { return Stmt::Prepare(*db, sql, &err); };
  auto run = Prep(
      "INSERT INTO runs (version, host, args, seed, config_json, status, "
      "started_at, finished_at) VALUES ('bench', 'bench', 'endstate run', "
      "0, '{}', 'finished', :t, :t)");
  auto label =
      Prep("INSERT INTO run_labels (run_id, key, value) VALUES (:r, :k, :v)");
  auto model = Prep(
      "INSERT INTO models (run_id, name, provider, base_url, model) VALUES "
      "(:r, :n, 'openai', 'http://gpu:8000/v1', :n)");
  auto task = Prep(
      "INSERT INTO tasks (run_id, task_id, title, level, content_hash) "
      "VALUES (:r, :t, 'T', 'easy', 'h')");
  auto attempt = Prep(
      "INSERT INTO attempts (run_id, model_id, task_id, epoch, status, "
      "outcome, termination, turns, prompt_tokens, completion_tokens, "
      "wall_ms) VALUES (:r, :m, :t, :e, 'finished', :o, 'agent_stop', 2, "
      "3000, 200, 20000)");
  auto turn = Prep(
      "INSERT INTO turns (attempt_id, idx, raw_request, raw_response, "
      "content, reasoning, finish_reason, duration_ms) VALUES (:a, :i, "
      ":body, :body, 'ok', '', 'tool_calls', 900)");
  auto call = Prep(
      "INSERT INTO tool_calls (turn_id, idx, call_id, name, arguments_raw, "
      "result, is_error, duration_ms) VALUES (:t, 0, 'c', 'shell', '{}', "
      "'done', 0, 5)");
  auto check = Prep(
      "INSERT INTO checks (attempt_id, idx, kind, spec_json, verdict, "
      "detail, duration_ms) VALUES (:a, :i, 'file_contains', '{}', :v, "
      "'detail', 1)");
  auto probe = Prep(
      "INSERT INTO probes (run_id, model_id, kind, measurements_json) "
      "VALUES (:r, :m, 'speed', :j)");
  if (!run || !label || !model || !task || !attempt || !turn || !call ||
      !check || !probe) {
    return Fail(err);
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  const std::string body(400, 'b');
  auto exec = [&](Stmt& s,
                  std::initializer_list<
                      std::pair<const char*, endstate::results::SqlValue>>
                      binds) {
    s.Reset();
    if (!s.Bind(binds, &err) || !s.Run(&err)) return int64_t{-1};
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db->get()));
  };
  for (int n = 0; n < nights; ++n) {
    char when[32];
    std::snprintf(when, sizeof when, "2025-%02d-%02dT01:30:00.000Z",
                  1 + n / 31 % 12, 1 + n % 28);
    const int64_t r = exec(*run, {{":t", when}});
    if (r < 0 ||
        exec(*label, {{":r", r}, {":k", "suite"}, {":v", "nightly"}}) < 0)
      return Fail(err);
    int64_t models[kModels], tasks[kTasks];
    for (int m = 0; m < kModels; ++m) {
      models[m] =
          exec(*model, {{":r", r}, {":n", "model-" + std::to_string(m)}});
      const std::string j =
          "{\"summary\":{\"decode_tok_s\":{\"median\":" +
          std::to_string(80 + m * 10 + u(rng) * 5) +
          "},\"ttft_ms\":{\"median\":" + std::to_string(200 + u(rng) * 40) +
          "}}}";
      if (models[m] < 0 ||
          exec(*probe, {{":r", r}, {":m", models[m]}, {":j", j}}) < 0)
        return Fail(err);
    }
    for (int t = 0; t < kTasks; ++t) {
      tasks[t] = exec(*task, {{":r", r}, {":t", "task-" + std::to_string(t)}});
      if (tasks[t] < 0) return Fail(err);
    }
    for (int m = 0; m < kModels; ++m) {
      for (int t = 0; t < kTasks; ++t) {
        for (int e = 0; e < kEpochs; ++e) {
          const bool pass = u(rng) < 0.5 + 0.1 * m;
          const int64_t a =
              exec(*attempt, {{":r", r},
                              {":m", models[m]},
                              {":t", tasks[t]},
                              {":e", e},
                              {":o", pass ? "passed" : "failed"}});
          if (a < 0) return Fail(err);
          for (int i = 0; i < 2; ++i) {
            const int64_t tu =
                exec(*turn, {{":a", a}, {":i", i}, {":body", body}});
            if (tu < 0 || exec(*call, {{":t", tu}}) < 0 ||
                exec(*check, {{":a", a},
                              {":i", i},
                              {":v", pass || i == 0 ? "passed" : "failed"}}) <
                    0)
              return Fail(err);
          }
        }
      }
    }
  }
  if (!tx->Commit(&err)) return Fail(err);
  return db->Exec("PRAGMA wal_checkpoint(TRUNCATE)", &err) || Fail(err);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path =
      argc > 1 ? argv[1] : "/tmp/endstate-history-bench.db";
  if (argc > 2) nights = std::atoi(argv[2]);
  if (!std::filesystem::exists(path)) {
    std::printf("building %s: %d runs, %d attempts ...\n", path.c_str(), nights,
                nights * kModels * kTasks * kEpochs);
    auto start = std::chrono::steady_clock::now();
    if (!Build(path)) return 1;
    std::printf(
        "built in %.1f s, %.0f MB\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count(),
        std::filesystem::file_size(path) / 1e6);
  }
  std::string err;
  endstate::report::History h;
  using endstate::bench::Median;
  auto load = Median(
      [&] {
        auto loaded = endstate::report::LoadHistory(
            path, {.labels = {{"suite", "nightly"}}, .baseline_run = 1}, &err);
        if (!loaded) return Fail(err);
        h = std::move(*loaded);
        return true;
      },
      kRepeats);
  size_t bytes = 0;
  auto table = Median(
      [&] {
        bytes = endstate::report::RenderHistoryTable(h, false).size();
        return true;
      },
      kRepeats);
  auto json =
      Median([&] { return !endstate::report::HistoryJson(h).dump().empty(); },
             kRepeats);
  size_t html_bytes = 0;
  auto html = Median(
      [&] {
        html_bytes = endstate::report::RenderHistoryHtml(h).size();
        return true;
      },
      kRepeats);
  std::printf("runs %zu, models %zu\n", h.runs.size(), h.models.size());
  std::printf("%-28s %10s %10s\n", "step (median of 3)", "wall ms", "cpu ms");
  std::printf("%-28s %10.0f %10.0f\n", "LoadHistory (+baseline)", load.wall_ms,
              load.cpu_ms);
  std::printf("%-28s %10.0f %10.0f  (%zu bytes)\n", "table", table.wall_ms,
              table.cpu_ms, bytes);
  std::printf("%-28s %10.0f %10.0f\n", "json", json.wall_ms, json.cpu_ms);
  std::printf("%-28s %10.0f %10.0f  (%zu bytes)\n", "html", html.wall_ms,
              html.cpu_ms, html_bytes);
  return load.wall_ms < 0 ? 1 : 0;
}
