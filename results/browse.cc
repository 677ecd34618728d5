#include "results/browse.h"

#include "results/run_meta.h"
#include "results/run_status.h"
#include "results/sqlite.h"
#include "util/clock.h"

namespace endstate::results {
namespace {

std::string NoAttempt(int64_t id, const std::string& db_path) {
  return "no attempt " + std::to_string(id) + " in " + db_path;
}

// Splits the GROUP_CONCAT of model names (joined with '\x1f', a byte no
// model name contains).
std::vector<std::string> SplitNames(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t pos = joined.find('\x1f', start);
    out.push_back(joined.substr(start, pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

}  // namespace

std::optional<std::vector<RunRow>> ListRuns(RunReader& reader,
                                            std::string* err) {
  Db* db = &reader.db();
  // Before schema v5 runs had no note (and no labels: LoadRunLabels).
  auto has_note = db->QueryInt(
      "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'note'",
      err);
  if (!has_note) return std::nullopt;
  const std::string note = *has_note > 0 ? "r.note" : "''";
  // Before schema v6 runs had no pid, pid_host, cancelled_at.
  auto has_pid = db->QueryInt(
      "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'pid'", err);
  if (!has_pid) return std::nullopt;
  const std::string liveness =
      *has_pid > 0 ? "COALESCE(r.pid, 0), COALESCE(r.pid_host, ''), "
                     "r.cancelled_at IS NOT NULL"
                   : "0, '', 0";
  // Correlated subqueries keep the counts independent of the model join.
  auto stmt = Stmt::Prepare(*db,
                            R"sql(
SELECT r.id, r.started_at, COALESCE(r.finished_at, ''), r.status, r.args,
  COALESCE((SELECT GROUP_CONCAT(name, char(31)) FROM
     (SELECT name FROM models WHERE run_id = r.id ORDER BY id)), ''),
  (SELECT COUNT(*) FROM attempts a WHERE a.run_id = r.id),
  (SELECT COUNT(*) FROM attempts a WHERE a.run_id = r.id
     AND a.status = 'finished' AND a.outcome = 'passed'),
  (SELECT COUNT(*) FROM attempts a WHERE a.run_id = r.id
     AND a.status = 'finished' AND a.outcome = 'failed'),
  (SELECT COUNT(*) FROM attempts a WHERE a.run_id = r.id
     AND a.status = 'finished' AND a.outcome = 'error'),
  (SELECT COUNT(*) FROM attempts a WHERE a.run_id = r.id
     AND a.status = 'running'),
  )sql" + note + ", " + std::string(kRunKindSql) +
                                ", " + liveness + " FROM runs r ORDER BY r.id",
                            err);
  if (!stmt) return std::nullopt;
  std::vector<RunRow> rows;
  const std::string this_host = util::HostName();
  for (;;) {
    auto step = stmt->Step(err);
    if (step == Stmt::StepResult::kError) return std::nullopt;
    if (step == Stmt::StepResult::kDone) break;
    RunRow r;
    r.id = stmt->Int(0);
    r.started_at = stmt->Text(1);
    r.finished_at = stmt->Text(2);
    r.status = ShownRunStatus({.status = stmt->Text(3),
                               .cancelled = stmt->Int(15) != 0,
                               .pid = stmt->Int(13),
                               .pid_host = stmt->Text(14)},
                              this_host);
    r.args = stmt->Text(4);
    r.models = SplitNames(stmt->Text(5));
    r.attempts = static_cast<int>(stmt->Int(6));
    r.passed = static_cast<int>(stmt->Int(7));
    r.failed = static_cast<int>(stmt->Int(8));
    r.errored = static_cast<int>(stmt->Int(9));
    r.unfinished = static_cast<int>(stmt->Int(10));
    r.note = stmt->Text(11);
    r.kind = stmt->Text(12);
    rows.push_back(std::move(r));
  }
  auto labels = LoadRunLabels(*db, err);
  if (!labels) return std::nullopt;
  for (RunRow& r : rows) {
    auto it = labels->find(r.id);
    if (it != labels->end()) r.labels = it->second;
  }
  return rows;
}

std::optional<std::string> RecordedTaskHash(RunReader& reader,
                                            int64_t attempt_id,
                                            std::string* err) {
  Db* db = &reader.db();
  auto stmt = Stmt::Prepare(*db,
                            "SELECT t.content_hash FROM attempts a JOIN tasks "
                            "t ON t.id = a.task_id WHERE a.id = :id",
                            err);
  if (!stmt || !stmt->Bind(":id", attempt_id, err)) return std::nullopt;
  auto step = stmt->Step(err);
  if (step == Stmt::StepResult::kError) return std::nullopt;
  if (step == Stmt::StepResult::kDone) {
    if (err) *err = NoAttempt(attempt_id, reader.path());
    return std::nullopt;
  }
  return stmt->Text(0);
}

}  // namespace endstate::results
