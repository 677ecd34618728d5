#include "results/run_meta.h"

namespace endstate::results {
namespace {

bool KeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

bool ParseLabel(const std::string& text, std::string* key, std::string* value,
                std::string* err) {
  const std::string who = "label '" + text + "': ";
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    *err = who + "expected KEY=VALUE";
    return false;
  }
  *key = text.substr(0, eq);
  *value = text.substr(eq + 1);
  if (key->size() > kMaxLabelKey) {
    *err =
        who + "key longer than " + std::to_string(kMaxLabelKey) + " characters";
    return false;
  }
  for (char c : *key) {
    if (!KeyChar(c)) {
      *err = who + "key may hold only letters, digits, '_', '.' and '-'";
      return false;
    }
  }
  if (value->size() > kMaxLabelValue) {
    *err =
        who + "value longer than " + std::to_string(kMaxLabelValue) + " bytes";
    return false;
  }
  for (unsigned char c : *value) {
    if (c < 0x20 || c == 0x7f) {
      *err = who + "value holds a control character";
      return false;
    }
  }
  return true;
}

bool ParseLabels(const std::vector<std::string>& texts,
                 std::map<std::string, std::string>* labels, std::string* err) {
  for (const auto& t : texts) {
    std::string key, value;
    if (!ParseLabel(t, &key, &value, err)) return false;
    if (!labels->emplace(key, value).second) {
      *err = "label '" + key + "' given twice";
      return false;
    }
  }
  return true;
}

bool CheckNote(const std::string& note, std::string* err) {
  if (note.size() <= kMaxNoteBytes) return true;
  *err = "note: " + std::to_string(note.size()) + " bytes, at most " +
         std::to_string(kMaxNoteBytes);
  return false;
}

std::optional<std::map<int64_t, std::map<std::string, std::string>>>
LoadRunLabels(Db& db, std::string* err) {
  std::map<int64_t, std::map<std::string, std::string>> out;
  // A database older than schema v5 opened read-only has no labels.
  auto has = db.QueryInt(
      "SELECT count(*) FROM sqlite_master WHERE name = 'run_labels'", err);
  if (!has) return std::nullopt;
  if (*has == 0) return out;
  auto s = Stmt::Prepare(
      db, "SELECT run_id, key, value FROM run_labels ORDER BY run_id, key",
      err);
  if (!s) return std::nullopt;
  Stmt::StepResult r;
  while ((r = s->Step(err)) == Stmt::StepResult::kRow) {
    out[s->Int(0)][s->Text(1)] = s->Text(2);
  }
  if (r == Stmt::StepResult::kError) return std::nullopt;
  return out;
}

std::optional<RunMeta> LoadRunMeta(RunReader& reader, int64_t run,
                                   std::string* err) {
  Db* db = &reader.db();
  RunMeta meta;
  auto labels = LoadRunLabels(*db, err);
  if (!labels) return std::nullopt;
  if (auto it = labels->find(run); it != labels->end())
    meta.labels = it->second;
  // A database older than schema v5 opened read-only has no note column.
  auto has_note = db->QueryInt(
      "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'note'",
      err);
  if (!has_note) return std::nullopt;
  if (*has_note == 0) return meta;
  auto s = Stmt::Prepare(*db, "SELECT note FROM runs WHERE id = :id", err);
  if (!s || !s->Bind(":id", run, err)) return std::nullopt;
  auto step = s->Step(err);
  if (step == Stmt::StepResult::kError) return std::nullopt;
  if (step == Stmt::StepResult::kRow) meta.note = s->Text(0);
  return meta;
}

bool CopyRunLabels(Db& in, int64_t in_run, Db& out, int64_t out_run,
                   std::string* in_err, std::string* out_err) {
  auto has = in.QueryInt(
      "SELECT count(*) FROM sqlite_master WHERE name = 'run_labels'", in_err);
  if (!has) return false;
  if (*has == 0) return true;
  auto read = Stmt::Prepare(
      in, "SELECT key, value FROM run_labels WHERE run_id = :r", in_err);
  if (!read || !read->Bind(":r", in_run, in_err)) return false;
  auto write = Stmt::Prepare(out,
                             "INSERT OR IGNORE INTO run_labels (run_id, key, "
                             "value) VALUES (:r, :k, :v)",
                             out_err);
  if (!write) return false;
  Stmt::StepResult r;
  while ((r = read->Step(in_err)) == Stmt::StepResult::kRow) {
    ScopedReset reset(*write);
    if (!write->Bind(
            {{":r", out_run}, {":k", read->Text(0)}, {":v", read->Text(1)}},
            out_err) ||
        !write->Run(out_err)) {
      return false;
    }
  }
  return r != Stmt::StepResult::kError;
}

std::string LabelsText(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += (out.empty() ? "" : ",") + k + "=" + v;
  }
  return out;
}

bool HasLabels(const std::map<std::string, std::string>& labels,
               const std::map<std::string, std::string>& wanted) {
  for (const auto& [k, v] : wanted) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace endstate::results
