// The body of `endstate report --format ...` (docs/report.md): loads the
// run's statistics through a read-only connection and prints the chosen
// format to stdout. Kept apart from cmd_report.cc so each format's plumbing
// lives in one place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/model_stats.h"
#include "results/reader.h"

namespace endstate::cli {

// The formats `report --format` accepts.
inline const std::vector<std::string> kReportFormats = {"table", "json", "csv",
                                                        "markdown", "junit"};

// Prints run `run` in `format`, read through `reader`. The JSON format also
// reads the per-model summaries and task matrix (its stable fields); the
// others need only the run's data, read once. Returns an exit code
// (cli/cli.h) and writes errors to stderr prefixed "endstate report: "; a
// run that does not exist or has no models is kExitUsage ("x.db: run 7 not
// found or has no models"). When `stats` is not null it receives the
// per-model statistics the report shows (report/model_stats.h).
int PrintReport(results::RunReader& reader, int64_t run,
                const std::string& format,
                std::vector<report::ModelStats>* stats = nullptr);

}  // namespace endstate::cli
