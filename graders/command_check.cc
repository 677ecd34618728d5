// The `command` check: a bash command run isolated in the final workspace
// (World::RunShell), judged by its exit code and standard output.
#include <climits>

#include "graders/check_kinds.h"
#include "graders/check_support.h"

namespace endstate::graders {

namespace {

// The last non-empty line of `text`, for failure details.
std::string LastLine(const std::string& text) {
  std::string t = Trim(text);
  size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

bool ValidateCommand(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  return OnlyFields(s, {"run", "exit_code", "stdout_contains", "timeout_s"},
                    err) &&
         NeedString(s, "run", "a bash command", err) &&
         OptInt(s, "exit_code", 0, 255, err) &&
         OptStringOrList(s, "stdout_contains", "a text or a list of texts",
                         err) &&
         OptInt(s, "timeout_s", 1, 600, err);
}

CheckResult RunCommand(const tasks::CheckSpec& check,
                       const sandbox::World& world) {
  const json& s = check.spec;
  sandbox::ShellLimits limits = world.options().shell;
  long long timeout_s = GetInt(s, "timeout_s", 60);
  limits.timeout = std::chrono::seconds(timeout_s);
  sandbox::ProcessResult r = world.RunCheckCommand(GetString(s, "run"), limits);
  if (!r.started) return Errored("command: could not start: " + r.error);
  if (r.timed_out) {
    return Failed("command: timed out after " + std::to_string(timeout_s) +
                  " s");
  }
  std::string output = LastLine(r.err.empty() ? r.out : r.err);
  std::string tail = output.empty() ? "" : "; last output " + Quote(output);
  if (r.signal != 0) {
    return Failed("command: killed by signal " + std::to_string(r.signal) +
                  tail);
  }
  long long want = GetInt(s, "exit_code", 0);
  if (r.exit_code != want) {
    return Failed("command: exit code " + std::to_string(r.exit_code) +
                  ", want " + std::to_string(want) + tail);
  }
  std::vector<std::string> missing;
  for (const auto& t : GetStrings(s, "stdout_contains")) {
    if (r.out.find(t) == std::string::npos) missing.push_back(Quote(t));
  }
  if (!missing.empty()) {
    return Failed("command: stdout lacks " + JoinNames(missing));
  }
  return Passed("command: exit code " + std::to_string(r.exit_code));
}

}  // namespace endstate::graders
