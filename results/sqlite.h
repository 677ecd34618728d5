// RAII wrappers around the SQLite C API: a connection (Db), a prepared
// statement (Stmt) with a scope guard that resets it, and a transaction that
// rolls back unless committed. Errors are values: functions return false /
// nullopt and set *err to SQLite's message followed by the statement's SQL
// with its bound values, e.g.
//   "FOREIGN KEY constraint failed (in: INSERT INTO turns ... VALUES(42, 0))".
// None of these types is thread-safe by itself; the Store serializes use.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "util/handle.h"

namespace endstate::results {

// Formats "<sqlite3_errmsg(db)>" plus " (in: <expanded SQL>)" when `stmt` is
// given. The SQL is cut at 500 bytes (raw requests can be megabytes).
std::string SqliteError(sqlite3* db, sqlite3_stmt* stmt = nullptr);

// One open connection. Movable, not copyable; closed by sqlite3_close_v2.
class Db {
 public:
  // Opens (creating if missing) the database file at `path` and applies the
  // connection settings every endstate connection uses: journal_mode=WAL,
  // synchronous=NORMAL, busy_timeout=10000 ms, foreign_keys=ON,
  // cache_size=-32768 (32 MiB, allocated as used). Returns
  // nullopt and sets *err to "cannot open <path>: <reason>" on failure.
  static std::optional<Db> Open(const std::string& path, std::string* err);

  // Opens an existing database file read-only (SQLITE_OPEN_READONLY, never
  // created, never migrated) with busy_timeout=10000 ms and the same
  // cache_size: for readers such as
  // results/transcript.h that must not contend with a writing run. Returns
  // nullopt and sets *err to "cannot open <path>: <reason>".
  static std::optional<Db> OpenReadOnly(const std::string& path,
                                        std::string* err);

  sqlite3* get() const { return db_.get(); }

  // Runs one or more statements without results (sqlite3_exec). Returns
  // false and sets *err to "<errmsg> (in: <first 500 bytes of sql>)".
  bool Exec(std::string_view sql, std::string* err);

  // Runs a query that returns one integer (e.g. "PRAGMA user_version").
  std::optional<int64_t> QueryInt(const char* sql, std::string* err);

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  util::Handle<sqlite3, sqlite3_close_v2> db_;
};

// A value bound to a named parameter (":name").
class SqlValue {
 public:
  enum class Type { kNull, kInt, kReal, kText };
  SqlValue(std::nullptr_t) : type_(Type::kNull) {}
  SqlValue(int v) : type_(Type::kInt), i_(v) {}
  SqlValue(int64_t v) : type_(Type::kInt), i_(v) {}
  SqlValue(bool v) : type_(Type::kInt), i_(v ? 1 : 0) {}
  SqlValue(double v) : type_(Type::kReal), d_(v) {}
  // Text is copied by SQLite when bound (SQLITE_TRANSIENT), so temporaries
  // are fine.
  SqlValue(std::string_view v) : type_(Type::kText), s_(v) {}
  SqlValue(const std::string& v) : type_(Type::kText), s_(v) {}
  SqlValue(const char* v) : type_(Type::kText), s_(v) {}

  Type type() const { return type_; }
  int64_t as_int() const { return i_; }
  double as_real() const { return d_; }
  std::string_view as_text() const { return s_; }

 private:
  Type type_;
  int64_t i_ = 0;
  double d_ = 0;
  std::string_view s_;
};

// A prepared statement. Movable, not copyable; finalized on destruction.
// Prepare once, then per use: Bind, Step until done, and let a ScopedReset
// reset it and clear its bindings.
class Stmt {
 public:
  Stmt() = default;
  // Prepares `sql` on `db` (which must outlive the statement). Returns
  // nullopt and sets *err to "<errmsg> (in: <sql>)".
  static std::optional<Stmt> Prepare(Db& db, std::string_view sql,
                                     std::string* err);

  sqlite3_stmt* get() const { return stmt_.get(); }

  // Binds `value` to the parameter ":name" (the name includes the colon).
  // An unknown name is an error ("no parameter :nme (in: ...)").
  bool Bind(const char* name, const SqlValue& value, std::string* err);
  bool Bind(std::initializer_list<std::pair<const char*, SqlValue>> values,
            std::string* err);

  enum class StepResult { kRow, kDone, kError };
  // One sqlite3_step. On kError sets *err (with the expanded SQL).
  StepResult Step(std::string* err);
  // Steps a statement that returns no rows (INSERT/UPDATE/DELETE) to done.
  bool Run(std::string* err);

  // Column accessors for the current row (0-based). Text of NULL is "".
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;

  // Resets the statement and clears its bindings (what ScopedReset does).
  void Reset();

 private:
  explicit Stmt(sqlite3_stmt* s) : stmt_(s) {}
  util::Handle<sqlite3_stmt, sqlite3_finalize> stmt_;
};

// Resets a prepared statement and clears its bindings on scope exit, so a
// statement that failed halfway is ready for the next use.
class ScopedReset {
 public:
  explicit ScopedReset(Stmt& stmt) : stmt_(stmt) {}
  ~ScopedReset() { stmt_.Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Stmt& stmt_;
};

// BEGIN IMMEDIATE on construction (waits up to the busy timeout for the write
// lock); ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  // Returns nullopt and sets *err when BEGIN fails (e.g. "database is
  // locked" after the busy timeout).
  static std::optional<Transaction> Begin(Db& db, std::string* err);
  Transaction(Transaction&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // COMMIT. On failure the transaction is rolled back by the destructor.
  bool Commit(std::string* err);

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;  // nullptr once committed or moved from
};

}  // namespace endstate::results
