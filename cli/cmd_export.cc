// `endstate export`: a run's (or chosen attempts') transcripts as JSON Lines
// in the OpenAI chat shape, or as an Inspect AI eval log (docs/export.md).
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/name_filter.h"
#include "cli/validators.h"
#include "report/export_inspect.h"
#include "report/export_jsonl.h"
#include "results/export_select.h"
#include "results/reader.h"
#include "util/files.h"

namespace endstate::cli {
namespace {

constexpr const char* kWho = "endstate export: ";

struct ExportOptions {
  std::string db = "endstate.db";
  int64_t run = 0;  // 0 = latest
  std::vector<int64_t> attempts;
  std::string model, task, outcome;
  bool all_tries = false;
  std::string format = "jsonl";
  std::string out;  // "" = stdout
};

// Writes `text` to `path` atomically, or to stdout when `path` is "".
bool Emit(const std::string& path, const std::string& text, std::string* err) {
  if (path.empty()) {
    std::cout << text;
    return static_cast<bool>(std::cout);
  }
  return util::WriteFileAtomic(path, text, err);
}

int Export(const ExportOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("export", o.db, &code);
  if (!reader) return code;
  std::string err;
  results::ExportSelection sel{.run = o.run,
                               .attempts = o.attempts,
                               .model = o.model,
                               .task = o.task,
                               .outcome = o.outcome,
                               .all_tries = o.all_tries};
  if (sel.attempts.empty() && sel.run == 0) {
    auto latest = reader->LatestRun(&err);
    if (!latest) {
      std::cerr << kWho << o.db << ": "
                << (err.empty() ? "no runs recorded" : err) << '\n';
      return kExitUsage;
    }
    sel.run = *latest;
  }
  if (sel.attempts.empty()) {
    if (int rc =
            CheckRunFilters("export", *reader, sel.run, &sel.model, sel.task);
        rc != kExitOk) {
      return rc;
    }
  }
  auto headers = results::SelectAttempts(*reader, sel, &err);
  if (!headers) {
    std::cerr << kWho << err << '\n';
    return err.rfind("no ", 0) == 0 ? kExitUsage : kExitInfra;
  }
  if (headers->empty()) {
    std::cerr << kWho << "no attempt matches\n";
    return kExitUsage;
  }
  std::map<int64_t, results::ExportRunInfo> runs;
  auto run_info = [&](int64_t id) -> const results::ExportRunInfo* {
    auto it = runs.find(id);
    if (it != runs.end()) return &it->second;
    auto info = results::LoadExportRunInfo(*reader, id, &err);
    if (!info) return nullptr;
    return &runs.emplace(id, std::move(*info)).first->second;
  };
  if (o.format == "inspect") {
    const auto& first = headers->front();
    for (const auto& h : *headers) {
      if (h.run_id != first.run_id || h.model != first.model) {
        std::cerr << kWho
                  << "an Inspect log holds one model of one run; these "
                     "attempts span "
                  << first.model << " (run " << first.run_id << ") and "
                  << h.model << " (run " << h.run_id << "): give --model\n";
        return kExitUsage;
      }
    }
    std::vector<results::Transcript> transcripts;
    for (const auto& h : *headers) {
      auto t = results::LoadTranscript(*reader, h.id, &err);
      if (!t) {
        std::cerr << kWho << err << '\n';
        return kExitInfra;
      }
      transcripts.push_back(std::move(*t));
    }
    const results::ExportRunInfo* run = run_info(first.run_id);
    if (!run) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
    const std::string text =
        report::InspectEvalLog(*run, first.model, transcripts)
            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
        "\n";
    if (!Emit(o.out, text, &err)) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
  } else {
    // One line per attempt, read one at a time.
    std::string text;
    for (const auto& h : *headers) {
      auto t = results::LoadTranscript(*reader, h.id, &err);
      const results::ExportRunInfo* run = t ? run_info(h.run_id) : nullptr;
      if (!run) {
        std::cerr << kWho << err << '\n';
        return kExitInfra;
      }
      text += report::OpenAiChatRecord(*t, *run).dump(
                  -1, ' ', false, nlohmann::json::error_handler_t::replace) +
              "\n";
    }
    if (!Emit(o.out, text, &err)) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
  }
  if (!o.out.empty()) {
    std::cerr << kWho << "wrote " << headers->size() << " attempt(s) to "
              << o.out << '\n';
  }
  return kExitOk;
}

}  // namespace

Command AddExportCommand(CLI::App& root) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* app = root.add_subcommand(
      "export",
      "Write transcripts as OpenAI-chat JSON Lines or an Inspect AI eval "
      "log (docs/export.md)");
  app->add_option("--db", o->db, "SQLite database (default ./endstate.db)");
  CLI::Option* run =
      app->add_option("--run", o->run,
                      "Run id (default: the latest evaluation run)")
          ->check(AtLeast(1));
  app->add_option("--attempt", o->attempts,
                  "Only this attempt id (repeatable; any run)")
      ->check(AtLeast(1))
      ->excludes(run);
  app->add_option("--model", o->model, "Only this model (its name)");
  app->add_option("--task", o->task, "Only this task id");
  app->add_option("--outcome", o->outcome, "Only this outcome")
      ->check(CLI::IsMember({"passed", "failed", "error"}));
  app->add_flag("--all-tries", o->all_tries,
                "Also tries superseded by a later try of the same slot");
  app->add_option("--format", o->format,
                  "jsonl (OpenAI chat, one attempt per line) or inspect "
                  "(Inspect AI eval log JSON)")
      ->check(CLI::IsMember({"jsonl", "inspect"}));
  app->add_option("-o,--out", o->out, "Write to FILE (default stdout)")
      ->option_text("FILE");
  return {app, [o] { return Export(*o); }};
}

}  // namespace endstate::cli
