// Copying the rows of one table between two endstate databases column by
// column (results/merge.cc): every column both schemas have travels
// unchanged, including ones added after this code was written; columns only
// the destination has take their defaults.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "results/sqlite.h"

namespace endstate::results {

// Binds `v` to parameter `i` of `s`. Returns false on a SQLite error.
bool BindAt(sqlite3_stmt* s, int i, const SqlValue& v);

// Not thread-safe; one per table and merge. The databases must outlive it.
class RowCopier {
 public:
  // Prepares the copy of `table` from `in` to `out`; `where` filters the
  // input's rows with one parameter, :p. Errors of `in` go to *in_err, of
  // `out` to *out_err.
  bool Init(Db& in, Db& out, const std::string& table, const std::string& where,
            std::string* in_err, std::string* out_err);

  // Runs the select for parameter `p`; then Next() row by row.
  bool Query(const SqlValue& p, std::string* err);
  // kRow with the next row current, kDone, or kError (*err set).
  Stmt::StepResult Next(std::string* err) { return select_.Step(err); }

  // Column of the current row by name (a copied column or "id").
  int64_t Int(const std::string& name) const { return select_.Int(Col(name)); }
  std::string Text(const std::string& name) const {
    return select_.Text(Col(name));
  }
  bool IsNull(const std::string& name) const {
    return select_.IsNull(Col(name));
  }

  using Overrides = std::map<std::string, SqlValue>;
  // Inserts the current row into OUT with `overrides` replacing columns.
  // Returns the new row id, or -1 with *err.
  int64_t Insert(const Overrides& overrides, std::string* err);
  // Overwrites OUT's row `id` with the current row.
  bool Update(int64_t id, const Overrides& overrides, std::string* err);

 private:
  int Col(const std::string& name) const;
  bool Write(Stmt& s, const Overrides& overrides, int64_t id, std::string* err);

  std::vector<std::string> cols_;
  Stmt select_, insert_, update_;
  sqlite3* out_db_ = nullptr;
};

}  // namespace endstate::results
