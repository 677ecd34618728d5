#include "results/run_settings.h"

#include "results/sqlite.h"

namespace endstate::results {

nlohmann::json RunSettingsJson(const std::string& config_json) {
  using nlohmann::json;
  json out = {{"overrides", json::array()}};
  json c = json::parse(config_json, nullptr, false);
  if (c.is_discarded() || !c.is_object()) return out;
  const json& from =
      c.contains("resume") && c["resume"].is_object() ? c["resume"] : c;
  for (const char* key : {"epochs", "concurrency", "seed", "limits"}) {
    if (from.contains(key)) out[key] = from[key];
  }
  if (from.contains("models") && from["models"].is_array()) {
    json sampling = json::object();
    for (const json& m : from["models"]) {
      if (m.is_object() && m.contains("name") && m["name"].is_string())
        sampling[m["name"].get<std::string>()] = m.value("sampling", json());
    }
    out["sampling"] = sampling;
  }
  if (c.contains("overrides") && c["overrides"].is_array())
    out["overrides"] = c["overrides"];
  return out;
}

std::optional<nlohmann::json> LoadRunSettings(RunReader& reader, int64_t run,
                                              std::string* err) {
  auto s = Stmt::Prepare(reader.db(),
                         "SELECT config_json FROM runs WHERE id = :id", err);
  if (!s || !s->Bind(":id", run, err)) return std::nullopt;
  auto step = s->Step(err);
  if (step == Stmt::StepResult::kError) return std::nullopt;
  if (step != Stmt::StepResult::kRow) {
    *err = "no run " + std::to_string(run);
    return std::nullopt;
  }
  return RunSettingsJson(s->Text(0));
}

}  // namespace endstate::results
