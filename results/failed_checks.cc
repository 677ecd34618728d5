#include "results/failed_checks.h"

#include "util/format.h"

namespace endstate::results {

std::string FailedCheck::Label() const {
  if (!name.empty()) return name;
  return kind + " (check " + std::to_string(util::Ordinal(index)) + ")";
}

std::string WhyNotPassed(const std::string& outcome,
                         const std::string& termination,
                         const FailedCheck* first) {
  if (outcome == "failed") {
    if (first) return first->Label();
    return "termination: " + (termination.empty() ? "unknown" : termination);
  }
  if (outcome == "error") {
    return termination.empty() ? "error" : "error: " + termination;
  }
  return "";
}

std::string CheckNameSql(const std::string& spec_column) {
  // json_extract only on valid JSON: a broken spec (never written by
  // endstate) reads as an unnamed check instead of failing the query.
  return "CASE WHEN json_valid(" + spec_column + ") AND json_type(" +
         spec_column + ", '$.name') = 'text' THEN substr(json_extract(" +
         spec_column + ", '$.name'), 1, " +
         std::to_string(FailedCheck::kMaxNameBytes) + ") ELSE '' END";
}

std::optional<std::map<int64_t, std::vector<FailedCheck>>> LoadFailedChecks(
    Db& db, int64_t run_id, std::string* err) {
  auto s = Stmt::Prepare(
      db,
      "SELECT c.attempt_id, c.idx, c.kind, " + CheckNameSql("c.spec_json") +
          ", "
          "c.verdict, substr(c.detail, 1, :detail_max) "
          "FROM attempts a JOIN checks c ON c.attempt_id = a.id "
          "WHERE a.run_id = :run AND c.verdict != 'passed' "
          "ORDER BY c.attempt_id, c.idx",
      err);
  if (!s || !s->Bind({{":run", run_id},
                      {":detail_max", int64_t{FailedCheck::kMaxDetailBytes}}},
                     err)) {
    return std::nullopt;
  }
  std::map<int64_t, std::vector<FailedCheck>> out;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    out[s->Int(0)].push_back(FailedCheck{.index = static_cast<int>(s->Int(1)),
                                         .kind = s->Text(2),
                                         .name = s->Text(3),
                                         .verdict = s->Text(4),
                                         .detail = s->Text(5)});
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  return out;
}

}  // namespace endstate::results
