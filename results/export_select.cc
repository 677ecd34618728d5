#include "results/export_select.h"

#include <algorithm>
#include <tuple>

#include "results/run_meta.h"
#include "results/sqlite.h"

namespace endstate::results {
namespace {

using nlohmann::json;

// Text of an Anthropic content value: a string or the text blocks joined.
std::string TextOf(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& b : content) {
      if (b.is_object() && b.value("type", "") == "text" &&
          b.contains("text") && b["text"].is_string()) {
        out += b["text"].get<std::string>();
      }
    }
  }
  return out;
}

}  // namespace

std::optional<std::vector<AttemptHeader>> SelectAttempts(
    RunReader& reader, const ExportSelection& sel, std::string* err) {
  const std::string& db_path = reader.path();
  std::vector<AttemptHeader> all;
  if (!sel.attempts.empty()) {
    for (int64_t id : sel.attempts) {
      auto t = LoadTranscript(reader, id, err);
      if (!t) return std::nullopt;
      all.push_back(t->attempt);
    }
    return all;
  }
  {
    Db* db = &reader.db();
    auto n = db->QueryInt(
        ("SELECT count(*) FROM runs WHERE id = " + std::to_string(sel.run))
            .c_str(),
        err);
    if (!n) return std::nullopt;
    if (*n == 0) {
      *err = "no run " + std::to_string(sel.run) + " in " + db_path;
      return std::nullopt;
    }
  }
  auto rows = ListAttemptHeaders(reader, sel.run,
                                 {.model = sel.model, .task = sel.task}, err);
  if (!rows) return std::nullopt;
  // The newest try of each slot (highest id), as reports count.
  std::map<std::tuple<std::string, std::string, int>, int64_t> newest;
  for (const auto& a : *rows) {
    auto& id = newest[{a.model, a.task, a.epoch}];
    id = std::max(id, a.id);
  }
  for (const auto& a : *rows) {
    if (!sel.all_tries && newest[{a.model, a.task, a.epoch}] != a.id) continue;
    if (!sel.unfinished && a.status != "finished") continue;
    if (!sel.outcome.empty() && a.outcome != sel.outcome) continue;
    all.push_back(a);
  }
  return all;
}

std::optional<ExportRunInfo> LoadExportRunInfo(RunReader& reader,
                                               int64_t run_id,
                                               std::string* err) {
  const std::string& db_path = reader.path();
  Db* db = &reader.db();
  auto s = Stmt::Prepare(
      *db,
      "SELECT started_at, coalesce(finished_at, ''), status, version, host, "
      "args, note, (SELECT coalesce(max(epoch) + 1, 0) FROM attempts WHERE "
      "run_id = :id) FROM runs WHERE id = :id",
      err);
  if (!s || !s->Bind(":id", run_id, err)) return std::nullopt;
  auto step = s->Step(err);
  if (step == Stmt::StepResult::kError) return std::nullopt;
  if (step == Stmt::StepResult::kDone) {
    *err = "no run " + std::to_string(run_id) + " in " + db_path;
    return std::nullopt;
  }
  ExportRunInfo info{.id = run_id,
                     .started_at = s->Text(0),
                     .finished_at = s->Text(1),
                     .status = s->Text(2),
                     .version = s->Text(3),
                     .host = s->Text(4),
                     .args = s->Text(5),
                     .note = s->Text(6),
                     .max_epochs = static_cast<int>(s->Int(7))};
  auto labels = LoadRunLabels(*db, err);
  if (!labels) return std::nullopt;
  if (auto it = labels->find(run_id); it != labels->end()) {
    info.labels = it->second;
  }
  auto m = Stmt::Prepare(*db,
                         "SELECT name, provider, base_url, model FROM models "
                         "WHERE run_id = :id ORDER BY id",
                         err);
  if (!m || !m->Bind(":id", run_id, err)) return std::nullopt;
  Stmt::StepResult r;
  while ((r = m->Step(err)) == Stmt::StepResult::kRow) {
    info.models[m->Text(0)] = {m->Text(1), m->Text(2), m->Text(3)};
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  auto t = Stmt::Prepare(
      *db, "SELECT task_id FROM tasks WHERE run_id = :id ORDER BY id", err);
  if (!t || !t->Bind(":id", run_id, err)) return std::nullopt;
  while ((r = t->Step(err)) == Stmt::StepResult::kRow) {
    info.task_ids.push_back(t->Text(0));
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  return info;
}

FirstRequest ReadFirstRequest(const Transcript& t) {
  FirstRequest out;
  if (t.turns.empty()) return out;
  json req = json::parse(t.turns.front().raw_request, nullptr, false);
  if (!req.is_object()) return out;
  if (req.contains("system")) out.system = TextOf(req["system"]);
  if (req.contains("messages") && req["messages"].is_array()) {
    for (const auto& m : req["messages"]) {
      if (!m.is_object() || !m.contains("content")) continue;
      const std::string role = m.value("role", "");
      if (role == "system" && out.system.empty()) {
        out.system = TextOf(m["content"]);
      } else if (role == "user") {
        out.user = TextOf(m["content"]);
        break;  // the instruction is the first user message
      }
    }
  }
  if (req.contains("tools") && req["tools"].is_array()) {
    for (const auto& tool : req["tools"]) {
      if (!tool.is_object()) continue;
      if (tool.contains("function")) {
        out.tools.push_back(tool);  // already the OpenAI shape
      } else if (tool.contains("name")) {
        out.tools.push_back(
            {{"type", "function"},
             {"function",
              {{"name", tool["name"]},
               {"description", tool.value("description", "")},
               {"parameters", tool.value("input_schema", json::object())}}}});
      }
    }
  }
  return out;
}

std::string FirstProblemOf(const Transcript& t) {
  for (const auto& c : t.checks) {
    if (c.verdict != "passed") return c.kind + ": " + c.detail;
  }
  return "";
}

std::string IsoWithOffset(const std::string& timestamp) {
  if (!timestamp.empty() && timestamp.back() == 'Z') {
    return timestamp.substr(0, timestamp.size() - 1) + "+00:00";
  }
  return timestamp;
}

}  // namespace endstate::results
