#include "cli/help.h"

#include <map>
#include <vector>

namespace endstate::cli {
namespace {

struct CommandHelp {
  std::vector<std::string> examples;
  // What exit 1 means for this command; "" = it never exits 1.
  std::string exit_1;
};

const std::map<std::string, CommandHelp>& Table() {
  static const auto* table = new std::map<std::string, CommandHelp>{
      {"",
       {{"endstate run --model builtin:oracle --model builtin:null",
         "endstate report", "endstate attempts --failed", "endstate show 42",
         "endstate run --help"},
        "a check of the command failed: tasks check found a broken task, "
        "replay did not reproduce, compare --fail-if-worse or history "
        "--fail-on-regression found a worse model"}},
      {"run",
       {{"endstate run --model builtin:oracle --model builtin:flaky:0.3 "
         "--epochs 3",
         "endstate run --model 'openai:http://127.0.0.1:8000/v1#qwen' "
         "--task fix-page-title",
         "endstate run --config lab.yaml --db nightly.db --retry-errors 2",
         "endstate run --resume 12 --db nightly.db"},
        ""}},
      {"report",
       {{"endstate report", "endstate report --run 7 --format markdown",
         "endstate report --html report.html"},
        ""}},
      {"tasks", {{"endstate tasks list", "endstate tasks check"}, ""}},
      {"tasks list", {{"endstate tasks list --json"}, ""}},
      {"tasks check",
       {{"endstate tasks check --tasks my-suite --concurrency 2"},
        "a task is broken (each one is named)"}},
      {"show", {{"endstate show 42", "endstate show 42 --json --raw"}, ""}},
      {"runs",
       {{"endstate runs", "endstate runs --label quant=nvfp4 --json"}, ""}},
      {"runs delete", {{"endstate runs delete 3 4 --vacuum"}, ""}},
      {"runs prune",
       {{"endstate runs prune --older-than 180 --keep-label baseline=yes "
         "--dry-run"},
        ""}},
      {"attempts",
       {{"endstate attempts --failed",
         "endstate attempts --run 7 --model qwen --task fix-page-title"},
        ""}},
      {"replay",
       {{"endstate replay 42",
         "endstate replay 42 --from-turn 3 --model "
         "'openai:http://127.0.0.1:8000/v1#qwen'"},
        "the replay did not reproduce the recorded verdict"}},
      {"compare",
       {{"endstate compare builtin:oracle builtin:flaky:0.3",
         "endstate compare --fail-if-worse 12:qwen qwen"},
        "with --fail-if-worse: B is significantly worse than A"}},
      {"serve-replay", {{"endstate serve-replay 42 --port 8001"}, ""}},
      {"probe",
       {{"endstate probe speed --model 'openai:http://127.0.0.1:8000/v1#qwen'",
         "endstate probe all --config lab.yaml --model qwen-fp8"},
        ""}},
      {"merge", {{"endstate merge all.db shard0.db shard1.db"}, ""}},
      {"serve", {{"endstate serve qwen --config lab.yaml"}, ""}},
      {"history",
       {{"endstate history --last 30",
         "endstate history --baseline baseline=yes --fail-on-regression"},
        "with --fail-on-regression: a model's newest run is significantly "
        "worse than the baseline"}},
      {"export",
       {{"endstate export --run 41 --outcome passed > passed.jsonl",
         "endstate export --run 41 --model qwen --format inspect -o qwen.json"},
        ""}},
  };
  return *table;
}

std::string Path(const CLI::App* app) {
  std::string path;
  for (const CLI::App* a = app; a->get_parent() != nullptr;
       a = a->get_parent()) {
    path = a->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

// Shows the default of each option that takes a value, unless its
// description already names it or the default is empty or a sentinel.
void CaptureDefaults(CLI::App* app) {
  for (CLI::Option* opt : app->get_options()) {
    if (opt->get_type_size() == 0 || opt->get_positional() ||
        opt->get_description().find("default") != std::string::npos) {
      continue;
    }
    opt->capture_default_str();
    // No values, or a sentinel for "not given" (`--resume` 0, `--last` 0,
    // `--from-turn` -1): the description says what that means.
    const std::string d = opt->get_default_str();
    if (d == "[]" || d == "0" || d.rfind('-', 0) == 0) opt->default_str("");
  }
}

void Finish(CLI::App* app) {
  app->footer(HelpFooter(Path(app)));
  CaptureDefaults(app);
  for (CLI::App* sub : app->get_subcommands(std::function<bool(CLI::App*)>{})) {
    Finish(sub);
  }
}

}  // namespace

std::string HelpFooter(const std::string& path) {
  std::string out;
  auto it = Table().find(path);
  if (it != Table().end() && !it->second.examples.empty()) {
    out += "Examples:\n";
    for (const auto& e : it->second.examples) out += "  " + e + "\n";
    out += "\n";
  }
  out +=
      "Exit codes:\n"
      "  0  success (failed attempts are results, not errors)\n";
  if (it != Table().end() && !it->second.exit_1.empty()) {
    out += "  1  " + it->second.exit_1 + "\n";
  }
  out +=
      "  2  usage or input error: bad flag, config, task file or name\n"
      "  3  infrastructure failure: an attempt or probe ended in error, an\n"
      "     endpoint did not answer, or the database could not be written\n";
  if (path.empty() || path == "run" || path == "probe") {
    out +=
        "  130  stopped by Ctrl-C or SIGTERM (a run says how to --resume "
        "it)\n";
  }
  out += "Manual: docs/cli.md";
  if (path.empty()) out += "; every command has --help";
  return out;
}

void FinishHelp(CLI::App& root) { Finish(&root); }

}  // namespace endstate::cli
