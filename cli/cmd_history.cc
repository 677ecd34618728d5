// `endstate history`: each model across the runs of a database: completion
// rate per run with its interval, change against the previous run and the
// baseline, flipped and flaky tasks, probe figures; table, JSON, CSV,
// Markdown and a self-contained HTML page (docs/history.md).
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "cli/validators.h"
#include "report/history.h"
#include "report/history_formats.h"
#include "report/history_html.h"
#include "report/html_report.h"
#include "report/stats_text.h"
#include "results/display_name.h"
#include "results/run_meta.h"
#include "results/run_names.h"

namespace endstate::cli {
namespace {

constexpr const char* kWho = "endstate history: ";
// docs/cli.md, exit codes: 1 is "a check found a problem", here the gate.
constexpr int kExitRegression = kExitCheckFailed;

struct HistoryCliOptions {
  std::string db = "endstate.db";
  std::vector<std::string> labels, models;
  std::string since, until;
  int last = 0;
  bool all_kinds = false;
  std::string baseline;  // RUN_ID or KEY=VALUE
  std::string format = "table";
  std::string html;
  bool write_run_reports = false;
  bool fail_on_regression = false;
  int flaky_min_runs = 3;
  double flaky_threshold = 0.25;
};

// "YYYY-MM-DD" optionally followed by "THH", "THH:MM" or "THH:MM:SS".
bool ValidDate(const std::string& s) {
  static const std::string kShape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < 10 || s.size() > kShape.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == 'd' ? !digit : s[i] != kShape[i]) return false;
  }
  return s.size() == 10 || s.size() == 13 || s.size() == 16 || s.size() == 19;
}

// Writes run reports missing beside `page` (run-<id>.html), for the links.
bool WriteMissingRunReports(results::RunReader& reader,
                            const report::History& h, const std::string& page,
                            std::string* err) {
  const std::filesystem::path dir =
      std::filesystem::path(page).parent_path().empty()
          ? std::filesystem::path(".")
          : std::filesystem::path(page).parent_path();
  int written = 0;
  for (const auto& run : h.runs) {
    if (run.status != "finished") continue;  // still changing: write later
    const auto path = dir / report::RunReportFileName(run.id);
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) continue;
    if (!report::WriteHtmlReport(reader, run.id, path.string(), {}, err)) {
      return false;
    }
    ++written;
  }
  if (written > 0) {
    std::cerr << kWho << "wrote " << written << " run report(s) in "
              << dir.string() << '\n';
  }
  return true;
}

// `h` with the short model names the table, Markdown and HTML show
// (results/display_name.h); JSON and CSV keep the recorded names.
report::History Shown(report::History h) {
  std::vector<std::string> names;
  for (const auto& m : h.models) names.push_back(m.name);
  const std::vector<std::string> shown = results::DisplayModelNames(names);
  for (size_t i = 0; i < h.models.size(); ++i) h.models[i].name = shown[i];
  return h;
}

// Each --model as a recorded name (a table's short name works too); a
// name the record does not hold is an error that lists the valid ones.
int ResolveModels(results::RunReader& reader,
                  std::vector<std::string>* models) {
  if (models->empty()) return kExitOk;
  std::string err;
  auto names = results::RecordedModelNames(reader, &err);
  if (!names) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  for (std::string& m : *models) {
    const std::string recorded = results::ResolveModelName(m, *names);
    if (recorded.empty()) {
      std::string list;
      for (const auto& n : results::DisplayModelNames(*names))
        list += (list.empty() ? "" : ", ") + n;
      std::cerr << kWho << "no model '" << m << "' in " << reader.path()
                << " (models: " << (list.empty() ? "none" : list) << ")\n";
      return kExitUsage;
    }
    m = recorded;
  }
  return kExitOk;
}

int History(const HistoryCliOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("history", o.db, &code);
  if (!reader) return code;
  std::string err;
  report::HistoryOptions options{.models = o.models,
                                 .since = o.since,
                                 .until = o.until,
                                 .last = o.last,
                                 .all_kinds = o.all_kinds,
                                 .flaky_min_runs = o.flaky_min_runs,
                                 .flaky_threshold = o.flaky_threshold};
  if (!results::ParseLabels(o.labels, &options.labels, &err)) {
    std::cerr << kWho << "--label " << err << '\n';
    return kExitUsage;
  }
  if (int rc = ResolveModels(*reader, &options.models); rc != kExitOk) {
    return rc;
  }
  for (const auto& [flag, value] :
       {std::pair{"--since", &o.since}, std::pair{"--until", &o.until}}) {
    if (!value->empty() && !ValidDate(*value)) {
      std::cerr << kWho << flag << " '" << *value
                << "': expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)\n";
      return kExitUsage;
    }
  }
  if (!o.baseline.empty()) {
    if (o.baseline.find('=') != std::string::npos) {
      if (!results::ParseLabels({o.baseline}, &options.baseline_labels, &err)) {
        std::cerr << kWho << "--baseline " << err << '\n';
        return kExitUsage;
      }
    } else if (o.baseline.find_first_not_of("0123456789") ==
                   std::string::npos &&
               o.baseline.size() < 18 && std::stoll(o.baseline) > 0) {
      options.baseline_run = std::stoll(o.baseline);
    } else {
      std::cerr << kWho << "--baseline '" << o.baseline
                << "': expected a run id or KEY=VALUE\n";
      return kExitUsage;
    }
  }
  auto h = report::LoadHistory(*reader, options, &err);
  if (!h) {
    std::cerr << kWho << err << '\n';
    return err.rfind("baseline: ", 0) == 0 ? kExitUsage : kExitInfra;
  }
  if (!o.html.empty()) {
    if (o.write_run_reports &&
        !WriteMissingRunReports(*reader, *h, o.html, &err)) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
    if (!report::WriteHistoryHtml(Shown(*h), o.html, &err)) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
    std::cerr << kWho << "wrote " << o.html << '\n';
  }
  if (o.format == "json") {
    std::cout << report::HistoryJson(*h).dump(2) << '\n';
  } else if (o.format == "csv") {
    std::cout << report::RenderHistoryCsv(*h);
  } else if (o.format == "markdown") {
    std::cout << report::RenderHistoryMarkdown(Shown(*h));
  } else {
    std::cout << report::RenderHistoryTable(Shown(*h),
                                            UseColor("auto", STDOUT_FILENO));
  }
  if (o.fail_on_regression) {
    const auto regressions = report::FindRegressions(*h);
    if (!regressions.empty()) {
      std::cerr << kWho << regressions.size()
                << " model(s) significantly worse (--fail-on-regression)\n";
      return kExitRegression;
    }
  }
  return kExitOk;
}

}  // namespace

Command AddHistoryCommand(CLI::App& root) {
  auto o = std::make_shared<HistoryCliOptions>();
  CLI::App* app = root.add_subcommand(
      "history",
      "Each model across runs: rate per run, changes, flipped and flaky "
      "tasks (docs/history.md)");
  app->add_option("--db", o->db, "SQLite database (default ./endstate.db)");
  app->add_option("--label", o->labels,
                  "Only runs with this label (repeatable: all must match)")
      ->type_name("KEY=VALUE");
  app->add_option("--model", o->models, "Only this model name (repeatable)");
  app->add_option("--since", o->since,
                  "Only runs started on or after this UTC date or time")
      ->type_name("DATE");
  app->add_option("--until", o->until,
                  "Only runs started on or before this UTC date or time")
      ->type_name("DATE");
  app->add_option("--last", o->last, "Only the newest N runs (after filters)")
      ->check(AtLeast(1))
      ->type_name("N");
  app->add_flag("--all-kinds", o->all_kinds,
                "Also replay and probe-only runs (default: evaluation runs)");
  app->add_option("--baseline", o->baseline,
                  "Compare every run with this run id, or with the newest "
                  "evaluation run carrying label KEY=VALUE")
      ->type_name("RUN|KEY=VALUE");
  app->add_option("--format", o->format, "table, json, csv or markdown")
      ->check(CLI::IsMember({"table", "json", "csv", "markdown"}));
  CLI::Option* html =
      app->add_option("--html", o->html,
                      "Also write a self-contained HTML history page to FILE")
          ->option_text("FILE");
  app->add_flag("--write-run-reports", o->write_run_reports,
                "With --html: write each finished run's report "
                "(run-ID.html) beside the page when missing")
      ->needs(html);
  app->add_flag("--fail-on-regression", o->fail_on_regression,
                "Exit 1 when a model's newest run is significantly worse "
                "than the baseline (or, without one, its previous run)");
  app->add_option("--flaky-min-runs", o->flaky_min_runs,
                  "Runs a task needs before it can be called flaky "
                  "(default 3)")
      ->check(CLI::Range(2, 1000000))
      ->type_name("N");
  app->add_option("--flaky-threshold", o->flaky_threshold,
                  "Flip rate from which a task is flaky (default 0.25)")
      ->check(CLI::Range(0.01, 1.0))
      ->type_name("RATE");
  return {app, [o] { return History(*o); }};
}

}  // namespace endstate::cli
