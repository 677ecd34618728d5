// The check kinds the registry (graders/registry.cc) dispatches to. Each
// kind has a validator (fields only, task load time; "<field>: <expectation>"
// messages) and a runner (never throws for expected failures; the registry
// still catches, times and labels every run).
#pragma once

#include <string>

#include "graders/grader.h"
#include "sandbox/world.h"
#include "tasks/task.h"

namespace endstate::graders {

// file_checks.cc
bool ValidateFileExists(const tasks::CheckSpec& check, std::string* err);
CheckResult RunFileExists(const tasks::CheckSpec& check,
                          const sandbox::World& world);
// file_checks.cc
bool ValidateFileContains(const tasks::CheckSpec& check, std::string* err);
CheckResult RunFileContains(const tasks::CheckSpec& check,
                            const sandbox::World& world);
// file_checks.cc
bool ValidateFileMatches(const tasks::CheckSpec& check, std::string* err);
CheckResult RunFileMatches(const tasks::CheckSpec& check,
                           const sandbox::World& world);
// file_checks.cc
bool ValidateFileEquals(const tasks::CheckSpec& check, std::string* err);
CheckResult RunFileEquals(const tasks::CheckSpec& check,
                          const sandbox::World& world);
// json_check.cc
bool ValidateJsonValue(const tasks::CheckSpec& check, std::string* err);
CheckResult RunJsonValue(const tasks::CheckSpec& check,
                         const sandbox::World& world);
// html_check.cc
bool ValidateHtml(const tasks::CheckSpec& check, std::string* err);
CheckResult RunHtml(const tasks::CheckSpec& check, const sandbox::World& world);
// unchanged_check.cc
bool ValidateUnchanged(const tasks::CheckSpec& check, std::string* err);
CheckResult RunUnchanged(const tasks::CheckSpec& check,
                         const sandbox::World& world);
// command_check.cc
bool ValidateCommand(const tasks::CheckSpec& check, std::string* err);
CheckResult RunCommand(const tasks::CheckSpec& check,
                       const sandbox::World& world);
// http_check.cc
bool ValidateHttp(const tasks::CheckSpec& check, std::string* err);
CheckResult RunHttp(const tasks::CheckSpec& check, const sandbox::World& world);
// git_check.cc
bool ValidateGit(const tasks::CheckSpec& check, std::string* err);
CheckResult RunGit(const tasks::CheckSpec& check, const sandbox::World& world);

}  // namespace endstate::graders
