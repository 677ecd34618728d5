#include "results/run_data.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

namespace endstate::results {
namespace {

std::optional<Stmt> Query(Db& db, const char* sql, int64_t run,
                          std::string* err) {
  auto s = Stmt::Prepare(db, sql, err);
  if (!s) return std::nullopt;
  if (run >= 0 && !s->Bind(":run", run, err)) return std::nullopt;
  return s;
}

}  // namespace

int RunData::ModelIndex(const std::string& name) const {
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::optional<RunReader> RunReader::Open(const std::string& path,
                                         std::string* err) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (err) *err = path + ": no such database";
    return std::nullopt;
  }
  auto db = Db::OpenReadOnly(path, err);
  if (!db) return std::nullopt;
  // Fails on a file that is not an endstate database.
  auto probe = Stmt::Prepare(*db, "SELECT count(*) FROM runs", err);
  if (!probe) {
    if (err) *err = path + ": not an endstate database (" + *err + ")";
    return std::nullopt;
  }
  if (probe->Step(err) == Stmt::StepResult::kError) return std::nullopt;
  return RunReader(std::move(*db));
}

std::optional<int64_t> RunReader::LatestRun(std::string* err) {
  auto s = Query(db_, "SELECT max(id) FROM runs", -1, err);
  if (!s) return std::nullopt;
  if (s->Step(err) != Stmt::StepResult::kRow) return std::nullopt;
  if (s->IsNull(0)) {
    if (err) err->clear();
    return std::nullopt;
  }
  return s->Int(0);
}

std::optional<int64_t> RunReader::LatestRunWith(
    const std::vector<std::string>& models, std::string* err) {
  // Newest first; a run qualifies when every name is among its models.
  auto s = Query(db_,
                 "SELECT run_id, group_concat(name, char(10)) FROM models "
                 "GROUP BY run_id ORDER BY run_id DESC",
                 -1, err);
  if (!s) return std::nullopt;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    std::string names = "\n" + s->Text(1) + "\n";
    bool all = std::all_of(models.begin(), models.end(), [&](const auto& m) {
      return names.find("\n" + m + "\n") != std::string::npos;
    });
    if (all) return s->Int(0);
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  if (err) err->clear();
  return std::nullopt;
}

std::optional<bool> RunReader::HasRun(int64_t id, std::string* err) {
  auto s = Query(db_, "SELECT count(*) FROM runs WHERE id = :run", id, err);
  if (!s) return std::nullopt;
  if (s->Step(err) != Stmt::StepResult::kRow) return std::nullopt;
  return s->Int(0) > 0;
}

std::optional<RunData> RunReader::Load(int64_t run_id, std::string* err) {
  return Load(run_id, LoadOptions{}, err);
}

std::optional<RunData> RunReader::Load(int64_t run_id,
                                       const LoadOptions& options,
                                       std::string* err) {
  RunData data;
  data.run_id = run_id;
  std::unordered_map<int64_t, int> model_index, task_index, attempt_index;
  {
    auto s = Query(db_,
                   "SELECT id, name FROM models WHERE run_id = :run "
                   "ORDER BY id",
                   run_id, err);
    if (!s) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
      model_index[s->Int(0)] = static_cast<int>(data.models.size());
      data.models.push_back(s->Text(1));
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  {
    auto s = Query(db_,
                   "SELECT id, task_id, content_hash FROM tasks "
                   "WHERE run_id = :run ORDER BY id",
                   run_id, err);
    if (!s) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
      task_index[s->Int(0)] = static_cast<int>(data.tasks.size());
      data.tasks.push_back({.id = s->Text(1), .content_hash = s->Text(2)});
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  {
    // Databases older than schema v3 have no reasoning or truncation counts.
    auto version = db_.QueryInt("PRAGMA user_version", err);
    if (!version) return std::nullopt;
    const std::string v3_columns =
        *version >= 3 ? "reasoning_tokens, truncated_turns" : "0, 0";
    const std::string sql =
        "SELECT id, model_id, task_id, epoch, try, status, "
        "coalesce(outcome, ''), coalesce(termination, ''), "
        "coalesce(error, ''), turns, prompt_tokens, completion_tokens, "
        "wall_ms, " +
        v3_columns + " FROM attempts WHERE run_id = :run ORDER BY id";
    auto s = Query(db_, sql.c_str(), run_id, err);
    if (!s) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
      auto m = model_index.find(s->Int(1));
      auto t = task_index.find(s->Int(2));
      if (m == model_index.end() || t == task_index.end()) continue;
      AttemptData a{
          .id = s->Int(0),
          .model = m->second,
          .task = t->second,
          .epoch = static_cast<int>(s->Int(3)),
          .try_number = static_cast<int>(s->Int(4)),
          .finished = s->Text(5) == "finished",
          .outcome = ParseOutcome(s->Text(6)).value_or(Outcome::kError),
          .termination =
              ParseTermination(s->Text(7)).value_or(Termination::kNone),
          .error = s->Text(8),
          .turns = static_cast<int>(s->Int(9)),
          .prompt_tokens = s->Int(10),
          .completion_tokens = s->Int(11),
          .wall_ms = s->Real(12),
          .reasoning_tokens = s->Int(13),
          .truncated_turns = static_cast<int>(s->Int(14))};
      data.max_epochs = std::max(data.max_epochs, a.epoch + 1);
      attempt_index[a.id] = static_cast<int>(data.attempts.size());
      data.attempts.push_back(std::move(a));
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  if (options.tool_calls) {
    auto s = Query(db_,
                   "SELECT t.attempt_id, c.error_kind, count(*) "
                   "FROM attempts a JOIN turns t ON t.attempt_id = a.id "
                   "JOIN tool_calls c ON c.turn_id = t.id "
                   "WHERE a.run_id = :run "
                   "GROUP BY t.attempt_id, c.error_kind",
                   run_id, err);
    if (!s) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
      auto it = attempt_index.find(s->Int(0));
      if (it == attempt_index.end()) continue;
      AttemptData& a = data.attempts[it->second];
      const int n = static_cast<int>(s->Int(2));
      a.tool_calls += n;
      std::string kind = s->Text(1);
      if (!kind.empty() && kind != "none") a.invalid_calls[kind] += n;
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  if (options.first_problems) {
    // Lowest idx first, so the first row per attempt is its first problem.
    auto s = Query(db_,
                   "SELECT c.attempt_id, c.kind, c.detail FROM attempts a "
                   "JOIN checks c ON c.attempt_id = a.id "
                   "WHERE a.run_id = :run AND c.verdict != 'passed' "
                   "ORDER BY c.attempt_id, c.idx",
                   run_id, err);
    if (!s) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
      auto it = attempt_index.find(s->Int(0));
      if (it == attempt_index.end()) continue;
      AttemptData& a = data.attempts[it->second];
      if (a.first_problem.empty()) {
        a.first_problem = s->Text(1) + ": " + s->Text(2);
      }
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  return data;
}

}  // namespace endstate::results
