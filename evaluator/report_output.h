// The body of `endstate report --format ...` (docs/report.md): loads the
// run's statistics through a read-only connection and prints the chosen
// format to stdout. Kept apart from cmd_report.cc so each format's plumbing
// lives in one place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "results/model_stats.h"
#include "results/store.h"

namespace endstate::evaluator {

// The formats `report --format` accepts.
inline const std::vector<std::string> kReportFormats = {"table", "json", "csv",
                                                        "markdown", "junit"};

// Prints run `run` of the database at `db` in `format`. The JSON format
// also reads `store`'s per-model summaries and task matrix (its stable
// fields); the others need only the run's data, read once. Returns an exit
// code (evaluator/cli.h) and writes errors to stderr prefixed
// "endstate report: ". When `stats` is not null it receives the per-model
// statistics the report shows (results/model_stats.h).
int PrintReport(const std::string& db, int64_t run, const std::string& format,
                results::Store& store,
                std::vector<results::ModelStats>* stats = nullptr);

}  // namespace endstate::evaluator
