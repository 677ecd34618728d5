// The `--model NAME` and `--task ID` filters of the commands that list a
// run's attempts (`attempts`, `export`): a name the run does not have is a
// usage error that lists the valid names, never an empty listing that
// looks like "nothing failed".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "results/reader.h"

namespace endstate::cli {

// Checks *model and `task` (each "" = no filter) against run `run`. A
// model may be given by its recorded name or by the display name the
// tables show (results/display_name.h); *model is set to the recorded
// one. When `models` is not null it receives the run's model names.
// Returns kExitOk; kExitUsage after printing "endstate CMD: run 3 has no
// model 'X' (models: a, b)" or "... has no task 'X' (tasks: a, b)" to
// stderr (display names; "none" for a run without any); kExitInfra after
// printing SQLite's reason.
int CheckRunFilters(const std::string& cmd, results::RunReader& reader,
                    int64_t run, std::string* model, const std::string& task,
                    std::vector<std::string>* models = nullptr);

}  // namespace endstate::cli
