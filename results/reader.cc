#include "results/reader.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "results/run_meta.h"

namespace endstate::results {
namespace {

// A run's attempts with `latest` = 1 for the newest try of each (model, task,
// epoch) slot: only those count in summaries (earlier tries stay visible).
#define ENDSTATE_RUN_ATTEMPTS                                         \
  "(SELECT a.*, a.id = (SELECT max(b.id) FROM attempts b WHERE "      \
  "b.run_id = a.run_id AND b.model_id = a.model_id AND b.task_id = "  \
  "a.task_id AND b.epoch = a.epoch) AS latest FROM attempts a WHERE " \
  "a.run_id = :run)"

constexpr const char* kListModels =
    "SELECT id, name FROM models WHERE run_id = :run ORDER BY id";
constexpr const char* kAttemptStats =
    "SELECT model_id, total(latest), "
    "total(latest AND status = 'finished' AND outcome = 'passed'), "
    "total(latest AND status = 'finished' AND outcome = 'failed'), "
    "total(latest AND status = 'finished' AND outcome = 'error'), "
    "total(latest AND status = 'running'), "
    "avg(CASE WHEN latest AND status = 'finished' THEN turns END), "
    "coalesce(sum(CASE WHEN latest AND status = 'finished' THEN "
    "prompt_tokens END), 0), "
    "coalesce(sum(CASE WHEN latest AND status = 'finished' THEN "
    "completion_tokens END), 0), "
    "total(NOT latest) FROM " ENDSTATE_RUN_ATTEMPTS " GROUP BY model_id";
constexpr const char* kToolCallStats =
    "SELECT a.model_id, c.error_kind, count(*) FROM tool_calls c "
    "JOIN turns t ON c.turn_id = t.id "
    "JOIN " ENDSTATE_RUN_ATTEMPTS
    " a ON t.attempt_id = a.id "
    "WHERE a.latest GROUP BY a.model_id, c.error_kind";
constexpr const char* kTaskMatrix =
    "SELECT t.task_id, m.name, "
    "total(a.status = 'finished' AND a.outcome = 'passed'), "
    "total(a.status = 'finished' AND a.outcome = 'failed'), "
    "total(a.status = 'finished' AND a.outcome = 'error') "
    "FROM " ENDSTATE_RUN_ATTEMPTS
    " a JOIN tasks t ON a.task_id = t.id "
    "JOIN models m ON a.model_id = m.id WHERE a.latest "
    "GROUP BY a.task_id, a.model_id ORDER BY t.id, m.id";
#undef ENDSTATE_RUN_ATTEMPTS

// `sql` prepared, with :run bound when run >= 0.
std::optional<Stmt> Query(Db& db, const char* sql, int64_t run,
                          std::string* err) {
  auto s = Stmt::Prepare(db, sql, err);
  if (!s) return std::nullopt;
  if (run >= 0 && !s->Bind(":run", run, err)) return std::nullopt;
  return s;
}

}  // namespace

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
  probe.reset();
  return RunReader(path, std::move(*db));
}

std::optional<int64_t> RunReader::LatestRun(std::string* err) {
  // Replay and probe runs are not what "the latest run" means, unless the
  // database holds nothing else (e.g. only `endstate probe` runs).
  static const std::string kSql =
      std::string("SELECT coalesce(max(CASE WHEN ") + kRunKindSql +
      " = 'evaluation' THEN r.id END), max(r.id)) FROM runs r";
  auto s = Query(db_, kSql.c_str(), -1, err);
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

std::optional<std::vector<ModelSummary>> RunReader::Summarize(
    int64_t run_id, std::string* err) {
  std::vector<ModelSummary> out;
  std::vector<int64_t> ids;
  {
    auto list_models = Query(db_, kListModels, run_id, err);
    if (!list_models) return std::nullopt;
    Stmt::StepResult r;
    while ((r = list_models->Step(err)) == Stmt::StepResult::kRow) {
      ids.push_back(list_models->Int(0));
      out.push_back(ModelSummary{.name = list_models->Text(1)});
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  auto find = [&](int64_t model_id) -> ModelSummary* {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == model_id) return &out[i];
    }
    return nullptr;
  };
  {
    auto attempt_stats = Query(db_, kAttemptStats, run_id, err);
    if (!attempt_stats) return std::nullopt;
    Stmt::StepResult r;
    while ((r = attempt_stats->Step(err)) == Stmt::StepResult::kRow) {
      ModelSummary* s = find(attempt_stats->Int(0));
      if (!s) continue;
      s->attempts = static_cast<int>(attempt_stats->Int(1));
      s->passed = static_cast<int>(attempt_stats->Int(2));
      s->failed = static_cast<int>(attempt_stats->Int(3));
      s->errored = static_cast<int>(attempt_stats->Int(4));
      s->unfinished = static_cast<int>(attempt_stats->Int(5));
      s->mean_turns = attempt_stats->Real(6);  // NULL (none finished) -> 0
      s->prompt_tokens = attempt_stats->Int(7);
      s->completion_tokens = attempt_stats->Int(8);
      s->earlier_tries = static_cast<int>(attempt_stats->Int(9));
      int graded = s->passed + s->failed;  // errors are not the model's fault
      s->completion_rate =
          graded == 0 ? 0 : static_cast<double>(s->passed) / graded;
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  {
    auto tool_call_stats = Query(db_, kToolCallStats, run_id, err);
    if (!tool_call_stats) return std::nullopt;
    Stmt::StepResult r;
    while ((r = tool_call_stats->Step(err)) == Stmt::StepResult::kRow) {
      ModelSummary* s = find(tool_call_stats->Int(0));
      if (!s) continue;
      std::string kind = tool_call_stats->Text(1);
      int n = static_cast<int>(tool_call_stats->Int(2));
      s->tool_calls += n;
      if (!kind.empty()) s->tool_call_errors[kind] += n;
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
  }
  return out;
}

std::optional<std::vector<TaskCell>> RunReader::TaskMatrix(int64_t run_id,
                                                           std::string* err) {
  std::vector<TaskCell> out;
  auto task_matrix = Query(db_, kTaskMatrix, run_id, err);
  if (!task_matrix) return std::nullopt;
  Stmt::StepResult r;
  while ((r = task_matrix->Step(err)) == Stmt::StepResult::kRow) {
    out.push_back(TaskCell{.task = task_matrix->Text(0),
                           .model = task_matrix->Text(1),
                           .passed = static_cast<int>(task_matrix->Int(2)),
                           .failed = static_cast<int>(task_matrix->Int(3)),
                           .errored = static_cast<int>(task_matrix->Int(4))});
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  return out;
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
    // Older records have no reasoning or truncation counts (docs/database.md).
    auto has = db_.QueryInt(
        "SELECT count(*) FROM pragma_table_info('attempts') WHERE name = "
        "'truncated_turns'",
        err);
    if (!has) return std::nullopt;
    const std::string v3_columns =
        *has > 0 ? "reasoning_tokens, truncated_turns" : "0, 0";
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
    auto failed = LoadFailedChecks(db_, run_id, err);
    if (!failed) return std::nullopt;
    for (auto& [attempt_id, checks] : *failed) {
      auto it = attempt_index.find(attempt_id);
      if (it == attempt_index.end() || checks.empty()) continue;
      AttemptData& a = data.attempts[it->second];
      a.failed_checks = std::move(checks);
    }
  }
  return data;
}

}  // namespace endstate::results
