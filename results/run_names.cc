#include "results/run_names.h"

#include <algorithm>

#include "results/display_name.h"
#include "results/sqlite.h"

namespace endstate::results {
namespace {

// The first column of `sql` for every row; :run is bound to `run_id` when
// it is positive.
std::optional<std::vector<std::string>> Column(Db& db, const char* sql,
                                               int64_t run_id,
                                               std::string* err) {
  auto stmt = Stmt::Prepare(db, sql, err);
  if (!stmt) return std::nullopt;
  if (run_id > 0 && !stmt->Bind(":run", run_id, err)) return std::nullopt;
  std::vector<std::string> out;
  for (;;) {
    auto step = stmt->Step(err);
    if (step == Stmt::StepResult::kError) return std::nullopt;
    if (step == Stmt::StepResult::kDone) return out;
    out.push_back(stmt->Text(0));
  }
}

}  // namespace

std::optional<RunNames> LoadRunNames(RunReader& reader, int64_t run_id,
                                     std::string* err) {
  RunNames names;
  auto models = Column(
      reader.db(), "SELECT name FROM models WHERE run_id = :run ORDER BY id",
      run_id, err);
  if (!models) return std::nullopt;
  auto tasks = Column(
      reader.db(), "SELECT task_id FROM tasks WHERE run_id = :run ORDER BY id",
      run_id, err);
  if (!tasks) return std::nullopt;
  names.models = std::move(*models);
  names.tasks = std::move(*tasks);
  return names;
}

std::optional<std::vector<std::string>> RecordedModelNames(RunReader& reader,
                                                           std::string* err) {
  return Column(reader.db(),
                "SELECT name FROM models GROUP BY name ORDER BY min(id)", 0,
                err);
}

std::string ResolveModelName(const std::string& wanted,
                             const std::vector<std::string>& names) {
  if (std::find(names.begin(), names.end(), wanted) != names.end()) {
    return wanted;
  }
  const std::vector<std::string> shown = DisplayModelNames(names);
  for (size_t i = 0; i < names.size(); ++i) {
    if (shown[i] == wanted) return names[i];
  }
  return "";
}

}  // namespace endstate::results
