// `endstate run --shard I/N`: one deterministic slice of a run's plan, so
// that N machines (a Kubernetes Indexed Job, a Slurm array) can each run a
// part of models x tasks x epochs into their own database, to be combined
// with `endstate merge` (docs/scale.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "evaluator/run_state.h"
#include "evaluator/scheduler.h"
#include "results/store.h"

namespace endstate::evaluator {

struct ShardSpec {
  int index = 0;  // 0-based, < count
  int count = 1;  // 1 = the whole plan (not sharded)
  bool sharded() const { return count > 1; }
};

// Parses "I/N" (decimal, 0 <= I < N, N >= 1). Returns false and sets *err to
// "--shard 'x': expected I/N with 0 <= I < N (e.g. 0/3)" otherwise.
bool ParseShard(const std::string& text, ShardSpec* out, std::string* err);

// Which shard runs a slot of a plan over `tasks` tasks: the slot's
// (epoch, task) position plus its model index, modulo the shard count. The
// diagonal spreads every model's slots evenly over the shards (per model
// the counts differ by at most 1) and sends the models of one task to
// different shards. Depends only on indexes of the recorded run, so resume
// recomputes the same slice.
int ShardOf(const PlannedAttempt& p, size_t tasks, int count);

// The slots of `plan` (over `tasks` tasks) that belong to `shard`, in plan
// order. The slices of 0..N-1 are disjoint and together are `plan`.
std::vector<PlannedAttempt> ShardPlan(const std::vector<PlannedAttempt>& plan,
                                      size_t tasks, const ShardSpec& shard);

// The group key: what shards of one run share and merge matches on. A hex
// SHA-256 prefix (16 characters) of what defines the results: each model's
// identity (name, provider, base_url, model, stream, sampling, extra,
// labels, flaky_rate; not keys, timeouts or connection caps), each task's
// id and content hash, epochs, seed, system prompt, limits, shell limits,
// the shard count and the user's `--group NAME`. Machine-local settings
// (suite folder, concurrency) are left out.
std::string GroupKey(const RunState& state,
                     const std::vector<results::TaskInfo>& tasks,
                     int shard_count, const std::string& name);

// The `shard` object of runs.config_json (docs/database.md):
// {"index": I, "count": N, "group": KEY, "name": NAME}.
nlohmann::json ShardJson(const ShardSpec& shard, const std::string& group,
                         const std::string& name);

// Reads config_json["shard"]; a run without that key is the whole plan
// (count 1). Returns false and sets *err ("shard: expected ...") when the
// key is present but malformed.
bool ParseShardJson(const nlohmann::json& config_json, ShardSpec* out,
                    std::string* err);

// " (shard I/N)" for a sharded run, "" otherwise: for progress lines.
std::string ShardLabel(const ShardSpec& shard);

}  // namespace endstate::evaluator
