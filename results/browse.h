// Small queries for the browsing and replay commands (`endstate runs`,
// `endstate replay`) that the Store interface does not cover. Each call
// opens its own connection (results/sqlite.h), so it never contends with a
// run writing through a Store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace endstate::results {

// One row of `endstate runs`.
struct RunRow {
  int64_t id = 0;
  std::string started_at{}, finished_at{};  // finished_at "" while running
  std::string status{};                     // running | finished
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
// cannot be read (a missing file is an error, never created). The database
// must be at schema v3 or later (open a Store first to migrate it).
std::optional<std::vector<RunRow>> ListRuns(const std::string& db_path,
                                            std::string* err);

// tasks.content_hash recorded for the task of attempt `attempt_id`, or
// nullopt and *err ("no attempt 42 in x.db").
std::optional<std::string> RecordedTaskHash(const std::string& db_path,
                                            int64_t attempt_id,
                                            std::string* err);

// Links attempt `attempt_id` to the attempt it was continued from
// (`endstate replay --from-turn`): UPDATE attempts SET parent_attempt_id.
// Returns false and sets *err ("no attempt 42 in x.db") when either id is
// missing. Written here, not through Store, because only replay needs it.
bool SetParentAttempt(const std::string& db_path, int64_t attempt_id,
                      int64_t parent_attempt_id, std::string* err);

}  // namespace endstate::results
