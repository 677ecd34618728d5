// Read side for statistics: everything `report` and `compare` need about one
// run (RunData), loaded by RunReader::Load (results/reader.h) with a few
// read-only queries (one row per attempt, tool-call counts grouped per
// attempt).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/failed_checks.h"
#include "results/outcome.h"

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
  int64_t reasoning_tokens = 0;  // of completion_tokens (schema v4; 0 before)
  int truncated_turns = 0;       // replies cut at the per-turn token cap
  // Every check that did not pass, in check order (results/failed_checks.h).
  std::vector<FailedCheck> failed_checks{};
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

}  // namespace endstate::results
