#include "report/html_data.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "report/html_escape.h"
#include "report/statistics.h"
#include "results/outcome.h"
#include "results/run_meta.h"
#include "results/sqlite.h"
#include "util/format.h"

namespace endstate::report {
namespace {

using nlohmann::json;

bool StepAll(results::Stmt& s, std::string* err, const auto& on_row) {
  results::Stmt::StepResult r;
  while ((r = s.Step(err)) == results::Stmt::StepResult::kRow) on_row(s);
  return r != results::Stmt::StepResult::kError;
}

// Reads transcripts through three statements prepared once; each field is
// cut in SQL (substr) so that megabyte results are never loaded whole.
class TranscriptReader {
 public:
  bool Prepare(results::Db& db, const HtmlReportLimits& limits,
               std::string* err) {
    limits_ = limits;
    auto turns = results::Stmt::Prepare(
        db,
        "SELECT id, idx, substr(content, 1, :text), length(content), "
        "substr(reasoning, 1, :text), length(reasoning), finish_reason, "
        "prompt_tokens, completion_tokens, ttft_ms, duration_ms, retries, "
        "leaked_markup FROM turns WHERE attempt_id = :attempt ORDER BY idx",
        err);
    auto calls = results::Stmt::Prepare(
        db,
        "SELECT c.turn_id, c.name, substr(c.arguments_raw, 1, :tool), "
        "length(c.arguments_raw), c.error_kind, substr(c.result, 1, :tool), "
        "length(c.result), c.is_error, c.exit_code, c.duration_ms "
        "FROM turns t JOIN tool_calls c ON c.turn_id = t.id "
        "WHERE t.attempt_id = :attempt ORDER BY t.idx, c.idx",
        err);
    auto checks = results::Stmt::Prepare(
        db,
        "SELECT kind, verdict, substr(detail, 1, :tool), length(detail), "
        "substr(spec_json, 1, :tool), length(spec_json), duration_ms, idx, " +
            results::CheckNameSql("spec_json") +
            " FROM checks WHERE attempt_id = :attempt ORDER BY idx",
        err);
    if (!turns || !calls || !checks) return false;
    turns_ = std::move(*turns);
    calls_ = std::move(*calls);
    checks_ = std::move(*checks);
    return true;
  }

  // The transcript JSON of one attempt: {"turns": [...], "checks": [...]}.
  std::optional<json> Read(int64_t attempt_id, std::string* err) {
    json out = {{"turns", json::array()}, {"checks", json::array()}};
    if (!ReadTurns(attempt_id, &out["turns"], err)) return std::nullopt;
    results::ScopedReset reset(checks_);
    if (!checks_.Bind(
            {{":attempt", attempt_id}, {":tool", limits_.max_tool_chars}},
            err)) {
      return std::nullopt;
    }
    bool ok = StepAll(checks_, err, [&](const results::Stmt& s) {
      // Numbered from 1 (util/format.h); named as in task.yaml.
      out["checks"].push_back(
          {{"index", util::Ordinal(static_cast<int>(s.Int(7)))},
           {"name", s.Text(8)},
           {"kind", s.Text(0)},
           {"verdict", s.Text(1)},
           {"detail", Cut(s, 2, limits_.max_tool_chars)},
           {"spec", Cut(s, 4, limits_.max_tool_chars)},
           {"ms", s.Real(6)}});
    });
    if (!ok) return std::nullopt;
    return out;
  }

 private:
  // Column `col` holds substr(x, 1, limit) and `col + 1` holds length(x).
  static std::string Cut(const results::Stmt& s, int col, int64_t limit) {
    return WithCutMarker(s.Text(col), s.Int(col + 1), limit);
  }

  bool ReadTurns(int64_t attempt_id, json* turns, std::string* err) {
    std::vector<int64_t> turn_ids;
    {
      results::ScopedReset reset(turns_);
      if (!turns_.Bind(
              {{":attempt", attempt_id}, {":text", limits_.max_text_chars}},
              err)) {
        return false;
      }
      bool ok = StepAll(turns_, err, [&](const results::Stmt& s) {
        turn_ids.push_back(s.Int(0));
        json t = {{"index", util::Ordinal(static_cast<int>(s.Int(1)))},
                  {"content", Cut(s, 2, limits_.max_text_chars)},
                  {"reasoning", Cut(s, 4, limits_.max_text_chars)},
                  {"finish", s.Text(6)},
                  {"ms", s.Real(10)},
                  {"calls", json::array()}};
        if (!s.IsNull(7)) t["prompt_tokens"] = s.Int(7);
        if (!s.IsNull(8)) t["completion_tokens"] = s.Int(8);
        if (!s.IsNull(9)) t["ttft_ms"] = s.Real(9);
        if (s.Int(11) > 0) t["retries"] = s.Int(11);
        if (!s.Text(12).empty()) t["leaked"] = s.Text(12);
        turns->push_back(std::move(t));
      });
      if (!ok) return false;
    }
    results::ScopedReset reset(calls_);
    if (!calls_.Bind(
            {{":attempt", attempt_id}, {":tool", limits_.max_tool_chars}},
            err)) {
      return false;
    }
    size_t turn = 0;
    return StepAll(calls_, err, [&](const results::Stmt& s) {
      while (turn < turn_ids.size() && turn_ids[turn] != s.Int(0)) ++turn;
      if (turn == turn_ids.size()) return;
      json c = {{"name", s.Text(1)},
                {"args", Cut(s, 2, limits_.max_tool_chars)},
                {"result", Cut(s, 5, limits_.max_tool_chars)},
                {"is_error", s.Int(7) != 0},
                {"ms", s.Real(9)}};
      if (!s.Text(4).empty()) c["error_kind"] = s.Text(4);
      if (!s.IsNull(8)) c["exit_code"] = s.Int(8);
      (*turns)[turn]["calls"].push_back(std::move(c));
    });
  }

  HtmlReportLimits limits_;
  results::Stmt turns_, calls_, checks_;
};

// Failed, errored and unfinished attempts are the ones people open: they
// get the transcript budget first.
int Priority(const HtmlAttempt& a) { return a.outcome == "passed" ? 1 : 0; }

}  // namespace

std::optional<HtmlData> LoadHtmlData(results::RunReader& reader, int64_t run_id,
                                     const HtmlReportLimits& limits,
                                     std::string* err) {
  results::Db* db = &reader.db();
  const std::string& db_path = reader.path();
  // One read transaction: every section shows the same snapshot.
  if (!db->Exec("BEGIN", err)) return std::nullopt;
  struct EndRead {
    results::Db* db;
    ~EndRead() { db->Exec("COMMIT", nullptr); }
  } end_read{db};
  // The same RunData and statistics as `report --format`: one truth.
  auto run = reader.Load(run_id, err);
  if (!run) return std::nullopt;
  const std::vector<ModelStats> stats = ComputeModelStats(*run);
  auto cells = reader.TaskMatrix(run_id, err);
  if (!cells) return std::nullopt;
  HtmlData d;
  d.run_id = run_id;
  d.cells = std::move(*cells);
  d.failed_checks = FailedCheckBreakdown(*run);
  {
    auto s =
        results::Stmt::Prepare(*db,
                               "SELECT started_at, coalesce(finished_at, ''), "
                               "status, version, host, args FROM runs "
                               "WHERE id = :run",
                               err);
    if (!s || !s->Bind(":run", run_id, err)) return std::nullopt;
    auto r = s->Step(err);
    if (r == results::Stmt::StepResult::kError) return std::nullopt;
    if (r == results::Stmt::StepResult::kDone) {
      if (err) *err = db_path + ": no run " + std::to_string(run_id);
      return std::nullopt;
    }
    d.started_at = s->Text(0);
    d.finished_at = s->Text(1);
    d.status = s->Text(2);
    d.version = s->Text(3);
    d.host = s->Text(4);
    d.args = s->Text(5);
  }
  {
    auto meta = results::LoadRunMeta(reader, run_id, err);
    if (!meta) return std::nullopt;
    d.labels = results::LabelsText(meta->labels);
    d.note = meta->note;
  }
  std::map<int64_t, int> model_index, task_index;
  {
    auto s =
        results::Stmt::Prepare(*db,
                               "SELECT id, name, provider, model, labels_json "
                               "FROM models WHERE run_id = :run ORDER BY id",
                               err);
    if (!s || !s->Bind(":run", run_id, err)) return std::nullopt;
    bool ok = StepAll(*s, err, [&](const results::Stmt& row) {
      HtmlModel m{.name = row.Text(1),
                  .provider = row.Text(2),
                  .model_id = row.Text(3),
                  .labels_json = row.Text(4)};
      // RunData lists the same models in the same (id) order.
      if (d.models.size() < stats.size()) m.stats = stats[d.models.size()];
      model_index[row.Int(0)] = static_cast<int>(d.models.size());
      d.models.push_back(std::move(m));
    });
    if (!ok) return std::nullopt;
  }
  {
    auto s =
        results::Stmt::Prepare(*db,
                               "SELECT id, task_id, title, level FROM tasks "
                               "WHERE run_id = :run ORDER BY id",
                               err);
    if (!s || !s->Bind(":run", run_id, err)) return std::nullopt;
    bool ok = StepAll(*s, err, [&](const results::Stmt& row) {
      task_index[row.Int(0)] = static_cast<int>(d.tasks.size());
      d.tasks.push_back({row.Text(1), row.Text(2), row.Text(3)});
    });
    if (!ok) return std::nullopt;
  }
  {
    auto s = results::Stmt::Prepare(
        *db,
        "SELECT id, model_id, task_id, epoch, try, status, "
        "coalesce(outcome, ''), coalesce(termination, ''), "
        "substr(coalesce(error, ''), 1, 500), turns, "
        "prompt_tokens + completion_tokens, wall_ms "
        "FROM attempts WHERE run_id = :run ORDER BY id",
        err);
    if (!s || !s->Bind(":run", run_id, err)) return std::nullopt;
    bool ok = StepAll(*s, err, [&](const results::Stmt& row) {
      auto m = model_index.find(row.Int(1));
      auto t = task_index.find(row.Int(2));
      if (m == model_index.end() || t == task_index.end()) return;
      HtmlAttempt a{.id = row.Int(0),
                    .model = m->second,
                    .task = t->second,
                    .epoch = static_cast<int>(row.Int(3)),
                    .try_number = static_cast<int>(row.Int(4)),
                    .status = row.Text(5),
                    .outcome = row.Text(6),
                    .termination = row.Text(7),
                    .error = row.Text(8),
                    .turns = static_cast<int>(row.Int(9)),
                    .tokens = row.Int(10),
                    .wall_ms = row.Real(11)};
      d.attempts.push_back(std::move(a));
    });
    if (!ok) return std::nullopt;
  }
  {
    // As Store::Summarize: only the latest try of each (model, task, epoch)
    // slot counts; earlier tries stay listed with their try number.
    std::map<std::tuple<int, int, int>, const HtmlAttempt*> latest;
    for (const HtmlAttempt& a : d.attempts)
      latest[{a.model, a.task, a.epoch}] = &a;
    for (const auto& [slot, a] : latest) {
      if (a->status != "finished") continue;
      if (a->outcome == results::OutcomeName(results::Outcome::kError))
        ++d.models[a->model].errors[a->error];
    }
  }
  {
    // Why each attempt did not pass, from the RunData read in the same
    // transaction (both lists are by attempt id).
    std::map<int64_t, const results::AttemptData*> by_id;
    for (const results::AttemptData& a : run->attempts) by_id[a.id] = &a;
    for (HtmlAttempt& a : d.attempts) {
      auto it = by_id.find(a.id);
      if (a.status != "finished" || it == by_id.end()) continue;
      const auto& failed = it->second->failed_checks;
      a.reason = results::WhyNotPassed(a.outcome, a.termination,
                                       failed.empty() ? nullptr : &failed[0]);
    }
  }

  TranscriptReader transcripts;
  if (!transcripts.Prepare(*db, limits, err)) return std::nullopt;
  std::vector<const HtmlAttempt*> order;
  for (const HtmlAttempt& a : d.attempts) order.push_back(&a);
  std::stable_sort(order.begin(), order.end(),
                   [](const HtmlAttempt* a, const HtmlAttempt* b) {
                     return Priority(*a) < Priority(*b);
                   });
  // Stops at the first transcript that does not fit: each is bounded by
  // the field limits, and reading on would cost as much as embedding.
  int64_t budget = limits.max_transcript_bytes;
  for (const HtmlAttempt* a : order) {
    if (budget > 0) {
      auto t = transcripts.Read(a->id, err);
      if (!t) return std::nullopt;
      std::string text = JsonForScript(*t);
      if (static_cast<int64_t>(text.size()) <= budget) {
        budget -= static_cast<int64_t>(text.size());
        d.transcripts[a->id] = std::move(text);
        continue;
      }
      budget = 0;
    }
    ++d.omitted_transcripts;
  }
  return d;
}

}  // namespace endstate::report
