// Read side of the `probes` table (docs/probes.md, "Commands and where
// results go"): the newest probe of each kind for each model of a run, with
// a fallback to other runs, read through the RunReader (results/reader.h).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "results/reader.h"

namespace endstate::results {

// One stored probe row (evaluator/probe.h ProbeResult as RecordProbe wrote
// it; a probe that ended with an error has measurements["error"]).
struct ProbeRecord {
  int64_t id = 0;
  int64_t run_id = 0;  // the run that recorded it
  std::string kind{};  // speed | toolcalls | reasoning (others are kept)
  nlohmann::json settings = nlohmann::json::object();
  nlohmann::json measurements = nlohmann::json::object();
  std::string created_at{};

  // measurements["summary"] when it is an object, else an empty object.
  const nlohmann::json& Summary() const;
  // measurements["error"] when it is a string, else "".
  std::string Error() const;
};

// The probes shown for one model.
struct ModelProbes {
  std::string model{};
  // Newest row of each kind (highest probe id): taken from the run asked
  // for when that run has one for this model, else the newest row of that
  // kind in the whole database for a model of the same name (its run_id
  // then differs from the run asked for).
  std::map<std::string, ProbeRecord> by_kind{};

  bool empty() const { return by_kind.empty(); }
  // The runs other than `run` that some kind came from, ascending.
  std::vector<int64_t> OtherRuns(int64_t run) const;
};

// Loads the probes of `models` (names) for run `run`, one entry per name in
// the same order (empty when the model was never probed). Fails (SQLite's
// message) only when the database cannot be read.
std::optional<std::vector<ModelProbes>> LoadModelProbes(
    RunReader& reader, int64_t run, const std::vector<std::string>& models,
    std::string* err);

// The newest evaluation run (results/run_meta.h kRunKindSql) in which every
// model of `models` has at least one attempt (so `compare` of plain names
// prefers a run with completion rates over a later probe-only or replay
// run); nullopt with *err cleared when none does.
std::optional<int64_t> LatestRunWithAttempts(
    RunReader& reader, const std::vector<std::string>& models,
    std::string* err);

}  // namespace endstate::results
