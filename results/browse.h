// Small queries for the browsing and replay commands (`endstate runs`,
// `endstate replay`), through the read-only RunReader (results/reader.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/reader.h"

namespace endstate::results {

// One row of `endstate runs`.
struct RunRow {
  int64_t id = 0;
  std::string started_at{}, finished_at{};  // finished_at "" while running
  // running | finished | cancelled | killed (results/run_status.h)
  std::string status{};
  std::string args{};                       // the command line
  std::vector<std::string> models{};        // models.name, insertion order
  int attempts = 0;  // every attempt row, retries included
  int passed = 0, failed = 0, errored = 0;
  int unfinished = 0;  // status "running" (killed or still in progress)
  std::string kind{};  // evaluation | replay | probe (results/run_meta.h)
  std::string note{};  // `run --note`, "" when none
  std::map<std::string, std::string> labels{};  // `run --label`
};

// Every run, ordered by id. Returns nullopt and sets *err when the database
// cannot be read. A database older than schema v5 reads with no labels and
// no notes (nothing is migrated: the reader never writes).
std::optional<std::vector<RunRow>> ListRuns(RunReader& reader,
                                            std::string* err);

// tasks.content_hash recorded for the task of attempt `attempt_id`, or
// nullopt and *err ("no attempt 42 in x.db").
std::optional<std::string> RecordedTaskHash(RunReader& reader,
                                            int64_t attempt_id,
                                            std::string* err);

}  // namespace endstate::results
