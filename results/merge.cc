#include "results/merge.h"

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "results/row_copier.h"
#include "results/run_meta.h"
#include "results/schema.h"
#include "util/files.h"

namespace endstate::results {
namespace {

using nlohmann::json;

// An error of the input (exit 2) or of OUT (exit 3), with its message.
struct Failure {
  MergeStatus status = MergeStatus::kOk;
  std::string message;
};

// Runs a one-row lookup on OUT; nullopt when there is no row (or an error:
// *err is then set).
std::optional<int64_t> LookupId(Stmt& s, std::string* err) {
  ScopedReset reset(s);
  if (s.Step(err) != Stmt::StepResult::kRow) return std::nullopt;
  return s.Int(0);
}

}  // namespace

// The merge of one input file, inside OUT's transaction.
class InputMerge {
 public:
  InputMerge(Db& in, Db& out, std::string in_name)
      : in_(in), out_(out), name_(std::move(in_name)) {}

  Failure Prepare();
  Failure MergeRun(int64_t in_run, MergeStats* stats);

 private:
  Failure In(const std::string& msg) {
    return {MergeStatus::kBadInput, name_ + ": " + msg};
  }
  Failure Out(const std::string& msg) {
    return {MergeStatus::kOutputError, msg};
  }
  Failure CopyChildren(int64_t in_attempt, int64_t out_attempt);
  Failure TargetRun(MergeStats* stats);
  Failure CopyAttempts(MergeStats* stats);
  Failure CopyProbes(MergeStats* stats);
  Failure CopyModelRows(RowCopier& rows, Stmt& find, const std::string& what,
                        std::initializer_list<const char*> key);

  Db& in_;
  Db& out_;
  std::string name_;
  RowCopier runs_, models_, tasks_, attempts_, turns_, tool_calls_, checks_,
      probes_, servers_, model_events_;
  Stmt find_run_, find_model_, find_task_, find_attempt_, find_probe_,
      find_server_, find_model_event_, update_run_, clear_turns_, clear_checks_;
  // Whether the input has the tables (schema v3 and v4).
  bool has_servers_ = false, has_model_events_ = false;

  // Per input run.
  int64_t in_run_ = 0, out_run_ = 0;
  std::map<int64_t, int64_t> model_map_, task_map_, attempt_map_;
};

Failure InputMerge::Prepare() {
  std::string ie, oe;
  struct Table {
    RowCopier* c;
    const char* table;
    const char* where;
  };
  for (const Table& t : {Table{&runs_, "runs", "id = :p"},
                         Table{&models_, "models", "run_id = :p"},
                         Table{&tasks_, "tasks", "run_id = :p"},
                         Table{&attempts_, "attempts", "run_id = :p"},
                         Table{&turns_, "turns", "attempt_id = :p"},
                         Table{&tool_calls_, "tool_calls", "turn_id = :p"},
                         Table{&checks_, "checks", "attempt_id = :p"},
                         Table{&probes_, "probes", "run_id = :p"}}) {
    if (!t.c->Init(in_, out_, t.table, t.where, &ie, &oe)) {
      return ie.empty() ? Out(oe) : In(ie);
    }
  }
  // Tables an older input may not have yet: nothing to copy then.
  for (auto [c, has, table] :
       {std::tuple{&servers_, &has_servers_, "servers"},
        std::tuple{&model_events_, &has_model_events_, "model_events"}}) {
    auto n = in_.QueryInt(("SELECT count(*) FROM sqlite_master WHERE type = "
                           "'table' AND name = '" +
                           std::string(table) + "'")
                              .c_str(),
                          &ie);
    if (!n) return In(ie);
    *has = *n > 0;
    if (*has && !c->Init(in_, out_, table, "run_id = :p", &ie, &oe)) {
      return ie.empty() ? Out(oe) : In(ie);
    }
  }
  struct Prep {
    Stmt* s;
    const char* sql;
  };
  for (const Prep& p : {
           Prep{&find_run_,
                "SELECT id, config_json, version FROM runs WHERE CASE WHEN "
                "json_valid(config_json) THEN json_extract(config_json, "
                "'$.merge.group') END = :g"},
           Prep{&find_model_,
                "SELECT id FROM models WHERE run_id = :r AND name = :n"},
           Prep{&find_task_,
                "SELECT id, content_hash FROM tasks WHERE run_id = :r AND "
                "task_id = :t"},
           Prep{&find_attempt_,
                "SELECT id, started_at, status FROM attempts WHERE run_id = "
                ":r AND model_id = :m AND task_id = :t AND epoch = :e AND "
                "try = :try"},
           Prep{&find_probe_,
                "SELECT id FROM probes WHERE run_id = :r AND model_id IS :m "
                "AND kind = :k AND created_at = :c AND settings_json = :s"},
           // A server start is its start time, or (refused by the memory
           // pre-flight, never started) its whole provenance. The second
           // column: OUT's copy was merged while the server ran and the
           // input's has stopped since.
           Prep{&find_server_,
                "SELECT id, stopped_at IS NULL AND :stopped_at IS NOT NULL "
                "FROM servers WHERE run_id = :r AND model_id = :m AND "
                "started_at IS :started_at AND (:started_at IS NOT NULL OR "
                "provenance_json = :provenance_json)"},
           Prep{&find_model_event_,
                "SELECT id, 0 FROM model_events WHERE run_id = :r AND "
                "model_id = :m AND kind = :kind AND created_at = :created_at "
                "AND detail_json = :detail_json"},
           Prep{&update_run_,
                "UPDATE runs SET config_json = :c, status = :st, started_at "
                "= :sa, finished_at = :fa WHERE id = :id"},
           Prep{&clear_turns_, "DELETE FROM turns WHERE attempt_id = :a"},
           Prep{&clear_checks_, "DELETE FROM checks WHERE attempt_id = :a"},
       }) {
    auto s = Stmt::Prepare(out_, p.sql, &oe);
    if (!s) return Out(oe);
    *p.s = std::move(*s);
  }
  return {};
}

// Finds or creates OUT's run for the input run that `runs_` is on, and
// records the input run among its sources.
Failure InputMerge::TargetRun(MergeStats* stats) {
  std::string err;
  json config = json::parse(runs_.Text("config_json"), nullptr, false);
  if (!config.is_object()) config = json::object();
  const std::string version = runs_.Text("version");
  const std::string started = runs_.Text("started_at");
  const std::string host = runs_.Text("host");
  // What identifies one recorded run wherever its database travels.
  const std::string source =
      util::Sha256Hex(host + '\n' + started + '\n' + runs_.Text("args") + '\n' +
                      version)
          .substr(0, 16);
  std::string group = "run-" + source, name;
  int64_t index = 0, count = 1;
  json entries;  // the sources this input brings (one unless already merged)
  if (config.contains("merge") && config["merge"].is_object()) {
    // A merged run merged again (e.g. partial merges combined): it keeps
    // its group and brings every source it lists.
    const json& m = config["merge"];
    if (m.value("group", json()).is_string() &&
        m.value("count", json()).is_number_integer() &&
        m.value("sources", json()).is_array()) {
      group = m["group"].get<std::string>();
      count = m["count"].get<int64_t>();
      if (m.value("name", json()).is_string()) name = m["name"];
      entries = m["sources"];
    }
  } else if (config.contains("shard") && config["shard"].is_object()) {
    const json& sh = config["shard"];
    if (sh.value("group", json()).is_string() &&
        sh.value("index", json()).is_number_integer() &&
        sh.value("count", json()).is_number_integer()) {
      group = sh["group"].get<std::string>();
      index = sh["index"].get<int64_t>();
      count = sh["count"].get<int64_t>();
      if (sh.value("name", json()).is_string()) name = sh["name"];
    }
  }
  const std::string what = "run " + std::to_string(in_run_);
  if (entries.is_null()) {
    entries =
        json::array({{{"shard", index},
                      {"source", source},
                      {"file", name_},
                      {"run", in_run_},
                      {"host", host},
                      {"started_at", started},
                      {"finished_at", runs_.IsNull("finished_at")
                                          ? json()
                                          : json(runs_.Text("finished_at"))},
                      {"status", runs_.Text("status")}}});
  }

  json merged;
  {
    ScopedReset reset(find_run_);
    if (!find_run_.Bind(":g", group, &err)) return Out(err);
    auto r = find_run_.Step(&err);
    if (r == Stmt::StepResult::kError) return Out(err);
    if (r == Stmt::StepResult::kRow) {
      out_run_ = find_run_.Int(0);
      merged = json::parse(find_run_.Text(1), nullptr, false);
      if (find_run_.Text(2) != version) {
        return In(what + " was recorded by endstate " + version + ", run " +
                  std::to_string(out_run_) + " of the output by endstate " +
                  find_run_.Text(2) +
                  ": the shards of one run must come from one version");
      }
    }
  }
  if (out_run_ > 0) {
    json& sources = merged["merge"]["sources"];
    for (const json& entry : entries) {
      const int64_t shard = entry.value("shard", int64_t{-1});
      bool seen = false;
      for (json& s : sources) {
        if (s.value("shard", int64_t{-1}) != shard) continue;
        if (s.value("source", "") != entry.value("source", "")) {
          return In(what + " is shard " + std::to_string(shard) + "/" +
                    std::to_string(count) + " of group " + group +
                    ", which run " + std::to_string(out_run_) +
                    " of the output already holds from another run (host " +
                    s.value("host", "") + ", started " +
                    s.value("started_at", "") + ", " + s.value("file", "") +
                    "); to keep two sharded runs of one config apart, give "
                    "each its own `run --group NAME`");
        }
        s = entry;
        seen = true;
      }
      if (!seen) sources.push_back(entry);
    }
    ++stats->runs_extended;
  } else {
    merged = config;
    merged.erase("shard");
    merged["merge"] = {{"group", group},
                       {"count", count},
                       {"name", name},
                       {"sources", entries}};
  }

  // The merged run is finished once every shard was merged finished.
  const json& sources = merged["merge"]["sources"];
  std::set<int64_t> finished;
  std::string first_start = started, last_finish;
  for (const json& s : sources) {
    first_start = std::min(first_start, s.value("started_at", started));
    if (s.value("status", "") == "finished") {
      finished.insert(s.value("shard", int64_t{-1}));
      if (s.contains("finished_at") && s["finished_at"].is_string()) {
        last_finish =
            std::max(last_finish, s["finished_at"].get<std::string>());
      }
    }
  }
  bool complete = static_cast<int64_t>(finished.size()) == count;
  const std::string merged_text = merged.dump();  // outlives `o`'s views
  RowCopier::Overrides o = {
      {"config_json", merged_text},
      {"status", complete ? "finished" : "running"},
      {"started_at", first_start},
      {"finished_at", complete ? SqlValue(last_finish) : SqlValue(nullptr)},
      // No process runs a merged run: never shown killed nor cancelled.
      {"pid", SqlValue(nullptr)},
      {"pid_host", SqlValue(nullptr)},
      {"cancelled_at", SqlValue(nullptr)}};
  if (out_run_ > 0) {
    ScopedReset reset(update_run_);
    if (!update_run_.Bind({{":c", o.at("config_json")},
                           {":st", o.at("status")},
                           {":sa", o.at("started_at")},
                           {":fa", o.at("finished_at")},
                           {":id", out_run_}},
                          &err) ||
        !update_run_.Run(&err)) {
      return Out(err);
    }
    return {};
  }
  out_run_ = runs_.Insert(o, &err);
  if (out_run_ < 0) return Out(err);
  ++stats->runs_created;
  return {};
}

Failure InputMerge::CopyChildren(int64_t in_attempt, int64_t out_attempt) {
  std::string err;
  if (!turns_.Query(in_attempt, &err)) return In(err);
  for (;;) {
    auto r = turns_.Next(&err);
    if (r == Stmt::StepResult::kError) return In(err);
    if (r == Stmt::StepResult::kDone) break;
    int64_t turn = turns_.Insert({{"attempt_id", out_attempt}}, &err);
    if (turn < 0) return Out(err);
    if (!tool_calls_.Query(turns_.Int("id"), &err)) return In(err);
    for (;;) {
      auto c = tool_calls_.Next(&err);
      if (c == Stmt::StepResult::kError) return In(err);
      if (c == Stmt::StepResult::kDone) break;
      if (tool_calls_.Insert({{"turn_id", turn}}, &err) < 0) return Out(err);
    }
  }
  if (!checks_.Query(in_attempt, &err)) return In(err);
  for (;;) {
    auto r = checks_.Next(&err);
    if (r == Stmt::StepResult::kError) return In(err);
    if (r == Stmt::StepResult::kDone) break;
    if (checks_.Insert({{"attempt_id", out_attempt}}, &err) < 0) {
      return Out(err);
    }
  }
  return {};
}

Failure InputMerge::CopyAttempts(MergeStats* stats) {
  std::string err;
  if (!attempts_.Query(in_run_, &err)) return In(err);
  for (;;) {
    auto r = attempts_.Next(&err);
    if (r == Stmt::StepResult::kError) return In(err);
    if (r == Stmt::StepResult::kDone) break;
    const int64_t in_id = attempts_.Int("id");
    auto model = model_map_.find(attempts_.Int("model_id"));
    auto task = task_map_.find(attempts_.Int("task_id"));
    if (model == model_map_.end() || task == task_map_.end()) {
      return In("attempt " + std::to_string(in_id) +
                " refers to a model or task row of another run");
    }
    // Tries of a slot are numbered 1, 2, ... within a run, so (slot, try)
    // names an attempt; its start time tells a copy of it from another run
    // that recorded the same slot.
    const std::string started = attempts_.Text("started_at");
    const std::string status = attempts_.Text("status");
    int64_t existing = 0;
    std::string existing_started, existing_status;
    {
      ScopedReset reset(find_attempt_);
      if (!find_attempt_.Bind({{":r", out_run_},
                               {":m", model->second},
                               {":t", task->second},
                               {":e", attempts_.Int("epoch")},
                               {":try", attempts_.Int("try")}},
                              &err)) {
        return Out(err);
      }
      auto f = find_attempt_.Step(&err);
      if (f == Stmt::StepResult::kError) return Out(err);
      if (f == Stmt::StepResult::kRow) {
        existing = find_attempt_.Int(0);
        existing_started = find_attempt_.Text(1);
        existing_status = find_attempt_.Text(2);
      }
    }
    int64_t parent = 0;
    if (!attempts_.IsNull("parent_attempt_id")) {
      auto it = attempt_map_.find(attempts_.Int("parent_attempt_id"));
      if (it != attempt_map_.end()) parent = it->second;
    }
    RowCopier::Overrides o = {
        {"run_id", out_run_},
        {"model_id", model->second},
        {"task_id", task->second},
        {"parent_attempt_id", parent > 0 ? SqlValue(parent) : nullptr}};
    if (existing > 0 && existing_started != started) {
      return In("attempt " + std::to_string(in_id) + " (epoch " +
                std::to_string(attempts_.Int("epoch")) + ", try " +
                std::to_string(attempts_.Int("try")) + ", started " + started +
                ") is a slot that attempt " + std::to_string(existing) +
                " of run " + std::to_string(out_run_) +
                " of the output already holds (started " + existing_started +
                "): two runs recorded the same slot");
    }
    if (existing > 0 &&
        !(existing_status == "running" && status == "finished")) {
      ++stats->duplicates;
      attempt_map_[in_id] = existing;
      continue;
    }
    int64_t out_id = existing;
    if (existing > 0) {
      // Merged while it was running; its record is complete now.
      ScopedReset r1(clear_turns_), r2(clear_checks_);
      if (!attempts_.Update(existing, o, &err) ||
          !clear_turns_.Bind(":a", existing, &err) || !clear_turns_.Run(&err) ||
          !clear_checks_.Bind(":a", existing, &err) ||
          !clear_checks_.Run(&err)) {
        return Out(err);
      }
      ++stats->attempts_updated;
    } else {
      out_id = attempts_.Insert(o, &err);
      if (out_id < 0) return Out(err);
      ++stats->attempts_merged;
    }
    attempt_map_[in_id] = out_id;
    if (Failure f = CopyChildren(in_id, out_id); f.status != MergeStatus::kOk) {
      return f;
    }
  }
  return {};
}

Failure InputMerge::CopyProbes(MergeStats* stats) {
  std::string err;
  if (!probes_.Query(in_run_, &err)) return In(err);
  for (;;) {
    auto r = probes_.Next(&err);
    if (r == Stmt::StepResult::kError) return In(err);
    if (r == Stmt::StepResult::kDone) break;
    SqlValue model = nullptr;
    if (!probes_.IsNull("model_id")) {
      auto it = model_map_.find(probes_.Int("model_id"));
      if (it == model_map_.end()) {
        return In("probe " + std::to_string(probes_.Int("id")) +
                  " refers to a model row of another run");
      }
      model = it->second;
    }
    const std::string kind = probes_.Text("kind");
    const std::string created = probes_.Text("created_at");
    const std::string settings = probes_.Text("settings_json");
    {
      ScopedReset reset(find_probe_);
      if (!find_probe_.Bind({{":r", out_run_},
                             {":m", model},
                             {":k", kind},
                             {":c", created},
                             {":s", settings}},
                            &err)) {
        return Out(err);
      }
      auto f = find_probe_.Step(&err);
      if (f == Stmt::StepResult::kError) return Out(err);
      if (f == Stmt::StepResult::kRow) continue;  // merged before
    }
    if (probes_.Insert({{"run_id", out_run_}, {"model_id", model}}, &err) < 0) {
      return Out(err);
    }
    ++stats->probes_merged;
  }
  return {};
}

// Copies the rows of `rows` (servers or model_events) of the input run,
// their model remapped. A row is skipped when `find` (parameters :r, :m and
// one per `key` column, named after it) finds it in OUT, and overwrites
// OUT's copy instead when `find`'s second column is 1.
Failure InputMerge::CopyModelRows(RowCopier& rows, Stmt& find,
                                  const std::string& what,
                                  std::initializer_list<const char*> key) {
  std::string err;
  if (!rows.Query(in_run_, &err)) return In(err);
  for (;;) {
    auto r = rows.Next(&err);
    if (r == Stmt::StepResult::kError) return In(err);
    if (r == Stmt::StepResult::kDone) break;
    auto model = model_map_.find(rows.Int("model_id"));
    if (model == model_map_.end()) {
      return In(what + " " + std::to_string(rows.Int("id")) +
                " refers to a model row of another run");
    }
    const RowCopier::Overrides o = {{"run_id", out_run_},
                                    {"model_id", model->second}};
    int64_t existing = 0;
    bool refresh = false;
    {
      ScopedReset reset(find);
      if (!find.Bind({{":r", out_run_}, {":m", model->second}}, &err)) {
        return Out(err);
      }
      for (const char* col : key) {
        const std::string name = std::string(":") + col;
        const std::string text = rows.Text(col);
        if (!find.Bind(name.c_str(),
                       rows.IsNull(col) ? SqlValue(nullptr) : SqlValue(text),
                       &err)) {
          return Out(err);
        }
      }
      auto f = find.Step(&err);
      if (f == Stmt::StepResult::kError) return Out(err);
      if (f == Stmt::StepResult::kRow) {
        existing = find.Int(0);
        refresh = find.Int(1) != 0;
      }
    }
    if (existing > 0 && refresh && !rows.Update(existing, o, &err)) {
      return Out(err);
    }
    if (existing == 0 && rows.Insert(o, &err) < 0) return Out(err);
  }
  return {};
}

Failure InputMerge::MergeRun(int64_t in_run, MergeStats* stats) {
  in_run_ = in_run;
  out_run_ = 0;
  model_map_.clear();
  task_map_.clear();
  attempt_map_.clear();
  std::string err;
  if (!runs_.Query(in_run, &err)) return In(err);
  auto r = runs_.Next(&err);
  if (r == Stmt::StepResult::kError) return In(err);
  if (r == Stmt::StepResult::kDone) {
    return In("no run with id " + std::to_string(in_run));
  }
  if (Failure f = TargetRun(stats); f.status != MergeStatus::kOk) return f;
  std::string oerr;
  if (!CopyRunLabels(in_, in_run, out_, out_run_, &err, &oerr)) {
    return oerr.empty() ? In(err) : Out(oerr);
  }

  // Models and tasks by name: the first merged shard inserts them all in
  // its plan order (every shard records the whole model and task list), so
  // `run --resume` of the merged run sees the order it expects.
  if (!models_.Query(in_run, &err)) return In(err);
  while ((r = models_.Next(&err)) == Stmt::StepResult::kRow) {
    find_model_.Reset();
    if (!find_model_.Bind({{":r", out_run_}, {":n", models_.Text("name")}},
                          &err)) {
      return Out(err);
    }
    err.clear();
    std::optional<int64_t> id = LookupId(find_model_, &err);
    if (!id && !err.empty()) return Out(err);
    if (!id) id = models_.Insert({{"run_id", out_run_}}, &err);
    if (*id < 0) return Out(err);
    model_map_[models_.Int("id")] = *id;
  }
  if (r == Stmt::StepResult::kError) return In(err);

  if (!tasks_.Query(in_run, &err)) return In(err);
  while ((r = tasks_.Next(&err)) == Stmt::StepResult::kRow) {
    const std::string task = tasks_.Text("task_id");
    const std::string hash = tasks_.Text("content_hash");
    ScopedReset reset(find_task_);
    if (!find_task_.Bind({{":r", out_run_}, {":t", task}}, &err)) {
      return Out(err);
    }
    auto f = find_task_.Step(&err);
    if (f == Stmt::StepResult::kError) return Out(err);
    int64_t id = 0;
    if (f == Stmt::StepResult::kRow) {
      id = find_task_.Int(0);
      if (find_task_.Text(1) != hash) {
        return In("run " + std::to_string(in_run) + ": task '" + task +
                  "' has content hash " + hash + ", run " +
                  std::to_string(out_run_) + " of the output " +
                  find_task_.Text(1) +
                  ": the shards ran different versions of the suite");
      }
    } else {
      id = tasks_.Insert({{"run_id", out_run_}}, &err);
      if (id < 0) return Out(err);
    }
    task_map_[tasks_.Int("id")] = id;
  }
  if (r == Stmt::StepResult::kError) return In(err);

  if (Failure f = CopyAttempts(stats); f.status != MergeStatus::kOk) return f;
  if (Failure f = CopyProbes(stats); f.status != MergeStatus::kOk) return f;
  if (has_servers_) {
    Failure f = CopyModelRows(servers_, find_server_, "server",
                              {"started_at", "stopped_at", "provenance_json"});
    if (f.status != MergeStatus::kOk) return f;
  }
  if (!has_model_events_) return {};
  return CopyModelRows(model_events_, find_model_event_, "model event",
                       {"kind", "created_at", "detail_json"});
}

std::unique_ptr<Merger> Merger::Open(const std::string& out_path,
                                     std::string* err) {
  auto db = Db::Open(out_path, err);
  if (!db) return nullptr;
  if (!Migrate(*db, err)) {
    *err = "cannot open " + out_path + ": " + *err;
    return nullptr;
  }
  return std::unique_ptr<Merger>(new Merger(std::move(*db), out_path));
}

MergeStatus Merger::MergeFile(const std::string& in_path, int64_t run_id,
                              MergeStats* stats, std::string* err) {
  std::error_code ec;
  if (std::filesystem::equivalent(in_path, path_, ec)) {
    *err = in_path + ": is the output database itself";
    return MergeStatus::kBadInput;
  }
  // SQLite's own words, without the path and the statement around them:
  // "b.db: not an endstate database (file is not a database)".
  auto not_endstate = [&] {
    std::string reason = *err;
    const std::string prefix = "cannot open " + in_path + ": ";
    if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
    if (size_t in = reason.find(" (in: "); in != std::string::npos) {
      reason.erase(in);
    }
    *err = in_path + ": not an endstate database (" + reason + ")";
    return MergeStatus::kBadInput;
  };
  auto in = Db::OpenReadOnly(in_path, err);
  if (!in) return not_endstate();
  auto version = in->QueryInt("PRAGMA user_version", err);
  if (!version) return not_endstate();
  if (*version > kSchemaVersion) {
    *err = in_path + ": database schema version " + std::to_string(*version) +
           " is newer than this endstate supports (" +
           std::to_string(kSchemaVersion) + ")";
    return MergeStatus::kBadInput;
  }
  auto has_runs = in->QueryInt(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = "
      "'runs'",
      err);
  if (!has_runs || *has_runs == 0 || *version < 1) {
    *err = in_path + ": not an endstate database (no runs table)";
    return MergeStatus::kBadInput;
  }

  std::vector<int64_t> runs;
  if (run_id > 0) {
    runs.push_back(run_id);
  } else {
    auto list = Stmt::Prepare(*in, "SELECT id FROM runs ORDER BY id", err);
    if (!list) return MergeStatus::kBadInput;
    Stmt::StepResult r;
    while ((r = list->Step(err)) == Stmt::StepResult::kRow) {
      runs.push_back(list->Int(0));
    }
    if (r == Stmt::StepResult::kError) {
      *err = in_path + ": " + *err;
      return MergeStatus::kBadInput;
    }
  }

  auto tx = Transaction::Begin(out_, err);
  if (!tx) return MergeStatus::kOutputError;
  InputMerge merge(*in, out_, in_path);
  MergeStats local = *stats;
  Failure f = merge.Prepare();
  for (size_t i = 0; f.status == MergeStatus::kOk && i < runs.size(); ++i) {
    f = merge.MergeRun(runs[i], &local);
  }
  if (f.status == MergeStatus::kOk && !tx->Commit(err)) {
    return MergeStatus::kOutputError;
  }
  if (f.status != MergeStatus::kOk) {
    *err = f.message;
    return f.status;
  }
  *stats = local;
  return MergeStatus::kOk;
}

}  // namespace endstate::results
