// The check registry: kind name -> validator and runner, and the grading of
// a whole world.
#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>

#include "graders/check_kinds.h"
#include "graders/check_support.h"
#include "graders/grader.h"
#include "graders/remote_checks.h"
#include "util/confine.h"

namespace endstate::graders {
namespace {

using ValidateFn = bool (*)(const tasks::CheckSpec&, std::string*);
using RunFn = CheckResult (*)(const tasks::CheckSpec&, const sandbox::World&);

struct Kind {
  const char* name;
  ValidateFn validate;
  RunFn run;
};

// Sorted by name.
constexpr Kind kKinds[] = {
    {"command", ValidateCommand, RunCommand},
    {"file_contains", ValidateFileContains, RunFileContains},
    {"file_equals", ValidateFileEquals, RunFileEquals},
    {"file_exists", ValidateFileExists, RunFileExists},
    {"file_matches", ValidateFileMatches, RunFileMatches},
    {"git", ValidateGit, RunGit},
    {"html", ValidateHtml, RunHtml},
    {"http", ValidateHttp, RunHttp},
    {"json_value", ValidateJsonValue, RunJsonValue},
    {"remote_file", ValidateRemoteFile, RunRemoteFile},
    {"remote_unchanged", ValidateRemoteUnchanged, RunRemoteUnchanged},
    {"unchanged", ValidateUnchanged, RunUnchanged},
};

const Kind* FindKind(const std::string& name) {
  for (const Kind& k : kKinds) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

std::string KindOf(const tasks::CheckSpec& check) {
  if (!check.kind.empty()) return check.kind;
  return GetString(check.spec, "kind");
}

// `same_as` names a file of the task folder; checks only see the world, so
// the path is made absolute here: its real path, which must stay in the
// task folder (a symlink there could point at any file of the host, whose
// text would then show in the check's detail). A path that leaves it is
// replaced by one that cannot be read, so the check reports an error.
tasks::CheckSpec WithTaskPaths(const tasks::CheckSpec& check,
                               const tasks::Task& task) {
  namespace fs = std::filesystem;
  tasks::CheckSpec out = check;
  auto it = out.spec.find("same_as");
  if (it != out.spec.end() && it->is_string() && !task.dir.empty()) {
    const std::string p = it->get<std::string>();
    if (!p.empty() && p[0] != '/') {
      const fs::path dir = fs::absolute(task.dir).lexically_normal();
      fs::path full;
      std::string err;
      *it = util::ResolveTaskPath(dir, p, {dir}, "the task folder", &full,
                                  &err) == util::ConfineError::kNone
                ? full.string()
                : "/nonexistent/" + p +
                      " (leaves the task folder through a symlink)";
    }
  }
  return out;
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPassed:
      return "passed";
    case Verdict::kFailed:
      return "failed";
    case Verdict::kError:
      return "error";
  }
  return "error";
}

bool ValidateCheck(const tasks::CheckSpec& check, std::string* err) {
  std::string kind = KindOf(check);
  if (kind.empty()) {
    *err = "kind: missing field (expected one of the check kinds)";
    return false;
  }
  const Kind* k = FindKind(kind);
  if (k == nullptr) {
    *err = "unknown check kind '" + kind + "'";
    return false;
  }
  if (!check.spec.is_object()) {
    *err = "check: expected a mapping";
    return false;
  }
  return k->validate(check, err);
}

namespace {

// Validates `check` and runs `resolved` (the same check, paths resolved).
CheckResult ValidateAndRun(const tasks::CheckSpec& check,
                           const tasks::CheckSpec& resolved,
                           const sandbox::World& world) {
  auto start = std::chrono::steady_clock::now();
  CheckResult result;
  std::string kind = KindOf(check);
  try {
    std::string err;
    if (!ValidateCheck(check, &err)) {
      result = Errored(err);
    } else {
      result = FindKind(kind)->run(resolved, world);
    }
  } catch (const std::exception& e) {
    result = Errored(std::string("check crashed: ") + e.what());
  } catch (...) {
    result = Errored("check crashed: unknown exception");
  }
  result.kind = kind;
  result.duration_ms = std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  return result;
}

}  // namespace

CheckResult RunCheck(const tasks::CheckSpec& check,
                     const sandbox::World& world) {
  return ValidateAndRun(check, check, world);
}

Grade GradeWorld(const tasks::Task& task, const sandbox::World& world,
                 std::chrono::milliseconds budget) {
  Grade grade;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& check : task.checks) {
    if (!grade.checks.empty() &&
        std::chrono::steady_clock::now() - start >= budget) {
      CheckResult r =
          Failed("not run: grading took longer than " +
                 std::to_string(
                     std::chrono::duration_cast<std::chrono::seconds>(budget)
                         .count()) +
                 " s (the limit)");
      r.kind = check.kind;
      grade.checks.push_back(std::move(r));
      continue;
    }
    grade.checks.push_back(
        ValidateAndRun(check, WithTaskPaths(check, task), world));
  }
  if (grade.checks.empty()) {
    grade.overall = Verdict::kError;
    grade.error = "no checks executed";
    return grade;
  }
  bool any_error = false, any_failed = false;
  for (const auto& c : grade.checks) {
    any_error = any_error || c.verdict == Verdict::kError;
    any_failed = any_failed || c.verdict == Verdict::kFailed;
  }
  grade.overall = any_error    ? Verdict::kError
                  : any_failed ? Verdict::kFailed
                               : Verdict::kPassed;
  return grade;
}

std::vector<std::string> CheckKinds() {
  std::vector<std::string> names;
  for (const Kind& k : kKinds) names.push_back(k.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace endstate::graders
