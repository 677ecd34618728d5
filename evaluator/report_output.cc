#include "evaluator/report_output.h"

#include <iostream>

#include "evaluator/cli.h"
#include "results/model_stats.h"
#include "results/probe_data.h"
#include "results/probe_table.h"
#include "results/report.h"
#include "results/report_formats.h"
#include "results/run_data.h"
#include "results/server_data.h"
#include "results/stats_text.h"

namespace endstate::evaluator {

int PrintReport(const std::string& db, int64_t run, const std::string& format,
                results::Store& store,
                std::vector<results::ModelStats>* stats_out) {
  auto fail = [](const std::string& err) {
    std::cerr << "endstate report: " << err << '\n';
    return kExitInfra;
  };
  std::string err;
  auto reader = results::RunReader::Open(db, &err);
  if (!reader) return fail(err);
  // JUnit shows each failure's first problem but no tool-call rates; the
  // other formats the reverse.
  const bool junit = format == "junit";
  auto data =
      reader->Load(run, {.tool_calls = !junit, .first_problems = junit}, &err);
  if (!data) return fail(err);
  const std::vector<results::ModelStats> stats =
      results::ComputeModelStats(*data);
  if (stats_out) *stats_out = stats;
  // The probe table (docs/report.md): table, JSON and Markdown; CSV and
  // JUnit keep their one-row-per-model / per-testcase shapes.
  std::vector<results::ProbeRow> probe_rows;
  if (format == "table" || format == "json" || format == "markdown") {
    auto probes = results::LoadModelProbes(db, run, data->models, &err);
    if (!probes) return fail(err);
    probe_rows = results::MakeProbeRows(*probes, stats);
  }
  // Managed servers of the run (docs/servers.md), in every format.
  auto servers = results::LoadServers(db, run, &err);
  if (!servers) return fail(err);
  if (format == "json") {
    auto summaries = store.Summarize(run, &err);
    if (!summaries) return fail(err);
    auto cells = store.TaskMatrix(run, &err);
    if (!cells) return fail(err);
    nlohmann::json j = results::ReportJson(run, *summaries, *cells);
    results::AddStatisticsJson(*data, stats, &j);
    if (!probe_rows.empty()) {
      j["probes"] = nlohmann::json::array();
      for (const auto& r : probe_rows) {
        j["probes"].push_back(results::ProbeRowJson(r));
      }
    }
    if (!servers->empty()) {
      j["servers"] = nlohmann::json::array();
      for (const auto& s : *servers) {
        j["servers"].push_back(results::ServerRowJson(s));
      }
    }
    std::cout << j.dump(2) << '\n';
  } else if (format == "csv") {
    std::vector<std::string> names;
    for (const auto& s : stats) names.push_back(s.name);
    std::cout << results::AddServerCsvColumns(results::RenderCsv(*data, stats),
                                              names, *servers);
  } else if (format == "markdown") {
    std::cout << results::RenderMarkdown(*data, stats);
    if (!probe_rows.empty()) {
      std::cout << results::RenderProbeMarkdown(probe_rows, run);
    }
    std::cout << results::RenderServerMarkdown(*servers);
  } else if (format == "junit") {
    std::cout << results::AddServerJUnitProperties(
        results::RenderJUnit(*data, stats), *servers);
  } else {
    std::cout << "run " << run << '\n'
              << results::RenderStatsTable(*data, stats,
                                           results::StdoutWantsColor());
    if (!probe_rows.empty()) {
      std::cout << '\n' << results::RenderProbeTable(probe_rows, run);
    }
    if (!servers->empty()) {
      std::cout << '\n' << results::RenderServerTable(*servers);
    }
  }
  return kExitOk;
}

}  // namespace endstate::evaluator
