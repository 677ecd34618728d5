// `endstate merge OUT.db IN.db...`: combines the databases of the shards of
// a run (`endstate run --shard I/N`, docs/scale.md) into one run of OUT, with
// every attempt, turn, tool call, check, probe, managed-server start
// (`servers`) and model event (`model_events`) copied once.
//
// Runs are matched by group: the `shard.group` key of runs.config_json
// (evaluator/shard.h). All runs of one group become one run of OUT whose
// config_json has no "shard" key but a "merge" key listing the merged
// sources. A run recorded without --shard is its own group (it is copied as
// a run of its own). Merging is idempotent: an attempt already in OUT (same
// model, task, epoch, try and started_at) is skipped, except that an attempt
// still "running" in OUT and finished in the input is copied again (a shard
// merged while it was still running); likewise a server start already in
// OUT (same model and started_at) is skipped unless OUT's copy has no
// stopped_at and the input's has. Inputs older than the servers (v3) or
// model_events (v4) tables merge without them. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "results/sqlite.h"

namespace endstate::results {

struct MergeStats {
  int runs_created = 0;      // runs of OUT created by this merge
  int runs_extended = 0;     // input runs merged into a run OUT already had
  int attempts_merged = 0;   // attempts copied as new rows
  int attempts_updated = 0;  // "running" in OUT, finished in the input
  int duplicates = 0;        // already in OUT as they are: skipped
  int probes_merged = 0;
};

enum class MergeStatus {
  kOk,
  kBadInput,     // the input cannot be merged (unreadable, not an endstate
                 // database, newer schema, no such run, conflicting shards);
                 // OUT is unchanged by this input
  kOutputError,  // OUT could not be written; OUT is unchanged by this input
};

class Merger {
 public:
  // Opens (creating if missing) and migrates the output database. Returns
  // nullptr and sets *err ("cannot open out.db: ...") on failure.
  static std::unique_ptr<Merger> Open(const std::string& out_path,
                                      std::string* err);

  // Merges run `run_id` of the database at `in_path` (0 = every run of it)
  // into OUT, in one transaction. The input is opened read-only and never
  // written. On failure sets *err to a message naming the input file, e.g.
  // "b.db: database schema version 3 is newer than this endstate supports
  // (2)"; `stats` is then left as it was.
  MergeStatus MergeFile(const std::string& in_path, int64_t run_id,
                        MergeStats* stats, std::string* err);

 private:
  Merger(Db db, std::string path)
      : out_(std::move(db)), path_(std::move(path)) {}
  Db out_;
  std::string path_;
};

}  // namespace endstate::results
