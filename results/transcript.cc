#include "results/transcript.h"

#include <utility>

#include "results/sqlite.h"

namespace endstate::results {
namespace {

using nlohmann::json;

std::optional<json> FirstRequest(const Transcript& t) {
  if (t.turns.empty()) return std::nullopt;
  json j = json::parse(t.turns.front().raw_request, nullptr, false);
  if (!j.is_object() || !j.contains("messages") || !j["messages"].is_array())
    return std::nullopt;
  return j;
}

std::string FirstMessageOf(const Transcript& t, const char* role) {
  auto req = FirstRequest(t);
  if (!req) return "";
  for (const json& m : (*req)["messages"]) {
    if (m.is_object() && m.value("role", "") == role && m.contains("content") &&
        m["content"].is_string()) {
      return m["content"].get<std::string>();
    }
  }
  return "";
}

std::string NoAttempt(int64_t id, const std::string& db_path) {
  return "no attempt " + std::to_string(id) + " in " + db_path;
}

// Columns shared by LoadTranscript and ListAttemptHeaders, read by
// ReadHeader in this order.
constexpr const char* kHeaderColumns =
    "SELECT a.id, a.run_id, m.name, t.task_id, t.title, a.epoch, a.try, "
    "coalesce(a.parent_attempt_id, 0), a.status, coalesce(a.outcome, ''), "
    "coalesce(a.termination, ''), coalesce(a.error, ''), a.turns, "
    "a.prompt_tokens, a.completion_tokens, a.wall_ms, a.model_ms, a.tool_ms, "
    "a.grade_ms, a.started_at, coalesce(a.finished_at, '') "
    "FROM attempts a JOIN models m ON a.model_id = m.id "
    "JOIN tasks t ON a.task_id = t.id ";

AttemptHeader ReadHeader(const Stmt& s) {
  return {.id = s.Int(0),
          .run_id = s.Int(1),
          .model = s.Text(2),
          .task = s.Text(3),
          .task_title = s.Text(4),
          .epoch = static_cast<int>(s.Int(5)),
          .try_number = static_cast<int>(s.Int(6)),
          .parent_attempt_id = s.Int(7),
          .status = s.Text(8),
          .outcome = s.Text(9),
          .termination = s.Text(10),
          .error = s.Text(11),
          .turns = static_cast<int>(s.Int(12)),
          .prompt_tokens = s.Int(13),
          .completion_tokens = s.Int(14),
          .wall_ms = s.Real(15),
          .model_ms = s.Real(16),
          .tool_ms = s.Real(17),
          .grade_ms = s.Real(18),
          .started_at = s.Text(19),
          .finished_at = s.Text(20)};
}

// NULL ("not reported") reads back as -1, as TurnRecord documents.
int64_t IntOr(const Stmt& s, int col) {
  return s.IsNull(col) ? -1 : s.Int(col);
}
double RealOr(const Stmt& s, int col) {
  return s.IsNull(col) ? -1 : s.Real(col);
}

bool LoadTurns(Db& db, int64_t attempt_id, std::vector<TurnRecord>* turns,
               std::string* err) {
  auto s = Stmt::Prepare(
      db,
      "SELECT idx, raw_request, raw_response, content, reasoning, "
      "finish_reason, prompt_tokens, completion_tokens, ttft_ms, "
      "duration_ms, retries, leaked_markup, id FROM turns "
      "WHERE attempt_id = :attempt ORDER BY idx",
      err);
  if (!s || !s->Bind(":attempt", attempt_id, err)) return false;
  std::vector<int64_t> turn_ids;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    turns->push_back({.index = static_cast<int>(s->Int(0)),
                      .raw_request = s->Text(1),
                      .raw_response = s->Text(2),
                      .content = s->Text(3),
                      .reasoning = s->Text(4),
                      .finish_reason = s->Text(5),
                      .prompt_tokens = IntOr(*s, 6),
                      .completion_tokens = IntOr(*s, 7),
                      .ttft_ms = RealOr(*s, 8),
                      .duration_ms = s->Real(9),
                      .retries = static_cast<int>(s->Int(10)),
                      .leaked_markup = s->Text(11)});
    turn_ids.push_back(s->Int(12));
  }
  if (r == Stmt::StepResult::kError) return false;
  auto c = Stmt::Prepare(
      db,
      "SELECT idx, call_id, name, arguments_raw, error_kind, result, "
      "is_error, exit_code, duration_ms FROM tool_calls "
      "WHERE turn_id = :turn ORDER BY idx",
      err);
  if (!c) return false;
  for (size_t i = 0; i < turns->size(); ++i) {
    ScopedReset reset(*c);
    if (!c->Bind(":turn", turn_ids[i], err)) return false;
    while ((r = c->Step(err)) == Stmt::StepResult::kRow) {
      (*turns)[i].tool_calls.push_back(
          {.index = static_cast<int>(c->Int(0)),
           .call_id = c->Text(1),
           .name = c->Text(2),
           .arguments_raw = c->Text(3),
           .error_kind = c->Text(4),
           .result = c->Text(5),
           .is_error = c->Int(6) != 0,
           .exit_code = static_cast<int>(IntOr(*c, 7)),
           .duration_ms = c->Real(8)});
    }
    if (r == Stmt::StepResult::kError) return false;
  }
  return true;
}

bool LoadChecks(Db& db, int64_t attempt_id, std::vector<CheckRecord>* checks,
                std::string* err) {
  auto s = Stmt::Prepare(db,
                         "SELECT idx, kind, spec_json, verdict, detail, "
                         "duration_ms FROM checks WHERE attempt_id = :attempt "
                         "ORDER BY idx",
                         err);
  if (!s || !s->Bind(":attempt", attempt_id, err)) return false;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    checks->push_back({.index = static_cast<int>(s->Int(0)),
                       .kind = s->Text(1),
                       .spec_json = s->Text(2),
                       .verdict = s->Text(3),
                       .detail = s->Text(4),
                       .duration_ms = s->Real(5)});
  }
  return r != Stmt::StepResult::kError;
}

}  // namespace

std::optional<Transcript> LoadTranscript(RunReader& reader, int64_t attempt_id,
                                         std::string* err) {
  Db* db = &reader.db();
  const std::string& db_path = reader.path();
  Transcript out;
  // One read transaction: the header, turns and checks are one snapshot
  // even while a run is appending turns.
  if (!db->Exec("BEGIN", err)) return std::nullopt;
  struct EndRead {
    Db* db;
    ~EndRead() { db->Exec("COMMIT", nullptr); }
  } end_read{db};
  {
    auto s = Stmt::Prepare(
        *db, std::string(kHeaderColumns) + "WHERE a.id = :id", err);
    if (!s || !s->Bind(":id", attempt_id, err)) return std::nullopt;
    switch (s->Step(err)) {
      case Stmt::StepResult::kRow:
        out.attempt = ReadHeader(*s);
        break;
      case Stmt::StepResult::kDone:
        if (err) *err = NoAttempt(attempt_id, db_path);
        return std::nullopt;
      case Stmt::StepResult::kError:
        return std::nullopt;
    }
  }
  if (!LoadTurns(*db, attempt_id, &out.turns, err) ||
      !LoadChecks(*db, attempt_id, &out.checks, err)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<AttemptHeader>> ListAttemptHeaders(
    RunReader& reader, int64_t run_id, const AttemptFilter& filter,
    std::string* err) {
  Db* db = &reader.db();
  std::string sql = std::string(kHeaderColumns) + "WHERE a.run_id = :run";
  if (!filter.model.empty()) sql += " AND m.name = :model";
  if (!filter.task.empty()) sql += " AND t.task_id = :task";
  // failed_or_error widens "failed" (or no outcome filter) to both outcomes
  // that are not a pass.
  bool both = filter.failed_or_error &&
              (filter.outcome.empty() || filter.outcome == "failed");
  if (both) {
    sql += " AND a.outcome IN ('failed', 'error')";
  } else if (!filter.outcome.empty()) {
    sql += " AND a.outcome = :outcome";
  }
  sql += " ORDER BY a.id";
  auto s = Stmt::Prepare(*db, sql, err);
  if (!s || !s->Bind(":run", run_id, err)) return std::nullopt;
  if (!filter.model.empty() && !s->Bind(":model", filter.model, err)) {
    return std::nullopt;
  }
  if (!filter.task.empty() && !s->Bind(":task", filter.task, err)) {
    return std::nullopt;
  }
  if (!both && !filter.outcome.empty() &&
      !s->Bind(":outcome", filter.outcome, err)) {
    return std::nullopt;
  }
  std::vector<AttemptHeader> out;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    out.push_back(ReadHeader(*s));
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  return out;
}

std::string RecordedInstruction(const Transcript& t) {
  return FirstMessageOf(t, "user");
}

std::string RecordedSystemPrompt(const Transcript& t) {
  return FirstMessageOf(t, "system");
}

}  // namespace endstate::results
