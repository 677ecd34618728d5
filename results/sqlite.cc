#include "results/sqlite.h"

#include <string>

namespace endstate::results {
namespace {

constexpr size_t kMaxSqlInError = 500;
constexpr int kBusyTimeoutMs = 10'000;
// Page cache per connection, as PRAGMA cache_size (negative = KiB): 32 MiB,
// allocated only as used. With SQLite's default (2 MiB) a report on a
// million turns re-reads index pages through syscalls (docs/performance.md).
constexpr char kCacheSizePragma[] = "PRAGMA cache_size=-32768;";

std::string Cut(std::string_view sql) {
  if (sql.size() <= kMaxSqlInError) return std::string(sql);
  return std::string(sql.substr(0, kMaxSqlInError)) + "...";
}

void SetErr(std::string* err, std::string msg) {
  if (err) *err = std::move(msg);
}

}  // namespace

std::string SqliteError(sqlite3* db, sqlite3_stmt* stmt) {
  std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  if (stmt) {
    // The expanded SQL shows the bound values, which is what makes a
    // constraint failure actionable.
    util::Handle<char, sqlite3_free> sql(sqlite3_expanded_sql(stmt));
    msg += " (in: ";
    msg += sql ? Cut(sql.get()) : Cut(sqlite3_sql(stmt));
    msg += ")";
  }
  return msg;
}

std::optional<Db> Db::Open(const std::string& path, std::string* err) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // sqlite3_open_v2 hands out a handle even on failure; Db closes it.
  Db db(raw);
  auto fail = [&](const std::string& why) -> std::optional<Db> {
    SetErr(err, "cannot open " + path + ": " + why);
    return std::nullopt;
  };
  if (rc != SQLITE_OK) return fail(raw ? sqlite3_errmsg(raw) : "out of memory");
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  std::string why;
  // A file that is not a database fails here ("file is not a database").
  auto mode = [&]() -> std::optional<std::string> {
    auto s = Stmt::Prepare(db, "PRAGMA journal_mode=WAL", &why);
    if (!s) return std::nullopt;
    if (s->Step(&why) != Stmt::StepResult::kRow) return std::nullopt;
    return s->Text(0);
  }();
  if (!mode) return fail(why);
  if (*mode != "wal" && *mode != "memory") {
    return fail("journal_mode=WAL not supported here (got '" + *mode + "')");
  }
  if (!db.Exec(
          std::string("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; ") +
              kCacheSizePragma,
          &why)) {
    return fail(why);
  }
  return db;
}

std::optional<Db> Db::OpenReadOnly(const std::string& path, std::string* err) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    SetErr(err, "cannot open " + path + ": " +
                    (raw ? sqlite3_errmsg(raw) : "out of memory"));
    return std::nullopt;
  }
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  std::string why;
  if (!db.Exec(kCacheSizePragma, &why)) {
    SetErr(err, "cannot open " + path + ": " + why);
    return std::nullopt;
  }
  return db;
}

bool Db::Exec(std::string_view sql, std::string* err) {
  char* msg = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &msg);
  util::Handle<char, sqlite3_free> owned(msg);
  if (rc == SQLITE_OK) return true;
  SetErr(err, std::string(owned ? owned.get() : sqlite3_errstr(rc)) +
                  " (in: " + Cut(sql) + ")");
  return false;
}

std::optional<int64_t> Db::QueryInt(const char* sql, std::string* err) {
  auto stmt = Stmt::Prepare(*this, sql, err);
  if (!stmt) return std::nullopt;
  if (stmt->Step(err) != Stmt::StepResult::kRow) {
    if (err && err->empty()) *err = std::string("no row (in: ") + sql + ")";
    return std::nullopt;
  }
  return stmt->Int(0);
}

std::optional<Stmt> Stmt::Prepare(Db& db, std::string_view sql,
                                  std::string* err) {
  sqlite3_stmt* raw = nullptr;
  int rc =
      sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  Stmt stmt(raw);
  if (rc != SQLITE_OK) {
    SetErr(err,
           std::string(sqlite3_errmsg(db.get())) + " (in: " + Cut(sql) + ")");
    return std::nullopt;
  }
  if (!raw) {
    SetErr(err, "empty statement (in: " + Cut(sql) + ")");
    return std::nullopt;
  }
  return stmt;
}

bool Stmt::Bind(const char* name, const SqlValue& value, std::string* err) {
  sqlite3_stmt* s = stmt_.get();
  int idx = sqlite3_bind_parameter_index(s, name);
  if (idx == 0) {
    SetErr(err, std::string("no parameter ") + name +
                    " (in: " + Cut(sqlite3_sql(s)) + ")");
    return false;
  }
  int rc = SQLITE_OK;
  switch (value.type()) {
    case SqlValue::Type::kNull:
      rc = sqlite3_bind_null(s, idx);
      break;
    case SqlValue::Type::kInt:
      rc = sqlite3_bind_int64(s, idx, value.as_int());
      break;
    case SqlValue::Type::kReal:
      rc = sqlite3_bind_double(s, idx, value.as_real());
      break;
    case SqlValue::Type::kText: {
      std::string_view t = value.as_text();
      rc = sqlite3_bind_text64(s, idx, t.data(), t.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
      break;
    }
  }
  if (rc != SQLITE_OK) {
    SetErr(err, std::string("binding ") + name + ": " +
                    SqliteError(sqlite3_db_handle(s), s));
    return false;
  }
  return true;
}

bool Stmt::Bind(std::initializer_list<std::pair<const char*, SqlValue>> values,
                std::string* err) {
  for (const auto& [name, value] : values) {
    if (!Bind(name, value, err)) return false;
  }
  return true;
}

Stmt::StepResult Stmt::Step(std::string* err) {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return StepResult::kRow;
  if (rc == SQLITE_DONE) return StepResult::kDone;
  SetErr(err, SqliteError(sqlite3_db_handle(stmt_.get()), stmt_.get()));
  return StepResult::kError;
}

bool Stmt::Run(std::string* err) {
  for (;;) {
    switch (Step(err)) {
      case StepResult::kRow:
        continue;
      case StepResult::kDone:
        return true;
      case StepResult::kError:
        return false;
    }
  }
}

int64_t Stmt::Int(int col) const {
  return sqlite3_column_int64(stmt_.get(), col);
}

double Stmt::Real(int col) const {
  return sqlite3_column_double(stmt_.get(), col);
}

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  if (!p) return "";
  return std::string(reinterpret_cast<const char*>(p),
                     sqlite3_column_bytes(stmt_.get(), col));
}

bool Stmt::IsNull(int col) const {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}

void Stmt::Reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::optional<Transaction> Transaction::Begin(Db& db, std::string* err) {
  if (!db.Exec("BEGIN IMMEDIATE", err)) return std::nullopt;
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (!db_) return;
  // Destructors never throw; a failed ROLLBACK leaves SQLite to roll back
  // when the connection closes.
  sqlite3_exec(db_->get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

bool Transaction::Commit(std::string* err) {
  if (!db_) {
    SetErr(err, "transaction already finished");
    return false;
  }
  if (!db_->Exec("COMMIT", err)) return false;
  db_ = nullptr;
  return true;
}

}  // namespace endstate::results
