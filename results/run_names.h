// The model and task names one run (or the whole record) holds, for
// commands that filter by them (`attempts --model/--task`, `export
// --model/--task`, `history --model`): a name that is
// not among them is an error that lists the valid ones, not an empty
// result. Read through the read-only RunReader; not thread-safe (one
// reader per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/reader.h"

namespace endstate::results {

struct RunNames {
  std::vector<std::string> models{};  // models.name, in id order
  std::vector<std::string> tasks{};   // tasks.task_id, in id order
};

// The names of run `run_id` (both empty for a run that does not exist).
// nullopt and *err (SQLite's reason) when the record cannot be read.
std::optional<RunNames> LoadRunNames(RunReader& reader, int64_t run_id,
                                     std::string* err);

// Every model name of the record, over all runs, each once, in the order
// first recorded. nullopt and *err when the record cannot be read.
std::optional<std::vector<std::string>> RecordedModelNames(RunReader& reader,
                                                           std::string* err);

// The recorded model name `wanted` stands for among `names`: itself when
// recorded, else the model whose display name (results/display_name.h) it
// is, so the short name a table shows works as a filter too; "" when none.
std::string ResolveModelName(const std::string& wanted,
                             const std::vector<std::string>& names);

}  // namespace endstate::results
