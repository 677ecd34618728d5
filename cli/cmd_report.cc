// `endstate report`: per-model results of one run from the database.
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/report_output.h"
#include "cli/validators.h"
#include "report/html_report.h"
#include "report/report.h"
#include "results/reader.h"

namespace endstate::cli {
namespace {

struct ReportOptions {
  std::string db = "endstate.db";
  int64_t run = 0;  // 0 = latest
  std::string format = "table";
  std::string html;  // also write the HTML report here ("" = no)
};

int Report(const ReportOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("report", o.db, &code);
  if (!reader) return code;
  std::string err;
  int64_t run = o.run;
  if (run == 0) {
    auto latest = reader->LatestRun(&err);
    if (!latest) {
      std::cerr << "endstate report: " << o.db << ": "
                << (err.empty() ? "no runs recorded" : err) << '\n';
      return kExitUsage;
    }
    run = *latest;
  }
  auto exists = reader->HasRun(run, &err);
  if (!exists) {
    std::cerr << "endstate report: " << err << '\n';
    return kExitInfra;
  }
  if (!*exists) {
    std::cerr << "endstate report: " << o.db << ": run " << run
              << " not found or has no models\n";
    return kExitUsage;
  }
  if (!o.html.empty()) {
    // The table still goes to stdout.
    if (!report::WriteHtmlReport(*reader, run, o.html, {}, &err)) {
      std::cerr << "endstate report: " << err << '\n';
      return kExitInfra;
    }
    std::cerr << "endstate report: wrote " << o.html << '\n';
  }
  return PrintReport(*reader, run, o.format);
}

}  // namespace

Command AddReportCommand(CLI::App& root) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* app = root.add_subcommand("report", "Per-model results of a run");
  AddDbOption(app, &o->db);
  app->add_option("--run", o->run,
                  "Run id (default: the latest evaluation run)")
      ->check(AtLeast(1));
  app->add_option("--format", o->format,
                  "table, json, csv, markdown or junit (docs/report.md)")
      ->check(CLI::IsMember(kReportFormats));
  app->add_option("--html", o->html,
                  "Also write a self-contained HTML report to FILE")
      ->option_text("FILE");
  return {app, [o] { return Report(*o); }};
}

}  // namespace endstate::cli
