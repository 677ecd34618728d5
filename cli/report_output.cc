#include "cli/report_output.h"

#include <unistd.h>

#include <iostream>

#include "cli/cli.h"
#include "cli/terminal.h"
#include "report/model_stats.h"
#include "report/probe_table.h"
#include "report/report.h"
#include "report/report_formats.h"
#include "report/server_text.h"
#include "report/stats_text.h"
#include "results/display_name.h"
#include "results/probe_data.h"
#include "results/reader.h"
#include "results/run_meta.h"
#include "results/run_settings.h"
#include "results/server_data.h"

namespace endstate::cli {
namespace {

// "labels: k=v,...\n" and "note: ...\n", each only when set.
std::string RunMetaLines(const results::RunMeta& meta,
                         const std::string& prefix) {
  std::string out;
  if (!meta.labels.empty()) {
    out += prefix + "labels: " + results::LabelsText(meta.labels) + "\n";
  }
  if (!meta.note.empty()) out += prefix + "note: " + meta.note + "\n";
  return out;
}

// The table and Markdown show short model names (results/display_name.h);
// JSON, CSV and JUnit keep the full ones.
void ShowDisplayNames(std::vector<report::ModelStats>* stats,
                      std::vector<report::ProbeRow>* probes,
                      std::vector<results::ServerRow>* servers) {
  std::vector<std::string> names;
  for (const auto& s : *stats) names.push_back(s.name);
  const auto shown = results::DisplayModelNameMap(names);
  auto rename = [&](std::string* name) {
    if (auto it = shown.find(*name); it != shown.end()) *name = it->second;
  };
  for (auto& s : *stats) rename(&s.name);
  for (auto& p : *probes) rename(&p.model);
  for (auto& s : *servers) rename(&s.model);
}

}  // namespace

int PrintReport(results::RunReader& reader, int64_t run,
                const std::string& format,
                std::vector<report::ModelStats>* stats_out) {
  auto fail = [](const std::string& err) {
    std::cerr << "endstate report: " << err << '\n';
    return kExitInfra;
  };
  std::string err;
  // Every format shows the failed checks; JUnit has no tool-call rates.
  const bool junit = format == "junit";
  auto data =
      reader.Load(run, {.tool_calls = !junit, .first_problems = true}, &err);
  if (!data) return fail(err);
  if (data->models.empty()) {
    std::cerr << "endstate report: " << reader.path() << ": run " << run
              << " not found or has no models\n";
    return kExitUsage;
  }
  std::vector<report::ModelStats> stats = report::ComputeModelStats(*data);
  if (stats_out) *stats_out = stats;
  // The probe table (docs/report.md): table, JSON and Markdown; CSV and
  // JUnit keep their one-row-per-model / per-testcase shapes.
  std::vector<report::ProbeRow> probe_rows;
  if (format == "table" || format == "json" || format == "markdown") {
    auto probes = results::LoadModelProbes(reader, run, data->models, &err);
    if (!probes) return fail(err);
    probe_rows = report::MakeProbeRows(*probes, stats);
  }
  // Managed servers of the run (docs/servers.md), in every format.
  auto servers = results::LoadServers(reader, run, &err);
  if (!servers) return fail(err);
  auto meta = results::LoadRunMeta(reader, run, &err);
  if (!meta) return fail(err);
  if (format == "table" || format == "markdown") {
    ShowDisplayNames(&stats, &probe_rows, &*servers);
  }
  if (format == "json") {
    auto summaries = reader.Summarize(run, &err);
    if (!summaries) return fail(err);
    auto cells = reader.TaskMatrix(run, &err);
    if (!cells) return fail(err);
    nlohmann::json j = report::ReportJson(run, *summaries, *cells);
    report::AddStatisticsJson(*data, stats, &j);
    j["labels"] = meta->labels;
    j["note"] = meta->note;
    auto settings = results::LoadRunSettings(reader, run, &err);
    if (!settings) return fail(err);
    j["settings"] = *settings;
    if (!probe_rows.empty()) {
      j["probes"] = nlohmann::json::array();
      for (const auto& r : probe_rows) {
        j["probes"].push_back(report::ProbeRowJson(r));
      }
    }
    if (!servers->empty()) {
      j["servers"] = nlohmann::json::array();
      for (const auto& s : *servers) {
        j["servers"].push_back(report::ServerRowJson(s));
      }
    }
    std::cout << j.dump(2) << '\n';
  } else if (format == "csv") {
    std::vector<std::string> names;
    for (const auto& s : stats) names.push_back(s.name);
    std::cout << report::AddServerCsvColumns(report::RenderCsv(*data, stats),
                                             names, *servers);
  } else if (format == "markdown") {
    std::cout << report::RenderMarkdown(*data, stats);
    if (!meta->labels.empty() || !meta->note.empty()) {
      std::cout << "\n" << RunMetaLines(*meta, "- ");
    }
    if (!probe_rows.empty()) {
      std::cout << report::RenderProbeMarkdown(probe_rows, run);
    }
    std::cout << report::RenderServerMarkdown(*servers);
  } else if (format == "junit") {
    std::cout << report::AddServerJUnitProperties(
        report::RenderJUnit(*data, stats), *servers);
  } else {
    std::cout << "run " << run << '\n'
              << RunMetaLines(*meta, "")
              << report::RenderStatsTable(*data, stats,
                                          UseColor("auto", STDOUT_FILENO),
                                          TerminalColumns(STDOUT_FILENO));
    if (!probe_rows.empty()) {
      std::cout << '\n' << report::RenderProbeTable(probe_rows, run);
    }
    if (!servers->empty()) {
      std::cout << '\n' << report::RenderServerTable(*servers);
    }
  }
  return kExitOk;
}

}  // namespace endstate::cli
