#include "results/store.h"

#include <unistd.h>

#include <utility>

#include "results/schema.h"
#include "results/sqlite.h"
#include "util/clock.h"

namespace endstate::results {
namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

// "not reported" (-1) is stored as NULL so that SQL aggregates skip it.
SqlValue OrNull(int64_t v) { return v < 0 ? SqlValue(nullptr) : SqlValue(v); }
SqlValue OrNull(double v) { return v < 0 ? SqlValue(nullptr) : SqlValue(v); }
// j[key] when it is a string (a view into j, which must outlive the bind),
// else NULL.
SqlValue TextOrNull(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return SqlValue(nullptr);
  return SqlValue(it->get_ref<const std::string&>());
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Db db) : db_(std::move(db)) {}

  bool Prepare(std::string* err) {
    std::string now = kNow;
    struct {
      Stmt* stmt;
      std::string sql;
    } all[] = {
        {&insert_run_,
         "INSERT INTO runs (version, host, args, seed, config_json, note, pid, "
         "pid_host) VALUES (:version, :host, :args, :seed, :config, :note, "
         ":pid, :host)"},
        {&insert_run_label_,
         "INSERT INTO run_labels (run_id, key, value) VALUES "
         "(:run, :key, :value)"},
        {&finish_run_, "UPDATE runs SET status = 'finished', finished_at = " +
                           now + " WHERE id = :id"},
        {&insert_model_,
         "INSERT INTO models (run_id, name, provider, base_url, model, "
         "sampling_json, labels_json) VALUES (:run, :name, :provider, "
         ":base_url, :model, :sampling, :labels) "
         "ON CONFLICT (run_id, name) DO NOTHING"},
        {&select_model_,
         "SELECT id FROM models WHERE run_id = :run AND name = :name"},
        {&insert_task_,
         "INSERT INTO tasks (run_id, task_id, title, level, content_hash) "
         "VALUES (:run, :task, :title, :level, :hash) "
         "ON CONFLICT (run_id, task_id) DO NOTHING"},
        {&select_task_,
         "SELECT id FROM tasks WHERE run_id = :run AND task_id = :task"},
        {&insert_attempt_,
         "INSERT INTO attempts (run_id, model_id, task_id, epoch) VALUES "
         "(:run, :model, :task, :epoch)"},
        {&insert_turn_,
         "INSERT INTO turns (attempt_id, idx, raw_request, raw_response, "
         "content, reasoning, finish_reason, prompt_tokens, "
         "completion_tokens, ttft_ms, duration_ms, retries, leaked_markup, "
         "reasoning_tokens) "
         "VALUES (:attempt, :idx, :request, :response, :content, :reasoning, "
         ":finish, :prompt, :completion, :ttft, :duration, :retries, "
         ":leaked, :reasoning_tokens)"},
        {&insert_tool_call_,
         "INSERT INTO tool_calls (turn_id, idx, call_id, name, "
         "arguments_raw, error_kind, result, is_error, exit_code, "
         "duration_ms) VALUES (:turn, :idx, :call_id, :name, :args, "
         ":error_kind, :result, :is_error, :exit_code, :duration)"},
        {&delete_checks_, "DELETE FROM checks WHERE attempt_id = :attempt"},
        {&insert_check_,
         "INSERT INTO checks (attempt_id, idx, kind, spec_json, verdict, "
         "detail, duration_ms) VALUES (:attempt, :idx, :kind, :spec, "
         ":verdict, :detail, :duration)"},
        {&finish_attempt_,
         "UPDATE attempts SET status = 'finished', outcome = :outcome, "
         "termination = :termination, error = :error, turns = :turns, "
         "prompt_tokens = :prompt, completion_tokens = :completion, "
         "wall_ms = :wall, model_ms = :model_ms, tool_ms = :tool_ms, "
         "grade_ms = :grade_ms, reasoning_tokens = :reasoning_tokens, "
         "truncated_turns = :truncated, finished_at = " +
             now + " WHERE id = :id"},
        {&count_turns_,
         "SELECT count(*) FROM turns WHERE attempt_id = :attempt"},
        {&insert_retry_,
         "INSERT INTO attempts (run_id, model_id, task_id, epoch, "
         "parent_attempt_id, try) SELECT run_id, model_id, task_id, epoch, "
         "id, try + 1 FROM attempts WHERE id = :parent"},
        {&set_parent_,
         "UPDATE attempts SET parent_attempt_id = :parent WHERE id = :id "
         "AND EXISTS (SELECT 1 FROM attempts WHERE id = :parent)"},
        {&list_attempts_,
         "SELECT a.id, m.name, t.task_id, a.epoch, a.try, a.status, "
         "a.outcome, a.termination, a.parent_attempt_id FROM attempts a JOIN "
         "models m ON a.model_id = m.id "
         "JOIN tasks t ON a.task_id = t.id WHERE a.run_id = :run "
         "ORDER BY a.id"},
        {&get_run_,
         "SELECT id, version, host, args, seed, config_json, status, "
         "started_at, finished_at FROM runs WHERE id = :id"},
        {&list_run_models_,
         "SELECT id, name, provider, base_url, model, sampling_json, "
         "labels_json FROM models WHERE run_id = :run ORDER BY id"},
        {&list_run_tasks_,
         "SELECT id, task_id, title, level, content_hash FROM tasks WHERE "
         "run_id = :run ORDER BY id"},
        {&abandon_attempt_,
         "UPDATE attempts SET status = 'finished', outcome = 'error', "
         "termination = 'interrupted', error = :reason, finished_at = " +
             now + " WHERE id = :id AND status = 'running'"},
        {&reopen_run_,
         "UPDATE runs SET status = 'running', finished_at = NULL, "
         "cancelled_at = NULL, pid = :pid, pid_host = :host WHERE id = :id"},
        {&cancel_run_, "UPDATE runs SET cancelled_at = " + now +
                           " WHERE id = :id AND status = 'running'"},
        {&insert_model_event_,
         "INSERT INTO model_events (run_id, model_id, kind, detail_json) "
         "VALUES (:run, :model, :kind, :detail)"},
        {&insert_probe_,
         "INSERT INTO probes (run_id, model_id, kind, settings_json, "
         "measurements_json) VALUES (:run, :model, :kind, :settings, "
         ":measurements)"},
        {&insert_server_,
         "INSERT INTO servers (run_id, model_id, started_at, ready_at, "
         "stopped_at, error, provenance_json) VALUES (:run, :model, :started, "
         ":ready, :stopped, :error, :provenance)"},
        {&update_server_,
         "UPDATE servers SET started_at = :started, ready_at = :ready, "
         "stopped_at = :stopped, error = :error, provenance_json = "
         ":provenance WHERE id = :id"},
    };
    for (auto& [stmt, sql] : all) {
      auto prepared = Stmt::Prepare(db_, sql, err);
      if (!prepared) return false;
      *stmt = std::move(*prepared);
    }
    return true;
  }

  int64_t BeginRun(const RunInfo& run, std::string* err) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return -1;
    const int64_t id =
        InsertLocked(insert_run_,
                     {{":version", run.version},
                      {":host", run.host},
                      {":args", run.args},
                      // Stored as the same 64 bits, read back as signed.
                      {":seed", static_cast<int64_t>(run.seed)},
                      {":config", run.config_json},
                      {":note", run.note},
                      {":pid", static_cast<int64_t>(getpid())}},
                     err);
    if (id < 0) return -1;
    for (const auto& [key, value] : run.labels) {
      if (InsertLocked(insert_run_label_,
                       {{":run", id}, {":key", key}, {":value", value}},
                       err) < 0) {
        return -1;
      }
    }
    return tx->Commit(err) ? id : -1;
  }

  int64_t AddModel(int64_t run_id, const ModelInfo& m,
                   std::string* err) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return -1;
    {
      ScopedReset reset(insert_model_);
      if (!insert_model_.Bind({{":run", run_id},
                               {":name", m.name},
                               {":provider", m.provider},
                               {":base_url", m.base_url},
                               {":model", m.model},
                               {":sampling", m.sampling.dump()},
                               {":labels", m.labels.dump()}},
                              err) ||
          !insert_model_.Run(err)) {
        return -1;
      }
    }
    int64_t id =
        SelectId(select_model_, {{":run", run_id}, {":name", m.name}}, err);
    if (id < 0 || !tx->Commit(err)) return -1;
    return id;
  }

  int64_t AddTask(int64_t run_id, const TaskInfo& t,
                  std::string* err) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return -1;
    {
      ScopedReset reset(insert_task_);
      if (!insert_task_.Bind({{":run", run_id},
                              {":task", t.id},
                              {":title", t.title},
                              {":level", t.level},
                              {":hash", t.content_hash}},
                             err) ||
          !insert_task_.Run(err)) {
        return -1;
      }
    }
    int64_t id =
        SelectId(select_task_, {{":run", run_id}, {":task", t.id}}, err);
    if (id < 0 || !tx->Commit(err)) return -1;
    return id;
  }

  int64_t BeginAttempt(int64_t run_id, int64_t model_id, int64_t task_id,
                       int epoch, std::string* err) override {
    std::lock_guard lock(mu_);
    return Insert(insert_attempt_,
                  {{":run", run_id},
                   {":model", model_id},
                   {":task", task_id},
                   {":epoch", epoch}},
                  err);
  }

  bool RecordTurn(int64_t attempt_id, const TurnRecord& turn,
                  std::string* err) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return false;
    int64_t turn_id =
        InsertLocked(insert_turn_,
                     {{":attempt", attempt_id},
                      {":idx", turn.index},
                      {":request", turn.raw_request},
                      {":response", turn.raw_response},
                      {":content", turn.content},
                      {":reasoning", turn.reasoning},
                      {":finish", turn.finish_reason},
                      {":prompt", OrNull(turn.prompt_tokens)},
                      {":completion", OrNull(turn.completion_tokens)},
                      {":ttft", OrNull(turn.ttft_ms)},
                      {":duration", turn.duration_ms},
                      {":retries", turn.retries},
                      {":leaked", turn.leaked_markup},
                      {":reasoning_tokens", OrNull(turn.reasoning_tokens)}},
                     err);
    if (turn_id < 0) return false;
    for (const ToolCallRecord& c : turn.tool_calls) {
      int64_t id =
          InsertLocked(insert_tool_call_,
                       {{":turn", turn_id},
                        {":idx", c.index},
                        {":call_id", c.call_id},
                        {":name", c.name},
                        {":args", c.arguments_raw},
                        {":error_kind", c.error_kind},
                        {":result", c.result},
                        {":is_error", c.is_error},
                        {":exit_code", c.exit_code < 0 ? SqlValue(nullptr)
                                                       : SqlValue(c.exit_code)},
                        {":duration", c.duration_ms}},
                       err);
      if (id < 0) return false;
    }
    return tx->Commit(err);
  }

  bool RecordChecks(int64_t attempt_id, const std::vector<CheckRecord>& checks,
                    std::string* err) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return false;
    {
      // Grading again replaces the attempt's previous verdicts.
      ScopedReset reset(delete_checks_);
      if (!delete_checks_.Bind(":attempt", attempt_id, err) ||
          !delete_checks_.Run(err)) {
        return false;
      }
    }
    for (const CheckRecord& c : checks) {
      int64_t id = InsertLocked(insert_check_,
                                {{":attempt", attempt_id},
                                 {":idx", c.index},
                                 {":kind", c.kind},
                                 {":spec", c.spec_json},
                                 {":verdict", c.verdict},
                                 {":detail", c.detail},
                                 {":duration", c.duration_ms}},
                                err);
      if (id < 0) return false;
    }
    return tx->Commit(err);
  }

  bool FinishAttempt(int64_t attempt_id, const AttemptOutcome& o,
                     std::string* err) override {
    std::lock_guard lock(mu_);
    return UpdateOne(
        finish_attempt_,
        {{":id", attempt_id},
         {":outcome", std::string(OutcomeName(o.outcome))},
         {":termination", std::string(TerminationName(o.termination))},
         {":error", o.error},
         {":turns", o.turns},
         {":prompt", o.prompt_tokens},
         {":completion", o.completion_tokens},
         {":wall", o.wall_ms},
         {":model_ms", o.model_ms},
         {":tool_ms", o.tool_ms},
         {":grade_ms", o.grade_ms},
         {":reasoning_tokens", o.reasoning_tokens},
         {":truncated", o.truncated_turns}},
        "attempt", attempt_id, err);
  }

  bool FinishRun(int64_t run_id, std::string* err) override {
    std::lock_guard lock(mu_);
    return UpdateOne(finish_run_, {{":id", run_id}}, "run", run_id, err);
  }

  int64_t CountTurns(int64_t attempt_id, std::string* err) override {
    std::lock_guard lock(mu_);
    return SelectId(count_turns_, {{":attempt", attempt_id}}, err);
  }

  int64_t BeginRetry(int64_t parent_attempt_id, std::string* err) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return -1;
    int64_t id =
        InsertLocked(insert_retry_, {{":parent", parent_attempt_id}}, err);
    if (id < 0) return -1;
    if (sqlite3_changes(db_.get()) != 1) {
      if (err) *err = "no attempt with id " + std::to_string(parent_attempt_id);
      return -1;
    }
    if (!tx->Commit(err)) return -1;
    return id;
  }

  bool SetParentAttempt(int64_t attempt_id, int64_t parent_attempt_id,
                        std::string* err) override {
    std::lock_guard lock(mu_);
    Stmt& s = set_parent_;
    ScopedReset reset(s);
    if (!s.Bind({{":parent", parent_attempt_id}, {":id", attempt_id}}, err) ||
        !s.Run(err)) {
      return false;
    }
    if (sqlite3_changes(db_.get()) != 1) {
      if (err) {
        *err = "no attempt with id " + std::to_string(attempt_id) + " or " +
               std::to_string(parent_attempt_id);
      }
      return false;
    }
    return true;
  }

  std::optional<std::vector<AttemptRow>> ListAttempts(
      int64_t run_id, std::string* err) override {
    std::lock_guard lock(mu_);
    std::vector<AttemptRow> out;
    Stmt& s = list_attempts_;
    ScopedReset reset(s);
    if (!s.Bind(":run", run_id, err)) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s.Step(err)) == Stmt::StepResult::kRow) {
      out.push_back({.id = s.Int(0),
                     .model = s.Text(1),
                     .task = s.Text(2),
                     .epoch = static_cast<int>(s.Int(3)),
                     .try_number = static_cast<int>(s.Int(4)),
                     .status = s.Text(5),
                     .outcome = ParseOutcome(s.Text(6)),
                     .termination = ParseTermination(s.Text(7)).value_or(
                         Termination::kNone),
                     .parent_attempt_id = s.Int(8)});
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
    return out;
  }

  std::optional<RunRow> GetRun(int64_t run_id, std::string* err) override {
    std::lock_guard lock(mu_);
    Stmt& s = get_run_;
    ScopedReset reset(s);
    if (!s.Bind(":id", run_id, err)) return std::nullopt;
    switch (s.Step(err)) {
      case Stmt::StepResult::kRow:
        return RunRow{.id = s.Int(0),
                      .info = {.config_json = s.Text(5),
                               .version = s.Text(1),
                               .host = s.Text(2),
                               .args = s.Text(3),
                               .seed = static_cast<uint64_t>(s.Int(4))},
                      .status = s.Text(6),
                      .started_at = s.Text(7),
                      .finished_at = s.IsNull(8) ? "" : s.Text(8)};
      case Stmt::StepResult::kDone:
        if (err) *err = "no run with id " + std::to_string(run_id);
        return std::nullopt;
      case Stmt::StepResult::kError:
        return std::nullopt;
    }
    return std::nullopt;
  }

  std::optional<std::vector<ModelRow>> ListModels(int64_t run_id,
                                                  std::string* err) override {
    std::lock_guard lock(mu_);
    std::vector<ModelRow> out;
    Stmt& s = list_run_models_;
    ScopedReset reset(s);
    if (!s.Bind(":run", run_id, err)) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s.Step(err)) == Stmt::StepResult::kRow) {
      auto sampling = nlohmann::json::parse(s.Text(5), nullptr, false);
      auto labels = nlohmann::json::parse(s.Text(6), nullptr, false);
      out.push_back(
          {.id = s.Int(0),
           .info = {.name = s.Text(1),
                    .provider = s.Text(2),
                    .base_url = s.Text(3),
                    .model = s.Text(4),
                    .sampling = sampling.is_discarded()
                                    ? nlohmann::json::object()
                                    : sampling,
                    .labels = labels.is_discarded() ? nlohmann::json::object()
                                                    : labels}});
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
    return out;
  }

  std::optional<std::vector<TaskRow>> ListTasks(int64_t run_id,
                                                std::string* err) override {
    std::lock_guard lock(mu_);
    std::vector<TaskRow> out;
    Stmt& s = list_run_tasks_;
    ScopedReset reset(s);
    if (!s.Bind(":run", run_id, err)) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s.Step(err)) == Stmt::StepResult::kRow) {
      out.push_back({.id = s.Int(0),
                     .info = {.id = s.Text(1),
                              .title = s.Text(2),
                              .level = s.Text(3),
                              .content_hash = s.Text(4)}});
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
    return out;
  }

  bool AbandonAttempt(int64_t attempt_id, const std::string& reason,
                      std::string* err) override {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return false;
    ScopedReset reset(abandon_attempt_);
    if (!abandon_attempt_.Bind({{":id", attempt_id}, {":reason", reason}},
                               err) ||
        !abandon_attempt_.Run(err)) {
      return false;
    }
    if (sqlite3_changes(db_.get()) != 1) {
      if (err)
        *err = "attempt " + std::to_string(attempt_id) + " is not running";
      return false;
    }
    return tx->Commit(err);
  }

  bool ReopenRun(int64_t run_id, std::string* err) override {
    std::lock_guard lock(mu_);
    return UpdateOne(reopen_run_,
                     {{":id", run_id},
                      {":pid", static_cast<int64_t>(getpid())},
                      {":host", util::HostName()}},
                     "run", run_id, err);
  }

  bool CancelRun(int64_t run_id, std::string* err) override {
    std::lock_guard lock(mu_);
    return UpdateOne(cancel_run_, {{":id", run_id}}, "running run", run_id,
                     err);
  }

  int64_t RecordProbe(int64_t run_id, int64_t model_id, const std::string& kind,
                      const nlohmann::json& settings,
                      const nlohmann::json& measurements,
                      std::string* err) override {
    std::lock_guard lock(mu_);
    return Insert(insert_probe_,
                  {{":run", run_id},
                   {":model", OrNull(model_id)},
                   {":kind", kind},
                   {":settings", settings.dump()},
                   {":measurements", measurements.dump()}},
                  err);
  }

  int64_t RecordServer(int64_t run_id, int64_t model_id,
                       const nlohmann::json& provenance,
                       std::string* err) override {
    std::lock_guard lock(mu_);
    return Insert(insert_server_,
                  {{":run", run_id},
                   {":model", model_id},
                   {":started", TextOrNull(provenance, "started_at")},
                   {":ready", TextOrNull(provenance, "ready_at")},
                   {":stopped", TextOrNull(provenance, "stopped_at")},
                   {":error", TextOrNull(provenance, "error")},
                   {":provenance", provenance.dump()}},
                  err);
  }

  bool UpdateServer(int64_t server_id, const nlohmann::json& provenance,
                    std::string* err) override {
    std::lock_guard lock(mu_);
    return UpdateOne(update_server_,
                     {{":id", server_id},
                      {":started", TextOrNull(provenance, "started_at")},
                      {":ready", TextOrNull(provenance, "ready_at")},
                      {":stopped", TextOrNull(provenance, "stopped_at")},
                      {":error", TextOrNull(provenance, "error")},
                      {":provenance", provenance.dump()}},
                     "server", server_id, err);
  }

  int64_t RecordModelEvent(int64_t run_id, int64_t model_id,
                           const std::string& kind,
                           const nlohmann::json& detail,
                           std::string* err) override {
    std::lock_guard lock(mu_);
    return Insert(insert_model_event_,
                  {{":run", run_id},
                   {":model", model_id},
                   {":kind", kind},
                   {":detail", detail.dump()}},
                  err);
  }

 private:
  using Binds = std::initializer_list<std::pair<const char*, SqlValue>>;

  // Runs an INSERT inside the caller's transaction; returns the rowid.
  int64_t InsertLocked(Stmt& stmt, Binds binds, std::string* err) {
    ScopedReset reset(stmt);
    if (!stmt.Bind(binds, err) || !stmt.Run(err)) return -1;
    return sqlite3_last_insert_rowid(db_.get());
  }

  // Runs an INSERT in its own transaction; returns the rowid.
  int64_t Insert(Stmt& stmt, Binds binds, std::string* err) {
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return -1;
    int64_t id = InsertLocked(stmt, binds, err);
    if (id < 0 || !tx->Commit(err)) return -1;
    return id;
  }

  // Runs an UPDATE in its own transaction that must touch exactly one row.
  bool UpdateOne(Stmt& stmt, Binds binds, const char* what, int64_t id,
                 std::string* err) {
    auto tx = Transaction::Begin(db_, err);
    if (!tx) return false;
    ScopedReset reset(stmt);
    if (!stmt.Bind(binds, err) || !stmt.Run(err)) return false;
    if (sqlite3_changes(db_.get()) != 1) {
      if (err)
        *err = std::string("no ") + what + " with id " + std::to_string(id);
      return false;
    }
    return tx->Commit(err);
  }

  // Returns column 0 of the first row as an id, or -1 and sets *err.
  int64_t SelectId(Stmt& stmt, Binds binds, std::string* err) {
    ScopedReset reset(stmt);
    if (!stmt.Bind(binds, err)) return -1;
    switch (stmt.Step(err)) {
      case Stmt::StepResult::kRow:
        return stmt.Int(0);
      case Stmt::StepResult::kDone:
        if (err)
          *err = "no row (in: " + std::string(sqlite3_sql(stmt.get())) + ")";
        return -1;
      case Stmt::StepResult::kError:
        return -1;
    }
    return -1;
  }

  std::mutex mu_;
  Db db_;  // declared before the statements: they are finalized first
  Stmt set_parent_, insert_run_, insert_run_label_, finish_run_, insert_model_,
      select_model_, insert_task_, select_task_, insert_attempt_, insert_turn_,
      insert_tool_call_, delete_checks_, insert_check_, finish_attempt_,
      count_turns_, insert_retry_, list_attempts_, insert_probe_, get_run_,
      list_run_models_, list_run_tasks_, abandon_attempt_, reopen_run_,
      cancel_run_, insert_server_, update_server_, insert_model_event_;
};

}  // namespace

std::unique_ptr<Store> Store::Open(const std::string& path, std::string* err) {
  auto db = Db::Open(path, err);
  if (!db) return nullptr;
  std::string why;
  if (!Migrate(*db, &why)) {
    if (err) *err = "cannot open " + path + ": " + why;
    return nullptr;
  }
  auto store = std::make_unique<SqliteStore>(std::move(*db));
  if (!store->Prepare(&why)) {
    if (err) *err = "cannot open " + path + ": " + why;
    return nullptr;
  }
  return store;
}

}  // namespace endstate::results
