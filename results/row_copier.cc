#include "results/row_copier.h"

#include <algorithm>
#include <optional>

namespace endstate::results {
namespace {

std::optional<std::vector<std::string>> Columns(Db& db,
                                                const std::string& table,
                                                std::string* err) {
  auto stmt = Stmt::Prepare(
      db, "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid",
      err);
  if (!stmt) return std::nullopt;
  std::vector<std::string> out;
  for (;;) {
    auto r = stmt->Step(err);
    if (r == Stmt::StepResult::kError) return std::nullopt;
    if (r == Stmt::StepResult::kDone) break;
    out.push_back(stmt->Text(0));
  }
  return out;
}

}  // namespace

bool BindAt(sqlite3_stmt* s, int i, const SqlValue& v) {
  switch (v.type()) {
    case SqlValue::Type::kNull:
      return sqlite3_bind_null(s, i) == SQLITE_OK;
    case SqlValue::Type::kInt:
      return sqlite3_bind_int64(s, i, v.as_int()) == SQLITE_OK;
    case SqlValue::Type::kReal:
      return sqlite3_bind_double(s, i, v.as_real()) == SQLITE_OK;
    case SqlValue::Type::kText:
      return sqlite3_bind_text(s, i, v.as_text().data(),
                               static_cast<int>(v.as_text().size()),
                               SQLITE_TRANSIENT) == SQLITE_OK;
  }
  return false;
}

bool RowCopier::Init(Db& in, Db& out, const std::string& table,
                     const std::string& where, std::string* in_err,
                     std::string* out_err) {
  auto in_cols = Columns(in, table, in_err);
  if (!in_cols) return false;
  auto out_cols = Columns(out, table, out_err);
  if (!out_cols) return false;
  std::string select = "SELECT ", insert_cols, insert_vals, update;
  for (const auto& c : *in_cols) {
    if (c == "id" ||
        std::find(out_cols->begin(), out_cols->end(), c) == out_cols->end())
      continue;
    int n = static_cast<int>(cols_.size()) + 1;
    cols_.push_back(c);
    select += "\"" + c + "\", ";
    insert_cols += (n > 1 ? ", \"" : "\"") + c + "\"";
    insert_vals += (n > 1 ? ", ?" : "?") + std::to_string(n);
    update += (n > 1 ? ", \"" : "\"") + c + "\" = ?" + std::to_string(n);
  }
  select += "id FROM " + table + " WHERE " + where + " ORDER BY id";
  auto sel = Stmt::Prepare(in, select, in_err);
  if (!sel) return false;
  auto ins = Stmt::Prepare(out,
                           "INSERT INTO " + table + " (" + insert_cols +
                               ") VALUES (" + insert_vals + ")",
                           out_err);
  if (!ins) return false;
  auto upd =
      Stmt::Prepare(out,
                    "UPDATE " + table + " SET " + update + " WHERE id = ?" +
                        std::to_string(cols_.size() + 1),
                    out_err);
  if (!upd) return false;
  select_ = std::move(*sel);
  insert_ = std::move(*ins);
  update_ = std::move(*upd);
  out_db_ = out.get();
  return true;
}

bool RowCopier::Query(const SqlValue& p, std::string* err) {
  select_.Reset();
  return select_.Bind(":p", p, err);
}

int RowCopier::Col(const std::string& name) const {
  auto it = std::find(cols_.begin(), cols_.end(), name);
  return static_cast<int>(it - cols_.begin());  // "id" is last
}

int64_t RowCopier::Insert(const Overrides& overrides, std::string* err) {
  if (!Write(insert_, overrides, 0, err)) return -1;
  return sqlite3_last_insert_rowid(out_db_);
}

bool RowCopier::Update(int64_t id, const Overrides& overrides,
                       std::string* err) {
  return Write(update_, overrides, id, err);
}

bool RowCopier::Write(Stmt& s, const Overrides& overrides, int64_t id,
                      std::string* err) {
  ScopedReset reset(s);
  for (size_t i = 0; i < cols_.size(); ++i) {
    int at = static_cast<int>(i) + 1;
    auto it = overrides.find(cols_[i]);
    bool ok = it != overrides.end()
                  ? BindAt(s.get(), at, it->second)
                  : sqlite3_bind_value(
                        s.get(), at,
                        sqlite3_column_value(select_.get(),
                                             static_cast<int>(i))) == SQLITE_OK;
    if (!ok) {
      *err = SqliteError(out_db_, s.get());
      return false;
    }
  }
  if (id > 0 && !BindAt(s.get(), static_cast<int>(cols_.size()) + 1, id)) {
    *err = SqliteError(out_db_, s.get());
    return false;
  }
  return s.Run(err);
}

}  // namespace endstate::results
