// The read side of the record: one read-only connection to a database file,
// opened once and passed to every module that reads (report, compare, show,
// attempts, runs, the HTML report, probes). It never writes, never creates
// tables and never changes the journal mode, so it works on a read-only copy
// and beside a run that is writing (WAL). Not thread-safe: one per thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/run_data.h"
#include "results/sqlite.h"

namespace endstate::results {

// Per-model summary for `report --format json` (docs/report.md, stable JSON).
struct ModelSummary {
  std::string name{};
  int attempts = 0, passed = 0, failed = 0, errored = 0, unfinished = 0;
  double completion_rate = 0;  // passed / (passed + failed); 0 when none
  double mean_turns = 0;       // over finished attempts
  int64_t prompt_tokens = 0, completion_tokens = 0;
  std::map<std::string, int> tool_call_errors{};  // kind -> count
  int tool_calls = 0;
  // Tries superseded by a later try of the same slot (retried errors,
  // attempts interrupted and re-run by resume); not in any count above.
  int earlier_tries = 0;
};

// Per task x model: passed / failed / errored counts of finished attempts.
struct TaskCell {
  std::string task{}, model{};
  int passed = 0, failed = 0, errored = 0;
};

class RunReader {
 public:
  // Opens `path` read-only. Fails with "<path>: no such database" when the
  // file does not exist, and "<path>: not an endstate database (<why>)"
  // when it has no endstate record.
  static std::optional<RunReader> Open(const std::string& path,
                                       std::string* err);

  const std::string& path() const { return path_; }
  // The connection, for the read modules of results/ (transcript, browse,
  // probe_data, and the HTML report's loader).
  Db& db() { return db_; }

  // The newest evaluation run's id (written by `run` or `merge`; replay
  // and probe runs are skipped: results/run_meta.h kRunKindSql); in a
  // database with no evaluation run, the newest run of any kind; nullopt
  // (err cleared) when there is no run. What every command's "default: the
  // latest run" means.
  std::optional<int64_t> LatestRun(std::string* err);
  // The newest run whose models include every name in `models`; nullopt
  // with err cleared when no run does.
  std::optional<int64_t> LatestRunWith(const std::vector<std::string>& models,
                                       std::string* err);
  // Whether run `id` exists.
  std::optional<bool> HasRun(int64_t id, std::string* err);

  // What to load beyond the attempt rows: the two joins below walk every
  // turn / check of the run (most of the time on a 1,000,000-turn run).
  struct LoadOptions {
    bool tool_calls = true;      // AttemptData::tool_calls, invalid_calls
    bool first_problems = true;  // AttemptData::failed_checks
  };
  // Everything about one run (results/run_data.cc). An unknown run yields
  // empty vectors.
  std::optional<RunData> Load(int64_t run_id, std::string* err);
  std::optional<RunData> Load(int64_t run_id, const LoadOptions& options,
                              std::string* err);

  // Per-model summaries of one run, ordered by model insertion. An unknown
  // run yields an empty vector (not an error). Only the latest try of each
  // (model, task, epoch) slot counts (highest attempt id): earlier tries
  // (errors that were retried, attempts abandoned by resume) are counted in
  // ModelSummary::earlier_tries only. TaskMatrix counts the same way.
  std::optional<std::vector<ModelSummary>> Summarize(int64_t run_id,
                                                     std::string* err);
  // One cell per (task, model) pair with at least one attempt, ordered by
  // task then model insertion. An unknown run yields an empty vector.
  std::optional<std::vector<TaskCell>> TaskMatrix(int64_t run_id,
                                                  std::string* err);

 private:
  RunReader(std::string path, Db db)
      : path_(std::move(path)), db_(std::move(db)) {}
  std::string path_;
  Db db_;
};

}  // namespace endstate::results
