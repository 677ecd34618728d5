// run_shell: `bash -c` in the world's sandbox (no network, limits), with the
// outcome rendered as text the model can act on.
#include <string>

#include "tools/builtin_tools.h"
#include "tools/text_limits.h"

namespace endstate::tools {
using nlohmann::json;
namespace {

// "30s", or "1.5s" for a timeout that is not whole seconds.
std::string Seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + "s";
  std::string s = std::to_string(ms.count() / 1000) + ".";
  std::string frac = std::to_string(ms.count() % 1000);
  s += std::string(3 - frac.size(), '0') + frac;
  while (s.back() == '0') s.pop_back();
  return s + "s";
}

}  // namespace

// Shared with ssh_exec's rendering conventions: "exit code N", then the
// non-empty streams. Each stream gets half of `max_bytes` (a stream that
// needs less gives the rest to the other).
std::string RenderProcessOutput(const std::string& status_line,
                                const std::string& out, const std::string& err,
                                const std::string& notes, size_t max_bytes) {
  std::string head = status_line + "\n";
  const std::string kOut = "--- stdout ---\n", kErr = "--- stderr ---\n";
  size_t fixed = head.size() + notes.size() + kOut.size() + kErr.size() + 2;
  size_t budget = max_bytes > fixed ? max_bytes - fixed : 0;
  size_t out_budget = 0, err_budget = 0;
  if (max_bytes == 0) {
    out_budget = err_budget = 0;  // no limit
  } else {
    size_t half = budget / 2;
    out_budget = half;
    err_budget = budget - half;
    if (out.size() < out_budget) err_budget += out_budget - out.size();
    if (err.size() < err_budget) out_budget += err_budget - err.size();
    if (out_budget == 0) out_budget = 1;
    if (err_budget == 0) err_budget = 1;
  }
  std::string text = head;
  if (!out.empty()) {
    text += kOut + CapWithMarker(out, out_budget);
    if (text.back() != '\n') text += "\n";
  }
  if (!err.empty()) {
    text += kErr + CapWithMarker(err, err_budget);
    if (text.back() != '\n') text += "\n";
  }
  text += notes;
  return text;
}

namespace {

ToolResult RunShell(const json& args, const ToolContext& ctx) {
  if (ctx.world == nullptr) return ErrorResult("no world is attached");
  sandbox::ShellLimits limits = ctx.world->options().shell;
  if (args.contains("timeout_s")) {
    limits.timeout =
        std::chrono::seconds(static_cast<int>(args["timeout_s"].get<double>()));
  }
  const auto& command = args.at("command").get_ref<const std::string&>();
  sandbox::ProcessResult pr = ctx.world->RunShell(command, limits);
  if (!pr.started) {
    return ErrorResult("the command could not be started: " + pr.error);
  }
  ToolResult r;
  r.exit_code = pr.signal != 0 ? 128 + pr.signal : pr.exit_code;
  std::string status;
  if (pr.timed_out) {
    status = "timed out after " + Seconds(limits.timeout) +
             "; the process tree was killed";
  } else if (pr.signal != 0) {
    status = "killed by signal " + std::to_string(pr.signal) + " (exit code " +
             std::to_string(r.exit_code) + ")";
  } else {
    status = "exit code " + std::to_string(pr.exit_code);
  }
  std::string notes;
  if (pr.output_truncated) {
    notes = "[output truncated: each stream keeps at most " +
            std::to_string(limits.max_output_bytes) + " bytes]\n";
  }
  if (pr.memory_limit_hit) {
    notes +=
        "[memory limit hit: the command's processes together (and "
        "/tmp) may use at most " +
        std::to_string(limits.max_total_memory_bytes >> 20) +
        " MiB; an allocation was refused or a process killed]\n";
  }
  r.content =
      RenderProcessOutput(status, SanitizeUtf8(pr.out), SanitizeUtf8(pr.err),
                          notes, ctx.max_result_bytes);
  r.is_error = pr.timed_out || pr.memory_limit_hit || r.exit_code != 0;
  return r;
}

}  // namespace

std::unique_ptr<Tool> MakeRunShellTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "run_shell",
          "Run a command with `bash -c` in the workspace (/workspace, the "
          "current directory). No network access; CPU, memory and output "
          "are limited. Returns the exit code, then stdout and stderr.",
          {{"type", "object"},
           {"properties",
            {{"command",
              {{"type", "string"},
               {"minLength", 1},
               {"description", "The bash command line to run"}}},
             {"timeout_s",
              {{"type", "integer"},
               {"minimum", 1},
               {"maximum", 300},
               {"description",
                "Seconds before the command is killed (default 60)"}}}}},
           {"required", {"command"}},
           {"additionalProperties", false}}},
      &RunShell);
}

}  // namespace endstate::tools
