// Deleting runs from the record (`endstate runs delete`, `runs prune`;
// docs/cli.md): a run goes with everything that hangs off it (models, tasks,
// attempts, turns, tool calls, checks, probes, labels) through the schema's
// ON DELETE CASCADE keys, in one transaction per call, so the database stays
// consistent (PRAGMA integrity_check and foreign_key_check stay clean) even
// if the process is killed halfway. Attempts of other runs that continued a
// deleted attempt (`replay --from-turn`) keep their rows; their
// parent_attempt_id becomes NULL. Each call opens its own read-write
// connection (results/sqlite.h); a run writing at the same time waits on the
// busy timeout, never sees half a deletion.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace endstate::results {

struct DeleteStats {
  int runs = 0;
  int64_t attempts = 0;  // attempt rows deleted (every try)
  int64_t turns = 0;     // turn rows deleted
};

// Deletes runs `ids` (all or none). Fails without deleting anything when an
// id does not exist ("no run 7 in x.db"), or when a run is still `running`
// (not cancelled: runs.cancelled_at, schema v6, so the database must be
// migrated) and `force` is false ("run 7 is still running (or was killed);
// give --force to delete it"). Sets *stats when not null.
bool DeleteRuns(const std::string& db_path, const std::vector<int64_t>& ids,
                bool force, DeleteStats* stats, std::string* err);

// Which runs `runs prune` deletes. A run is pruned when it matches every
// condition given (at least one of keep_last / older_than_days must be set)
// and none of the protections.
struct PruneOptions {
  // Keep the newest N runs (by id) and prune the older ones; -1 = no limit
  // by count.
  int keep_last = -1;
  // Prune runs started more than N days (of 24 h) before `now`; -1 = no
  // limit by age.
  int older_than_days = -1;
  // Runs carrying every one of these labels are never pruned (e.g. the
  // nightly baseline, `baseline=yes`); empty = no protection by label.
  std::map<std::string, std::string> keep_labels{};
  // ISO-8601 UTC "now" for the age test ("" = SQLite's current time); tests
  // pin it.
  std::string now{};
};

// The ids `PruneOptions` selects, ascending. Runs still `running` are never
// selected (a run may be in progress). Fails ("give --keep-last or
// --older-than") when neither bound is set.
std::optional<std::vector<int64_t>> SelectPrune(const std::string& db_path,
                                                const PruneOptions& options,
                                                std::string* err);

// VACUUM then a WAL checkpoint (TRUNCATE): gives the pages freed by deleted
// runs back to the file system. Needs no other writer at the time (fails
// with "database is locked" after the busy timeout otherwise).
bool Vacuum(const std::string& db_path, std::string* err);

}  // namespace endstate::results
