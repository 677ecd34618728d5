// `endstate report`: per-model results of one run from the database.
#include <iostream>
#include <memory>

#include "evaluator/cli.h"
#include "evaluator/commands.h"
#include "evaluator/report_output.h"
#include "results/html_report.h"
#include "results/report.h"
#include "results/store.h"

namespace endstate::evaluator {
namespace {

struct ReportOptions {
  std::string db = "endstate.db";
  int64_t run = 0;  // 0 = latest
  std::string format = "table";
  std::string html;  // also write the HTML report here ("" = no)
};

int Report(const ReportOptions& o) {
  std::error_code ec;
  if (!std::filesystem::exists(o.db, ec)) {
    std::cerr << "endstate report: " << o.db
              << ": no such database (run `endstate run --db " << o.db
              << "` first)\n";
    return kExitUsage;
  }
  std::string err;
  std::unique_ptr<results::Store> store = results::Store::Open(o.db, &err);
  if (!store) {
    std::cerr << "endstate report: " << err << '\n';
    return kExitInfra;
  }
  int64_t run = o.run;
  if (run == 0) {
    auto latest = store->LatestRun(&err);
    if (!latest) {
      std::cerr << "endstate report: " << o.db << ": "
                << (err.empty() ? "no runs recorded" : err) << '\n';
      return kExitUsage;
    }
    run = *latest;
  }
  // Only whether the run has models: the statistics are read once, by
  // PrintReport (Summarize would join every tool call a second time).
  auto models = store->ListModels(run, &err);
  if (!models) {
    std::cerr << "endstate report: " << err << '\n';
    return kExitInfra;
  }
  if (models->empty()) {
    std::cerr << "endstate report: " << o.db << ": run " << run
              << " not found or has no models\n";
    return kExitUsage;
  }
  if (!o.html.empty()) {
    // Reads through its own connections; the table still goes to stdout.
    if (!results::WriteHtmlReport(o.db, run, o.html, {}, &err)) {
      std::cerr << "endstate report: " << err << '\n';
      return kExitInfra;
    }
    std::cerr << "endstate report: wrote " << o.html << '\n';
  }
  return PrintReport(o.db, run, o.format, *store);
}

}  // namespace

Command AddReportCommand(CLI::App& root) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* app = root.add_subcommand("report", "Per-model results of a run");
  app->add_option("--db", o->db, "SQLite database (default ./endstate.db)");
  app->add_option("--run", o->run, "Run id (default: the latest run)")
      ->check(CLI::PositiveNumber);
  app->add_option("--format", o->format,
                  "table, json, csv, markdown or junit (docs/report.md)")
      ->check(CLI::IsMember(kReportFormats));
  app->add_option("--html", o->html,
                  "Also write a self-contained HTML report to FILE")
      ->option_text("FILE");
  return {app, [o] { return Report(*o); }};
}

}  // namespace endstate::evaluator
