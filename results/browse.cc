#include "results/browse.h"

#include "results/run_meta.h"
#include "results/sqlite.h"

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

std::optional<std::vector<RunRow>> ListRuns(const std::string& db_path,
                                            std::string* err) {
  auto db = Db::OpenReadOnly(db_path, err);
  if (!db) return std::nullopt;
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
  r.note, )sql" + std::string(kRunKindSql) +
                                " FROM runs r ORDER BY r.id",
                            err);
  if (!stmt) return std::nullopt;
  std::vector<RunRow> rows;
  for (;;) {
    auto step = stmt->Step(err);
    if (step == Stmt::StepResult::kError) return std::nullopt;
    if (step == Stmt::StepResult::kDone) break;
    RunRow r;
    r.id = stmt->Int(0);
    r.started_at = stmt->Text(1);
    r.finished_at = stmt->Text(2);
    r.status = stmt->Text(3);
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

std::optional<std::string> RecordedTaskHash(const std::string& db_path,
                                            int64_t attempt_id,
                                            std::string* err) {
  auto db = Db::OpenReadOnly(db_path, err);
  if (!db) return std::nullopt;
  auto stmt = Stmt::Prepare(*db,
                            "SELECT t.content_hash FROM attempts a JOIN tasks "
                            "t ON t.id = a.task_id WHERE a.id = :id",
                            err);
  if (!stmt || !stmt->Bind(":id", attempt_id, err)) return std::nullopt;
  auto step = stmt->Step(err);
  if (step == Stmt::StepResult::kError) return std::nullopt;
  if (step == Stmt::StepResult::kDone) {
    if (err) *err = NoAttempt(attempt_id, db_path);
    return std::nullopt;
  }
  return stmt->Text(0);
}

bool SetParentAttempt(const std::string& db_path, int64_t attempt_id,
                      int64_t parent_attempt_id, std::string* err) {
  auto db = Db::Open(db_path, err);
  if (!db) return false;
  // The foreign key names a missing parent; a missing child changes no row.
  auto stmt = Stmt::Prepare(
      *db, "UPDATE attempts SET parent_attempt_id = :parent WHERE id = :id",
      err);
  if (!stmt) return false;
  if (!stmt->Bind({{":parent", parent_attempt_id}, {":id", attempt_id}}, err))
    return false;
  auto exists =
      Stmt::Prepare(*db, "SELECT 1 FROM attempts WHERE id = :id", err);
  if (!exists || !exists->Bind(":id", parent_attempt_id, err)) return false;
  auto step = exists->Step(err);
  if (step == Stmt::StepResult::kError) return false;
  if (step == Stmt::StepResult::kDone) {
    if (err) *err = NoAttempt(parent_attempt_id, db_path);
    return false;
  }
  exists->Reset();
  if (!stmt->Run(err)) return false;
  if (sqlite3_changes(db->get()) != 1) {
    if (err) *err = NoAttempt(attempt_id, db_path);
    return false;
  }
  return true;
}

}  // namespace endstate::results
