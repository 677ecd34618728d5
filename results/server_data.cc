#include "results/server_data.h"

#include "results/sqlite.h"

namespace endstate::results {

std::optional<std::vector<ServerRow>> LoadServers(RunReader& reader,
                                                  int64_t run_id,
                                                  std::string* err) {
  Db* db = &reader.db();
  std::vector<ServerRow> rows;
  auto has = db->QueryInt(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
      "'servers'",
      err);
  if (!has) return std::nullopt;
  if (*has == 0) return rows;
  auto st = Stmt::Prepare(
      *db,
      "SELECT m.name, s.started_at, s.ready_at, s.stopped_at, s.error, "
      "s.provenance_json FROM servers s JOIN models m ON m.id = s.model_id "
      "WHERE s.run_id = :run ORDER BY s.id",
      err);
  if (!st || !st->Bind(":run", run_id, err)) return std::nullopt;
  Stmt::StepResult r;
  while ((r = st->Step(err)) == Stmt::StepResult::kRow) {
    ServerRow row{.model = st->Text(0),
                  .started_at = st->Text(1),
                  .ready_at = st->Text(2),
                  .stopped_at = st->Text(3),
                  .error = st->Text(4)};
    row.provenance = nlohmann::json::parse(st->Text(5), nullptr, false);
    if (!row.provenance.is_object()) row.provenance = nlohmann::json::object();
    rows.push_back(std::move(row));
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  return rows;
}

}  // namespace endstate::results
