#include "report/history.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "results/run_data.h"
#include "results/run_meta.h"
#include "results/sqlite.h"

namespace endstate::report {
namespace {

using Key = std::pair<int64_t, std::string>;  // (run id, model name)

// The selected runs, oldest first, after every filter of `o`.
std::optional<std::vector<HistoryRun>> SelectRuns(
    results::Db& db, const HistoryOptions& o,
    const std::map<int64_t, std::map<std::string, std::string>>& labels,
    int* skipped, std::string* err) {
  auto s = results::Stmt::Prepare(
      db,
      std::string("SELECT r.id, r.started_at, r.status, r.note, ") +
          results::kRunKindSql +
          " FROM runs r WHERE (:since = '' OR r.started_at >= :since) AND "
          "(:until = '' OR substr(r.started_at, 1, length(:until)) <= :until) "
          "ORDER BY r.id",
      err);
  if (!s || !s->Bind({{":since", o.since}, {":until", o.until}}, err)) {
    return std::nullopt;
  }
  std::vector<HistoryRun> runs;
  results::Stmt::StepResult r;
  while ((r = s->Step(err)) == results::Stmt::StepResult::kRow) {
    HistoryRun run{.id = s->Int(0),
                   .started_at = s->Text(1),
                   .status = s->Text(2),
                   .kind = s->Text(4),
                   .note = s->Text(3)};
    auto it = labels.find(run.id);
    if (it != labels.end()) run.labels = it->second;
    if (!results::HasLabels(run.labels, o.labels)) continue;
    if (!o.all_kinds && run.kind != "evaluation") {
      ++*skipped;
      continue;
    }
    runs.push_back(std::move(run));
  }
  if (r == results::Stmt::StepResult::kError) return std::nullopt;
  if (o.last > 0 && runs.size() > static_cast<size_t>(o.last)) {
    runs.erase(runs.begin(), runs.end() - o.last);
  }
  return runs;
}

// provider, base URL, model id, sampling and labels of every models row.
std::optional<std::map<Key, std::string>> Fingerprints(results::Db& db,
                                                       std::string* err) {
  auto s = results::Stmt::Prepare(
      db,
      "SELECT run_id, name, provider || char(31) || base_url || char(31) || "
      "model || char(31) || sampling_json || char(31) || labels_json "
      "FROM models",
      err);
  if (!s) return std::nullopt;
  std::map<Key, std::string> out;
  results::Stmt::StepResult r;
  while ((r = s->Step(err)) == results::Stmt::StepResult::kRow) {
    out[{s->Int(0), s->Text(1)}] = s->Text(2);
  }
  if (r == results::Stmt::StepResult::kError) return std::nullopt;
  return out;
}

std::optional<double> Median(const nlohmann::json& summary, const char* key) {
  if (!summary.is_object() || !summary.contains(key)) return std::nullopt;
  const auto& v = summary[key];
  if (v.is_object() && v.contains("median") && v["median"].is_number()) {
    return v["median"].get<double>();
  }
  return std::nullopt;
}

// The newest probe of each kind per (run, model name), reduced to figures.
std::optional<std::map<Key, ProbeFigures>> LoadProbeFigures(results::Db& db,
                                                            std::string* err) {
  auto s = results::Stmt::Prepare(
      db,
      "SELECT p.run_id, m.name, p.kind, p.measurements_json FROM probes p "
      "JOIN models m ON p.model_id = m.id ORDER BY p.id",
      err);
  if (!s) return std::nullopt;
  std::map<Key, ProbeFigures> out;
  results::Stmt::StepResult r;
  while ((r = s->Step(err)) == results::Stmt::StepResult::kRow) {
    ProbeFigures& f = out[{s->Int(0), s->Text(1)}];
    const std::string kind = s->Text(2);
    auto m = nlohmann::json::parse(s->Text(3), nullptr, false);
    const bool ok = m.is_object() && !m.contains("error");
    const nlohmann::json summary =
        ok && m.contains("summary") ? m["summary"] : nlohmann::json();
    if (kind == "speed") {
      f.decode_tok_s = Median(summary, "decode_tok_s");
      f.ttft_ms = Median(summary, "ttft_ms");
    } else if (kind == "toolcalls") {
      f.toolcall_valid.reset();
      if (summary.is_object() && summary.value("total", 0) > 0) {
        f.toolcall_valid = summary.value("valid", 0) /
                           static_cast<double>(summary.value("total", 0));
      }
    }
  }
  if (r == results::Stmt::StepResult::kError) return std::nullopt;
  return out;
}

// Per-task tallies of one model in one run, by task id.
struct Tallies {
  std::vector<std::string> ids;
  std::vector<TaskTally> per_task;
};

// B (this point) against A, paired by task id over the tasks both graded.
Comparison PairByTask(const Tallies& a, const Tallies& b) {
  std::unordered_map<std::string, const TaskTally*> in_a;
  for (size_t i = 0; i < a.ids.size(); ++i) in_a[a.ids[i]] = &a.per_task[i];
  std::vector<TaskTally> ta, tb;
  for (size_t i = 0; i < b.ids.size(); ++i) {
    auto it = in_a.find(b.ids[i]);
    if (it == in_a.end()) continue;
    ta.push_back(*it->second);
    tb.push_back(b.per_task[i]);
  }
  return ComparePaired(ta, tb, /*sample_sizes=*/false);
}

std::vector<TaskFlip> Flips(const Tallies& a, const Tallies& b) {
  std::unordered_map<std::string, const TaskTally*> in_a;
  for (size_t i = 0; i < a.ids.size(); ++i) in_a[a.ids[i]] = &a.per_task[i];
  std::vector<TaskFlip> out;
  for (size_t i = 0; i < b.ids.size(); ++i) {
    auto it = in_a.find(b.ids[i]);
    if (it == in_a.end()) continue;
    std::string from = TaskVerdict(*it->second),
                to = TaskVerdict(b.per_task[i]);
    if (!from.empty() && !to.empty() && from != to) {
      out.push_back({b.ids[i], from, to});
    }
  }
  std::sort(out.begin(), out.end(), [](const TaskFlip& x, const TaskFlip& y) {
    return x.task < y.task;
  });
  return out;
}

Tallies TalliesOf(const HistoryPoint& p) {
  return {p.task_ids, p.stats.per_task};
}

void FindNoise(const HistoryOptions& o, ModelHistory* m) {
  if (m->points.empty()) return;
  const std::string& fp = m->points.back().fingerprint;
  std::vector<const HistoryPoint*> same;
  for (const auto& p : m->points) {
    if (p.fingerprint == fp) same.push_back(&p);
  }
  m->noise_runs = static_cast<int>(same.size());
  std::map<std::string, FlakyTask> tasks;
  std::vector<std::string> order;
  for (size_t k = 0; k < same.size(); ++k) {
    const HistoryPoint& p = *same[k];
    for (size_t i = 0; i < p.task_ids.size(); ++i) {
      auto [it, fresh] = tasks.try_emplace(p.task_ids[i]);
      if (fresh) {
        it->second.task = p.task_ids[i];
        it->second.pattern = std::string(same.size(), '.');
      }
      const std::string v = TaskVerdict(p.stats.per_task[i]);
      if (!v.empty())
        it->second.pattern[k] = static_cast<char>(std::toupper(v[0]));
    }
  }
  for (auto& [id, t] : tasks) {
    char last = 0;
    for (char c : t.pattern) {
      if (c == '.') continue;
      ++t.runs;
      if (c == 'M') ++t.mixed_runs;
      if (last && c != last) ++t.flips;
      last = c;
    }
    if (t.runs == 0) continue;
    t.flip_rate = t.runs > 1 ? static_cast<double>(t.flips) / (t.runs - 1) : 0;
    // One change alone is a step (a regression or a fix), not noise.
    t.flaky =
        t.runs >= o.flaky_min_runs &&
        ((t.flips >= 2 && t.flip_rate >= o.flaky_threshold) ||
         (t.mixed_runs >= 2 &&
          static_cast<double>(t.mixed_runs) / t.runs >= o.flaky_threshold));
    m->task_noise.push_back(t);
  }
  std::sort(m->task_noise.begin(), m->task_noise.end(),
            [](const FlakyTask& x, const FlakyTask& y) {
              if (x.flaky != y.flaky) return x.flaky;
              if (x.flip_rate != y.flip_rate) return x.flip_rate > y.flip_rate;
              return x.task < y.task;
            });
}

std::optional<int64_t> ResolveBaseline(
    results::Db& db, const std::string& db_path, const HistoryOptions& o,
    const std::map<int64_t, std::map<std::string, std::string>>& labels,
    std::string* err) {
  if (o.baseline_run > 0) {
    auto n = db.QueryInt(("SELECT count(*) FROM runs WHERE id = " +
                          std::to_string(o.baseline_run))
                             .c_str(),
                         err);
    if (!n) return std::nullopt;
    if (*n == 0) {
      *err = "baseline: no run " + std::to_string(o.baseline_run) + " in " +
             db_path;
      return std::nullopt;
    }
    return o.baseline_run;
  }
  if (o.baseline_labels.empty()) return 0;
  auto s = results::Stmt::Prepare(
      db,
      std::string("SELECT r.id FROM runs r WHERE ") + results::kRunKindSql +
          " = 'evaluation' ORDER BY r.id DESC",
      err);
  if (!s) return std::nullopt;
  results::Stmt::StepResult r;
  while ((r = s->Step(err)) == results::Stmt::StepResult::kRow) {
    auto it = labels.find(s->Int(0));
    if (it != labels.end() &&
        results::HasLabels(it->second, o.baseline_labels)) {
      return s->Int(0);
    }
  }
  if (r == results::Stmt::StepResult::kError) return std::nullopt;
  *err = "baseline: no evaluation run with label " +
         results::LabelsText(o.baseline_labels) + " in " + db_path;
  return std::nullopt;
}

}  // namespace

std::string TaskVerdict(const TaskTally& t) {
  if (t.graded == 0) return "";
  if (t.passed == t.graded) return "passed";
  if (t.passed == 0) return "failed";
  return "mixed";
}

std::vector<FlakyTask> FlakyTasksOf(const History& h, const std::string& name) {
  std::vector<FlakyTask> out;
  for (const auto& m : h.models) {
    if (m.name != name) continue;
    for (const auto& t : m.task_noise) {
      if (t.flaky) out.push_back(t);
    }
  }
  return out;
}

std::optional<History> LoadHistory(results::RunReader& reader,
                                   const HistoryOptions& options,
                                   std::string* err) {
  const std::string& db_path = reader.path();
  results::Db* db = &reader.db();
  auto labels = results::LoadRunLabels(*db, err);
  if (!labels) return std::nullopt;
  History h{.db = db_path, .options = options};
  auto runs = SelectRuns(*db, options, *labels, &h.skipped_runs, err);
  if (!runs) return std::nullopt;
  h.runs = std::move(*runs);
  auto baseline = ResolveBaseline(*db, db_path, options, *labels, err);
  if (!baseline) return std::nullopt;
  h.baseline_run = *baseline;
  auto fingerprints = Fingerprints(*db, err);
  if (!fingerprints) return std::nullopt;
  auto probes = LoadProbeFigures(*db, err);
  if (!probes) return std::nullopt;

  const results::RunReader::LoadOptions outcomes_only{.tool_calls = false,
                                                      .first_problems = false};
  auto tallies_of_run = [&](const results::RunData& data,
                            const std::vector<ModelStats>& stats, size_t m) {
    Tallies t;
    for (const auto& task : data.tasks) t.ids.push_back(task.id);
    t.per_task = stats[m].per_task;
    return t;
  };
  std::map<std::string, Tallies> baseline_tallies;
  if (h.baseline_run > 0) {
    auto data = reader.Load(h.baseline_run, outcomes_only, err);
    if (!data) return std::nullopt;
    const std::vector<ModelStats> stats = ComputeModelStats(*data);
    for (size_t m = 0; m < data->models.size(); ++m) {
      baseline_tallies[data->models[m]] = tallies_of_run(*data, stats, m);
    }
  }
  std::map<std::string, size_t> model_index;
  for (size_t r = 0; r < h.runs.size(); ++r) {
    auto data = reader.Load(h.runs[r].id, outcomes_only, err);
    if (!data) return std::nullopt;
    const std::vector<ModelStats> stats = ComputeModelStats(*data);
    for (size_t m = 0; m < data->models.size(); ++m) {
      const std::string& name = data->models[m];
      if (!options.models.empty() &&
          std::find(options.models.begin(), options.models.end(), name) ==
              options.models.end()) {
        continue;
      }
      auto [it, fresh] = model_index.try_emplace(name, h.models.size());
      if (fresh) h.models.push_back({.name = name});
      ModelHistory& mh = h.models[it->second];
      HistoryPoint p{.run = static_cast<int>(r), .stats = stats[m]};
      Tallies mine = tallies_of_run(*data, stats, m);
      p.task_ids = mine.ids;
      for (const auto& id : p.task_ids) {
        if (std::find(mh.tasks.begin(), mh.tasks.end(), id) == mh.tasks.end()) {
          mh.tasks.push_back(id);
        }
      }
      const Key key{h.runs[r].id, name};
      if (auto f = fingerprints->find(key); f != fingerprints->end()) {
        p.fingerprint = f->second;
      }
      if (auto f = probes->find(key); f != probes->end()) p.probes = f->second;
      if (!mh.points.empty()) {
        const HistoryPoint& prev = mh.points.back();
        p.previous_run = h.runs[prev.run].id;
        p.vs_previous = PairByTask(TalliesOf(prev), mine);
        p.flips = Flips(TalliesOf(prev), mine);
      }
      auto b = baseline_tallies.find(name);
      if (b != baseline_tallies.end() && h.runs[r].id != h.baseline_run) {
        p.vs_baseline = PairByTask(b->second, mine);
      }
      mh.points.push_back(std::move(p));
    }
  }
  for (auto& m : h.models) FindNoise(options, &m);
  return h;
}

}  // namespace endstate::report
