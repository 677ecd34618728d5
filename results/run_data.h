// Read side for statistics: everything `report` and `compare` need about one
// run, loaded with a few read-only queries (one row per attempt, tool-call
// counts grouped per attempt). Opens its own read-only connection, so it
// never contends with a run that is writing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/outcome.h"
#include "results/sqlite.h"

namespace endstate::results {

struct AttemptData {
  int64_t id = 0;
  int model = 0;  // index into RunData::models
  int task = 0;   // index into RunData::tasks
  int epoch = 0;
  int try_number = 1;
  bool finished = false;
  Outcome outcome = Outcome::kError;  // meaningful when finished
  // kNone while running (and for text this version does not know).
  Termination termination = Termination::kNone;
  std::string error{};  // infrastructure error text
  int turns = 0;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  double wall_ms = 0;
  int64_t reasoning_tokens = 0;  // of completion_tokens (schema v3; 0 before)
  int truncated_turns = 0;       // replies cut at the per-turn token cap
  // The first check that did not pass, as "kind: detail" ("" when none).
  std::string first_problem{};
  int tool_calls = 0;                          // every recorded call
  std::map<std::string, int> invalid_calls{};  // error kind -> count
};

struct RunData {
  int64_t run_id = 0;
  std::vector<std::string> models{};  // names, in insertion order
  struct Task {
    std::string id{}, content_hash{};
  };
  std::vector<Task> tasks{};            // in insertion order
  std::vector<AttemptData> attempts{};  // by attempt id
  int max_epochs = 0;  // the largest epoch count of any (model, task)

  // Index of a model by name, or -1.
  int ModelIndex(const std::string& name) const;
};

// A read-only view of a database file.
class RunReader {
 public:
  // Fails ("<path>: no such database") when the file does not exist, and
  // with SQLite's message when it is not an endstate database.
  static std::optional<RunReader> Open(const std::string& path,
                                       std::string* err);

  // The newest run id, or nullopt (err cleared) when there is none.
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
    bool first_problems = true;  // AttemptData::first_problem
  };
  // Everything about one run. An unknown run yields empty vectors.
  std::optional<RunData> Load(int64_t run_id, std::string* err);
  std::optional<RunData> Load(int64_t run_id, const LoadOptions& options,
                              std::string* err);

 private:
  explicit RunReader(Db db) : db_(std::move(db)) {}
  Db db_;
};

}  // namespace endstate::results
