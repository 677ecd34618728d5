// End-state checks. Each check reads the world after the agent stopped,
// through its own connections, and yields passed / failed / error with a
// detail a person can act on. Check kinds and fields: docs/graders.md.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "sandbox/world.h"
#include "tasks/task.h"

namespace endstate::graders {

enum class Verdict { kPassed, kFailed, kError };
const char* VerdictName(Verdict v);  // "passed" | "failed" | "error"

struct CheckResult {
  std::string kind;
  Verdict verdict = Verdict::kError;
  std::string detail;  // e.g. "notes/release.json /version: got \"1.5.0-rc1\",
                       // want \"1.4.2\""
  double duration_ms = 0;
};

struct Grade {
  std::vector<CheckResult> checks;  // one per task check, in order
  // kPassed only when at least one check ran and all passed; kError when any
  // check errored or none ran; else kFailed.
  Verdict overall = Verdict::kError;
  // Why `overall` is kError when no check says so ("no checks executed");
  // empty otherwise.
  std::string error;
};

// Validates one check's fields at task load time. Returns false and sets
// *err to "<field>: <expectation>" (e.g. "select: missing field") or
// "unknown check kind 'htm'".
bool ValidateCheck(const tasks::CheckSpec& check, std::string* err);

// Runs one check against `world`. Never throws.
CheckResult RunCheck(const tasks::CheckSpec& check,
                     const sandbox::World& world);

// The time one attempt's grading may take. Every check is bounded on its
// own (reads never block, HTML caps, command timeout_s, http 30 s); this
// bounds their sum, which the agent can drive up (command checks running
// into their timeouts).
inline constexpr std::chrono::milliseconds kGradingBudget{900'000};

// Runs every check of `task` in order and combines the verdicts. Once
// `budget` is spent, the checks left are not run: each is `failed` with
// "not run: grading took longer than 900 s (the limit)" (the time went to
// checks of what the agent left).
Grade GradeWorld(const tasks::Task& task, const sandbox::World& world,
                 std::chrono::milliseconds budget = kGradingBudget);

// Names of all check kinds, sorted.
std::vector<std::string> CheckKinds();

}  // namespace endstate::graders
