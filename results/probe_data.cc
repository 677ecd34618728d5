#include "results/probe_data.h"

#include <algorithm>
#include <set>

#include "results/run_meta.h"
#include "results/sqlite.h"

namespace endstate::results {
namespace {

const nlohmann::json& EmptyObject() {
  static const nlohmann::json* empty =
      new nlohmann::json(nlohmann::json::object());
  return *empty;
}

// A column that should hold JSON; a row written by hand with broken JSON
// reads as an empty object rather than failing the whole report.
nlohmann::json ParseJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

}  // namespace

const nlohmann::json& ProbeRecord::Summary() const {
  auto it = measurements.find("summary");
  if (it == measurements.end() || !it->is_object()) return EmptyObject();
  return *it;
}

std::string ProbeRecord::Error() const {
  auto it = measurements.find("error");
  if (it == measurements.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::vector<int64_t> ModelProbes::OtherRuns(int64_t run) const {
  std::set<int64_t> runs;
  for (const auto& [kind, p] : by_kind) {
    if (p.run_id != run) runs.insert(p.run_id);
  }
  return {runs.begin(), runs.end()};
}

std::optional<std::vector<ModelProbes>> LoadModelProbes(
    RunReader& reader, int64_t run, const std::vector<std::string>& models,
    std::string* err) {
  Db* db = &reader.db();
  // Every probe of a model name, oldest first, flagged when it belongs to
  // the run asked for: probes are few (a handful per model and run), so
  // one pass picks both the run's own rows and the fallback.
  auto s = Stmt::Prepare(*db,
                         "SELECT p.id, p.run_id, p.kind, p.settings_json, "
                         "p.measurements_json, p.created_at, "
                         "m.run_id = :run FROM probes p "
                         "JOIN models m ON p.model_id = m.id "
                         "WHERE m.name = :name ORDER BY p.id",
                         err);
  if (!s) return std::nullopt;
  std::vector<ModelProbes> out;
  for (const std::string& name : models) {
    ModelProbes mp{.model = name};
    std::map<std::string, ProbeRecord> here, anywhere;
    ScopedReset reset(*s);
    if (!s->Bind({{":run", run}, {":name", name}}, err)) return std::nullopt;
    Stmt::StepResult r;
    while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
      ProbeRecord p{.id = s->Int(0),
                    .run_id = s->Int(1),
                    .kind = s->Text(2),
                    .settings = ParseJson(s->Text(3)),
                    .measurements = ParseJson(s->Text(4)),
                    .created_at = s->Text(5)};
      if (s->Int(6) != 0) here[p.kind] = p;
      anywhere[p.kind] = std::move(p);
    }
    if (r == Stmt::StepResult::kError) return std::nullopt;
    mp.by_kind = std::move(anywhere);
    for (auto& [kind, p] : here) mp.by_kind[kind] = std::move(p);
    out.push_back(std::move(mp));
  }
  return out;
}

std::optional<int64_t> LatestRunWithAttempts(
    RunReader& reader, const std::vector<std::string>& models,
    std::string* err) {
  Db* db = &reader.db();
  // Evaluation runs only: a later replay of one model is not a comparison.
  auto s =
      Stmt::Prepare(*db,
                    std::string("SELECT DISTINCT m.run_id FROM models m "
                                "JOIN runs r ON r.id = m.run_id "
                                "WHERE EXISTS (SELECT 1 FROM attempts a "
                                "WHERE a.model_id = m.id) AND ") +
                        kRunKindSql + " = 'evaluation' ORDER BY m.run_id DESC",
                    err);
  if (!s) return std::nullopt;
  // Newest run first; it qualifies when each name has an attempt in it.
  auto has = Stmt::Prepare(*db,
                           "SELECT count(*) FROM models m WHERE m.run_id = "
                           ":run AND m.name = :name AND EXISTS (SELECT 1 "
                           "FROM attempts a WHERE a.model_id = m.id)",
                           err);
  if (!has) return std::nullopt;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    const int64_t run = s->Int(0);
    bool all = true;
    for (const std::string& name : models) {
      ScopedReset reset(*has);
      if (!has->Bind({{":run", run}, {":name", name}}, err)) {
        return std::nullopt;
      }
      if (has->Step(err) != Stmt::StepResult::kRow) return std::nullopt;
      if (has->Int(0) == 0) {
        all = false;
        break;
      }
    }
    if (all) return run;
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  if (err) err->clear();
  return std::nullopt;
}

}  // namespace endstate::results
