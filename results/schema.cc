#include "results/schema.h"

#include <string>

namespace endstate::results {
namespace {

// Version 1. Conventions: ids are INTEGER PRIMARY KEY rowids; timestamps are
// ISO-8601 UTC text with milliseconds ("2025-06-01T12:00:00.123Z"); durations
// are REAL milliseconds; JSON columns hold compact JSON text; NULL means "not
// reported" or "not applicable" (documented per column in docs/database.md).
// The UNIQUE constraints of turns, tool_calls and checks double as the
// indexes that fetch them by parent.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at TEXT,
  version     TEXT NOT NULL,
  host        TEXT NOT NULL,
  args        TEXT NOT NULL,
  seed        INTEGER NOT NULL,
  config_json TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'running'
              CHECK (status IN ('running', 'finished'))
);

CREATE TABLE models (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  provider      TEXT NOT NULL,
  base_url      TEXT NOT NULL,
  model         TEXT NOT NULL,
  sampling_json TEXT NOT NULL DEFAULT '{}',
  labels_json   TEXT NOT NULL DEFAULT '{}',
  UNIQUE (run_id, name)
);

CREATE TABLE tasks (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  task_id      TEXT NOT NULL,
  title        TEXT NOT NULL,
  level        TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  UNIQUE (run_id, task_id)
);

CREATE TABLE attempts (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model_id          INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  task_id           INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  epoch             INTEGER NOT NULL,
  status            TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'finished')),
  outcome           TEXT CHECK (outcome IN ('passed', 'failed', 'error')),
  termination       TEXT,
  error             TEXT,
  turns             INTEGER NOT NULL DEFAULT 0,
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  wall_ms           REAL NOT NULL DEFAULT 0,
  model_ms          REAL NOT NULL DEFAULT 0,
  tool_ms           REAL NOT NULL DEFAULT 0,
  grade_ms          REAL NOT NULL DEFAULT 0,
  started_at        TEXT NOT NULL
                    DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at       TEXT,
  parent_attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
  try               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX attempts_by_run_model_task ON attempts(run_id, model_id, task_id);
CREATE INDEX attempts_by_run_task ON attempts(run_id, task_id);

CREATE TABLE turns (
  id                INTEGER PRIMARY KEY,
  attempt_id        INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
  idx               INTEGER NOT NULL,
  raw_request       TEXT NOT NULL,
  raw_response      TEXT NOT NULL,
  content           TEXT NOT NULL,
  reasoning         TEXT NOT NULL,
  finish_reason     TEXT NOT NULL,
  prompt_tokens     INTEGER,
  completion_tokens INTEGER,
  ttft_ms           REAL,
  duration_ms       REAL NOT NULL,
  retries           INTEGER NOT NULL DEFAULT 0,
  leaked_markup     TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL
                    DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (attempt_id, idx)
);

CREATE TABLE tool_calls (
  id            INTEGER PRIMARY KEY,
  turn_id       INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
  idx           INTEGER NOT NULL,
  call_id       TEXT NOT NULL,
  name          TEXT NOT NULL,
  arguments_raw TEXT NOT NULL,
  error_kind    TEXT NOT NULL DEFAULT '',
  result        TEXT NOT NULL,
  is_error      INTEGER NOT NULL CHECK (is_error IN (0, 1)),
  exit_code     INTEGER,
  duration_ms   REAL NOT NULL,
  UNIQUE (turn_id, idx)
);

CREATE TABLE checks (
  id          INTEGER PRIMARY KEY,
  attempt_id  INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  spec_json   TEXT NOT NULL,
  verdict     TEXT NOT NULL CHECK (verdict IN ('passed', 'failed', 'error')),
  detail      TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  UNIQUE (attempt_id, idx)
);

CREATE TABLE probes (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model_id          INTEGER REFERENCES models(id) ON DELETE CASCADE,
  kind              TEXT NOT NULL,
  settings_json     TEXT NOT NULL DEFAULT '{}',
  measurements_json TEXT NOT NULL DEFAULT '{}',
  created_at        TEXT NOT NULL
                    DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX probes_by_run_model ON probes(run_id, model_id);
)sql";

// Version 2: indexes for reports on large records (bench/report_bench.cc,
// docs/performance.md). The "latest try" of a slot is found by
// (run, model, task, epoch), which the v1 index (run, model, task) only
// narrowed to all epochs of a task; the new index covers it and replaces
// the old one, of which it is an extension. Invalid tool calls are counted
// by kind from an index that holds the kind, without reading the rows
// (whose results can be large).
constexpr std::string_view kSchemaV2 = R"sql(
CREATE INDEX attempts_by_slot ON attempts(run_id, model_id, task_id, epoch);
DROP INDEX attempts_by_run_model_task;
CREATE INDEX tool_calls_by_turn_kind ON tool_calls(turn_id, error_kind);
)sql";

// Version 3: managed model servers (servers/, docs/servers.md): one row
// per start of a model's server in a run, with its provenance.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE servers (
  id              INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model_id        INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  started_at      TEXT,
  ready_at        TEXT,
  stopped_at      TEXT,
  error           TEXT,
  provenance_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX servers_by_run_model ON servers(run_id, model_id);
)sql";

// Version 4: how real servers end turns (issue 13). Reasoning tokens per
// turn and attempt, replies cut at the per-turn token cap per attempt, and
// what the run learnt about each model's server (limits read by the
// pre-flight, concurrency lowered after a capacity overflow).
constexpr std::string_view kSchemaV4 = R"sql(
ALTER TABLE turns ADD COLUMN reasoning_tokens INTEGER;
ALTER TABLE attempts ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN truncated_turns INTEGER NOT NULL DEFAULT 0;
CREATE TABLE model_events (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model_id    INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  detail_json TEXT NOT NULL DEFAULT '{}',
  created_at  TEXT NOT NULL
              DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX model_events_by_run ON model_events(run_id, model_id);
)sql";

// Version 5: run metadata and consistent deletion (docs/database.md, issue
// 16). `run --label KEY=VALUE` and `--note TEXT` are stored per run; the
// history view filters runs by label. Deleting a run (`runs delete`,
// `runs prune`) deletes its attempts, whose foreign keys from attempts
// (model, task, parent) SQLite checks by a search of the child table for
// every deleted parent row: without these indexes each is a full scan.
constexpr std::string_view kSchemaV5 = R"sql(
ALTER TABLE runs ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE TABLE run_labels (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX run_labels_by_key ON run_labels(key, value);
CREATE INDEX attempts_by_model ON attempts(model_id);
CREATE INDEX attempts_by_task ON attempts(task_id);
CREATE INDEX attempts_by_parent ON attempts(parent_attempt_id)
  WHERE parent_attempt_id IS NOT NULL;
CREATE INDEX probes_by_model ON probes(model_id) WHERE model_id IS NOT NULL;
)sql";

// Version 6: clean stop and run liveness (issue 15). The process that runs
// (or resumed) a run and its host, so that a run still marked running
// whose process is gone shows as killed; and when SIGINT or SIGTERM
// stopped the run (it shows as cancelled; the status column keeps the v1
// values). results/run_status.h derives what `runs` shows.
constexpr std::string_view kSchemaV6 = R"sql(
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN pid_host TEXT;
ALTER TABLE runs ADD COLUMN cancelled_at TEXT;
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, kSchemaV1}, {2, kSchemaV2}, {3, kSchemaV3},
      {4, kSchemaV4}, {5, kSchemaV5}, {6, kSchemaV6},
  };
  return kMigrations;
}

bool Migrate(Db& db, std::string* err) {
  auto version = db.QueryInt("PRAGMA user_version", err);
  if (!version) return false;
  auto too_new = [&](int64_t v) {
    if (err) {
      *err = "database schema version " + std::to_string(v) +
             " is newer than this endstate supports (" +
             std::to_string(kSchemaVersion) + ")";
    }
    return false;
  };
  if (*version > kSchemaVersion) return too_new(*version);
  if (*version == kSchemaVersion) return true;
  for (const Migration& m : Migrations()) {
    auto tx = Transaction::Begin(db, err);
    if (!tx) return false;
    // Read again under the write lock: another process may have migrated
    // between our first read and BEGIN IMMEDIATE.
    auto current = db.QueryInt("PRAGMA user_version", err);
    if (!current) return false;
    if (*current > kSchemaVersion) return too_new(*current);
    if (*current >= m.version) continue;
    if (!db.Exec(m.sql, err)) {
      if (err)
        *err =
            "migrating to schema v" + std::to_string(m.version) + ": " + *err;
      return false;
    }
    if (!db.Exec("PRAGMA user_version = " + std::to_string(m.version), err)) {
      return false;
    }
    if (!tx->Commit(err)) return false;
  }
  return true;
}

}  // namespace endstate::results
