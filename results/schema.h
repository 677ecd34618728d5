// The database schema (documented column by column in docs/database.md),
// versioned with PRAGMA user_version and migrated in place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "results/sqlite.h"

namespace endstate::results {

// The schema version this build writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 6;

// One step from version - 1 to `version`.
struct Migration {
  int version;
  std::string_view sql;
};

// Every migration, in order; the last one's version is kSchemaVersion.
const std::vector<Migration>& Migrations();

// Brings `db` to kSchemaVersion: applies each missing migration in its own
// IMMEDIATE transaction together with the new user_version, so concurrent
// openers and a crash halfway are both safe. Idempotent. Fails with
// "database schema version 7 is newer than this endstate supports (1)" for
// a database written by a newer build.
bool Migrate(Db& db, std::string* err);

}  // namespace endstate::results
