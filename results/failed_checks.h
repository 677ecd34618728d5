// Why an attempt did not pass, read from the record: the checks that did not
// pass (verdict failed or error) with their human names, and the one reason
// every view prints for an attempt (`attempts`, `report`, `compare`, the HTML
// report). Read-only; thread-compatible (one Db per thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/sqlite.h"

namespace endstate::results {

// One check of an attempt that did not pass.
struct FailedCheck {
  int index = 0;          // checks.idx as stored (counts from 0)
  std::string kind{};     // check kind ("html", "file", ...)
  std::string name{};     // the spec's "name" (task.yaml), "" when none
  std::string verdict{};  // failed | error
  std::string detail{};   // the grader's detail, cut at kMaxDetailBytes

  static constexpr int kMaxDetailBytes = 300;
  static constexpr int kMaxNameBytes = 200;

  // The check as people name it: its `name`, else "<kind> (check N)" with N
  // counting from 1 (docs/report.md, "Numbering").
  std::string Label() const;
};

// Why an attempt with `outcome` (passed | failed | error | "" while
// running) and `termination` did not pass, given its first failed check
// (nullptr when none): the check's Label(); for a failed attempt without a
// failed check (turn limit, refusal...) "termination: <termination>"; for
// an error "error: <termination>" (or "error" without one); "" for a pass or
// an unfinished attempt.
std::string WhyNotPassed(const std::string& outcome,
                         const std::string& termination,
                         const FailedCheck* first);

// An SQL expression reading a check's name from `spec_column` (a checks
// spec_json column): the spec's "name" cut to FailedCheck::kMaxNameBytes,
// or '' when it has none or the spec is not valid JSON.
std::string CheckNameSql(const std::string& spec_column);

// Every check that did not pass in run `run_id`, by attempt id, each list in
// check order. Returns nullopt and sets *err when the database cannot be
// read.
std::optional<std::map<int64_t, std::vector<FailedCheck>>> LoadFailedChecks(
    Db& db, int64_t run_id, std::string* err);

}  // namespace endstate::results
