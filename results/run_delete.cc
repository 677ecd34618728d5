#include "results/run_delete.h"

#include <algorithm>

#include "results/run_meta.h"
#include "results/sqlite.h"

namespace endstate::results {

bool DeleteRuns(const std::string& db_path, const std::vector<int64_t>& ids,
                bool force, DeleteStats* stats, std::string* err) {
  auto db = Db::Open(db_path, err);
  if (!db) return false;
  auto tx = Transaction::Begin(*db, err);
  if (!tx) return false;
  auto status =
      // A cancelled run (schema v6, opened migrated by the caller) keeps
      // status 'running' but no process runs it any more.
      Stmt::Prepare(*db,
                    "SELECT CASE WHEN cancelled_at IS NOT NULL THEN "
                    "'cancelled' ELSE status END FROM runs WHERE id = :id",
                    err);
  auto counts = Stmt::Prepare(
      *db,
      "SELECT (SELECT count(*) FROM attempts WHERE run_id = :id), "
      "(SELECT count(*) FROM turns t JOIN attempts a ON t.attempt_id = a.id "
      "WHERE a.run_id = :id)",
      err);
  // The cascade walks models, tasks, attempts (then turns, tool calls,
  // checks), probes and labels through their foreign keys.
  auto del = Stmt::Prepare(*db, "DELETE FROM runs WHERE id = :id", err);
  if (!status || !counts || !del) return false;
  DeleteStats s;
  for (int64_t id : ids) {
    {
      ScopedReset reset(*status);
      if (!status->Bind(":id", id, err)) return false;
      auto step = status->Step(err);
      if (step == Stmt::StepResult::kError) return false;
      if (step == Stmt::StepResult::kDone) {
        *err = "no run " + std::to_string(id) + " in " + db_path;
        return false;
      }
      if (status->Text(0) == "running" && !force) {
        *err = "run " + std::to_string(id) +
               " is still running (or was killed); give --force to delete it";
        return false;
      }
    }
    {
      ScopedReset reset(*counts);
      if (!counts->Bind(":id", id, err) ||
          counts->Step(err) != Stmt::StepResult::kRow) {
        return false;
      }
      s.attempts += counts->Int(0);
      s.turns += counts->Int(1);
    }
    ScopedReset reset(*del);
    if (!del->Bind(":id", id, err) || !del->Run(err)) return false;
    ++s.runs;
  }
  if (!tx->Commit(err)) return false;
  if (stats) *stats = s;
  return true;
}

std::optional<std::vector<int64_t>> SelectPrune(const std::string& db_path,
                                                const PruneOptions& options,
                                                std::string* err) {
  if (options.keep_last < 0 && options.older_than_days < 0) {
    *err = "give --keep-last N or --older-than DAYS";
    return std::nullopt;
  }
  auto db = Db::OpenReadOnly(db_path, err);
  if (!db) return std::nullopt;
  auto labels = LoadRunLabels(*db, err);
  if (!labels) return std::nullopt;
  // Newest first, so the first keep_last rows are the ones kept. A run
  // "older than N days" started before now - N days (text comparison of
  // ISO-8601 UTC timestamps of the same format).
  auto s = Stmt::Prepare(
      *db,
      "SELECT id, status, started_at < strftime('%Y-%m-%dT%H:%M:%fZ', "
      "CASE WHEN :now = '' THEN 'now' ELSE :now END, :age) FROM runs "
      "ORDER BY id DESC",
      err);
  if (!s) return std::nullopt;
  const std::string age =
      "-" + std::to_string(std::max(options.older_than_days, 0)) + " days";
  if (!s->Bind({{":now", options.now}, {":age", age}}, err)) {
    return std::nullopt;
  }
  std::vector<int64_t> out;
  int seen = 0;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    const int64_t id = s->Int(0);
    const bool beyond_count =
        options.keep_last < 0 || seen++ >= options.keep_last;
    const bool old = options.older_than_days < 0 || s->Int(2) != 0;
    auto it = labels->find(id);
    const bool protected_by_label = !options.keep_labels.empty() &&
                                    it != labels->end() &&
                                    HasLabels(it->second, options.keep_labels);
    if (beyond_count && old && !protected_by_label && s->Text(1) != "running") {
      out.push_back(id);
    }
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  std::sort(out.begin(), out.end());
  return out;
}

bool Vacuum(const std::string& db_path, std::string* err) {
  auto db = Db::Open(db_path, err);
  if (!db) return false;
  return db->Exec("VACUUM", err) &&
         db->Exec("PRAGMA wal_checkpoint(TRUNCATE)", err);
}

}  // namespace endstate::results
