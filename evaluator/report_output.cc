#include "evaluator/report_output.h"

#include <iostream>

#include "evaluator/cli.h"
#include "results/model_stats.h"
#include "results/probe_data.h"
#include "results/probe_table.h"
#include "results/report.h"
#include "results/report_formats.h"
#include "results/run_data.h"
#include "results/run_meta.h"
#include "results/stats_text.h"

namespace endstate::evaluator {
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

}  // namespace

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
  auto meta = results::LoadRunMeta(db, run, &err);
  if (!meta) return fail(err);
  if (format == "json") {
    auto summaries = store.Summarize(run, &err);
    if (!summaries) return fail(err);
    auto cells = store.TaskMatrix(run, &err);
    if (!cells) return fail(err);
    nlohmann::json j = results::ReportJson(run, *summaries, *cells);
    results::AddStatisticsJson(*data, stats, &j);
    j["labels"] = meta->labels;
    j["note"] = meta->note;
    if (!probe_rows.empty()) {
      j["probes"] = nlohmann::json::array();
      for (const auto& r : probe_rows) {
        j["probes"].push_back(results::ProbeRowJson(r));
      }
    }
    std::cout << j.dump(2) << '\n';
  } else if (format == "csv") {
    std::cout << results::RenderCsv(*data, stats);
  } else if (format == "markdown") {
    std::cout << results::RenderMarkdown(*data, stats);
    if (!meta->labels.empty() || !meta->note.empty()) {
      std::cout << "\n" << RunMetaLines(*meta, "- ");
    }
    if (!probe_rows.empty()) {
      std::cout << results::RenderProbeMarkdown(probe_rows, run);
    }
  } else if (format == "junit") {
    std::cout << results::RenderJUnit(*data, stats);
  } else {
    std::cout << "run " << run << '\n'
              << RunMetaLines(*meta, "")
              << results::RenderStatsTable(*data, stats,
                                           results::StdoutWantsColor());
    if (!probe_rows.empty()) {
      std::cout << '\n' << results::RenderProbeTable(probe_rows, run);
    }
  }
  return kExitOk;
}

}  // namespace endstate::evaluator
