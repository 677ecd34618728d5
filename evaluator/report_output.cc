#include "evaluator/report_output.h"

#include <iostream>

#include "evaluator/cli.h"
#include "results/model_stats.h"
#include "results/report.h"
#include "results/report_formats.h"
#include "results/run_data.h"
#include "results/stats_text.h"

namespace endstate::evaluator {

int PrintReport(const std::string& db, int64_t run, const std::string& format,
                results::Store& store,
                const std::vector<results::ModelSummary>& summaries) {
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
  if (format == "json") {
    auto cells = store.TaskMatrix(run, &err);
    if (!cells) return fail(err);
    nlohmann::json j = results::ReportJson(run, summaries, *cells);
    results::AddStatisticsJson(*data, stats, &j);
    std::cout << j.dump(2) << '\n';
  } else if (format == "csv") {
    std::cout << results::RenderCsv(*data, stats);
  } else if (format == "markdown") {
    std::cout << results::RenderMarkdown(*data, stats);
  } else if (format == "junit") {
    std::cout << results::RenderJUnit(*data, stats);
  } else {
    std::cout << "run " << run << '\n'
              << results::RenderStatsTable(*data, stats,
                                           results::StdoutWantsColor());
  }
  return kExitOk;
}

}  // namespace endstate::evaluator
