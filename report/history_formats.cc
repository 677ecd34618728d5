#include "report/history_formats.h"

#include <algorithm>

#include "report/stats_text.h"
#include "results/run_meta.h"
#include "util/format.h"

namespace endstate::report {
namespace {

using nlohmann::json;

constexpr size_t kFlipsShown = 5;  // tasks named per flip list, then "+N"

std::string FlipsText(const std::vector<TaskFlip>& flips) {
  if (flips.empty()) return "-";
  std::string s = std::to_string(flips.size()) + ":";
  for (size_t i = 0; i < flips.size() && i < kFlipsShown; ++i) {
    s += std::string(i ? "," : "") + " " + flips[i].task + " " + flips[i].from +
         "->" + flips[i].to;
  }
  if (flips.size() > kFlipsShown) {
    s += " (+" + std::to_string(flips.size() - kFlipsShown) + ")";
  }
  return s;
}

std::string Opt(const std::optional<double>& v, int decimals) {
  return v ? util::Fixed(*v, decimals) : "-";
}

std::string BaselineCell(const History& h, const HistoryPoint& p) {
  if (h.baseline_run == 0) return "-";
  if (h.runs[p.run].id == h.baseline_run) return "(baseline)";
  return ChangeText(p.vs_baseline);
}

json ComparisonJson(const std::optional<Comparison>& c, int64_t run) {
  if (!c) return nullptr;
  return {{"run", run},
          {"tasks", c->tasks},
          {"mean_difference", c->mean_difference},
          {"interval", c->interval ? json{{"low", c->interval->low},
                                          {"high", c->interval->high}}
                                   : json(nullptr)},
          {"b_better", c->b_better},
          {"b_worse", c->b_worse},
          {"p_value", c->p_value},
          {"verdict", c->verdict}};
}

json OptJson(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

std::vector<std::vector<std::string>> PointRows(const History& h,
                                                const ModelHistory& m) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : m.points) {
    const HistoryRun& run = h.runs[p.run];
    rows.push_back(
        {std::to_string(run.id), run.started_at.substr(0, 16),
         RateText(p.stats.rate),
         std::to_string(p.stats.passed) + "/" + std::to_string(p.stats.graded),
         ChangeText(p.vs_previous), BaselineCell(h, p),
         Opt(p.probes.decode_tok_s, 1), Opt(p.probes.ttft_ms, 0),
         FlipsText(p.flips)});
  }
  return rows;
}

const std::vector<std::string> kPointHeader = {
    "run",    "started",     "completion [95% CI]",
    "passed", "vs previous", "vs baseline",
    "tok/s",  "ttft ms",     "flipped tasks"};

std::string NoiseLine(const FlakyTask& t) {
  return t.task + " flip rate " + util::Fixed(t.flip_rate, 2) + " over " +
         std::to_string(t.runs) + " runs (" + t.pattern + ")" +
         (t.mixed_runs ? ", epochs disagreed in " +
                             std::to_string(t.mixed_runs) + " run(s)"
                       : "");
}

std::string FlakyHeading(const History& h, const ModelHistory& m) {
  int flaky = 0;
  for (const auto& t : m.task_noise) flaky += t.flaky;
  return "flaky tasks: " + std::to_string(flaky) + " of " +
         std::to_string(m.task_noise.size()) + " over the " +
         std::to_string(m.noise_runs) +
         " run(s) of its newest configuration (flip rate >= " +
         util::Fixed(h.options.flaky_threshold, 2) +
         ", >= " + std::to_string(h.options.flaky_min_runs) + " runs)";
}

}  // namespace

std::vector<Regression> FindRegressions(const History& h) {
  std::vector<Regression> out;
  for (const auto& m : h.models) {
    if (m.points.empty()) continue;
    const HistoryPoint& p = m.points.back();
    const int64_t run = h.runs[p.run].id;
    Regression r{.model = m.name, .run = run};
    if (h.baseline_run > 0 && run != h.baseline_run) {
      if (!p.vs_baseline) continue;
      r.against = h.baseline_run;
      r.reference = "baseline";
      r.paired = *p.vs_baseline;
    } else if (h.baseline_run == 0 && p.vs_previous) {
      r.against = p.previous_run;
      r.reference = "previous";
      r.paired = *p.vs_previous;
    } else {
      continue;
    }
    if (r.paired.verdict == "worse") out.push_back(r);
  }
  return out;
}

std::string FlakyNoteText(const std::string& model,
                          const std::vector<FlakyTask>& flaky) {
  if (flaky.empty()) return "";
  std::string s = "note: flaky in the history of " + model +
                  " (flip rate over its runs of one configuration):";
  for (size_t i = 0; i < flaky.size(); ++i) {
    s += std::string(i ? "," : "") + " " + flaky[i].task + " " +
         util::Fixed(flaky[i].flip_rate, 2) + " (" + flaky[i].pattern + ")";
  }
  return s + "\n";
}

json FlakyJson(const std::vector<FlakyTask>& flaky) {
  json out = json::array();
  for (const auto& t : flaky) {
    out.push_back({{"task", t.task},
                   {"runs", t.runs},
                   {"flips", t.flips},
                   {"flip_rate", t.flip_rate},
                   {"mixed_runs", t.mixed_runs},
                   {"pattern", t.pattern}});
  }
  return out;
}

std::string ChangeText(const std::optional<Comparison>& c) {
  if (!c) return "-";
  if (c->tasks == 0) return "no paired task";
  return Points(c->mean_difference) + " " + c->verdict + " (p " +
         PValueText(c->p_value) + ")";
}

std::string RenderHistoryTable(const History& h, bool color) {
  std::string out;
  if (h.runs.empty()) return "no evaluation runs match in " + h.db + "\n";
  out +=
      "history of " + h.db + ": " + std::to_string(h.runs.size()) + " run(s)";
  if (h.baseline_run > 0) {
    out += ", baseline run " + std::to_string(h.baseline_run);
  }
  if (h.skipped_runs > 0) {
    out += " (" + std::to_string(h.skipped_runs) +
           " replay/probe run(s) left out; --all-kinds shows them)";
  }
  out += "\n";
  for (const auto& m : h.models) {
    out += "\n" + Paint("model " + m.name, Color::kBold, color) + " (" +
           std::to_string(m.points.size()) + " run(s))\n";
    std::vector<std::vector<std::string>> rows = {kPointHeader};
    for (auto& r : PointRows(h, m)) rows.push_back(std::move(r));
    std::vector<size_t> width(kPointHeader.size(), 0);
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) {
        width[i] = std::max(width[i], r[i].size());
      }
    }
    for (const auto& r : rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        std::string cell = r[i];
        if (i + 1 < r.size()) cell.resize(width[i] + 2, ' ');
        if (cell.find(" worse ") != std::string::npos) {
          cell = Paint(cell, Color::kRed, color);
        } else if (cell.find(" better ") != std::string::npos) {
          cell = Paint(cell, Color::kGreen, color);
        }
        line += cell;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    out += FlakyHeading(h, m) + "\n";
    for (const auto& t : m.task_noise) {
      if (t.flaky) out += "  " + NoiseLine(t) + "\n";
    }
  }
  for (const auto& r : FindRegressions(h)) {
    out +=
        "\n" +
        Paint("regression: " + r.model + " in run " + std::to_string(r.run) +
                  " is significantly worse than " + r.reference + " run " +
                  std::to_string(r.against) + " (" + ChangeText(r.paired) + ")",
              Color::kRed, color) +
        "\n";
  }
  return out;
}

std::string RenderHistoryMarkdown(const History& h) {
  std::string out =
      "# History of " + MarkdownCell(h.db) + "\n\n" +
      std::to_string(h.runs.size()) + " run(s)" +
      (h.baseline_run > 0 ? ", baseline run " + std::to_string(h.baseline_run)
                          : std::string()) +
      ".\n";
  for (const auto& m : h.models) {
    out += "\n## " + MarkdownCell(m.name) + "\n\n|";
    for (const auto& c : kPointHeader) out += " " + c + " |";
    out += "\n|";
    for (size_t i = 0; i < kPointHeader.size(); ++i) {
      out += i >= 2 && i != 4 && i != 5 && i != 8 ? "---:|" : "---|";
    }
    out += "\n";
    for (const auto& r : PointRows(h, m)) {
      out += "|";
      for (const auto& c : r) out += " " + MarkdownCell(c) + " |";
      out += "\n";
    }
    out += "\n" + FlakyHeading(h, m) + "\n";
    for (const auto& t : m.task_noise) {
      if (t.flaky) out += "\n- " + MarkdownCell(NoiseLine(t));
    }
    out += "\n";
  }
  for (const auto& r : FindRegressions(h)) {
    out += "\n**regression**: " + MarkdownCell(r.model) + " in run " +
           std::to_string(r.run) + " is significantly worse than " +
           r.reference + " run " + std::to_string(r.against) + " (" +
           ChangeText(r.paired) + ")\n";
  }
  return out;
}

std::string RenderHistoryCsv(const History& h) {
  std::string out =
      "model,run,started_at,labels,note,passed,graded,errored,"
      "completion_rate,ci_low,ci_high,previous_run,previous_difference,"
      "previous_p,previous_verdict,baseline_run,baseline_difference,"
      "baseline_p,baseline_verdict,decode_tok_s,ttft_ms,toolcall_valid,"
      "flipped_tasks\n";
  auto cmp = [](const std::optional<Comparison>& c, int64_t run) {
    if (!c) return std::string(",,,");
    return std::to_string(run) + "," + util::Fixed(c->mean_difference, 4) +
           "," + util::Fixed(c->p_value, 4) + "," + c->verdict;
  };
  for (const auto& m : h.models) {
    for (const auto& p : m.points) {
      const HistoryRun& run = h.runs[p.run];
      const RateEstimate& r = p.stats.rate;
      std::string flips;
      for (const auto& f : p.flips) {
        flips +=
            (flips.empty() ? "" : " ") + f.task + ":" + f.from + "->" + f.to;
      }
      out += CsvField(m.name) + "," + std::to_string(run.id) + "," +
             run.started_at + "," + CsvField(results::LabelsText(run.labels)) +
             "," + CsvField(run.note) + "," + std::to_string(p.stats.passed) +
             "," + std::to_string(p.stats.graded) + "," +
             std::to_string(p.stats.errored) + "," +
             (r.attempts > 0 ? util::Fixed(r.rate, 4) : "") + "," +
             (r.interval ? util::Fixed(r.interval->low, 4) + "," +
                               util::Fixed(r.interval->high, 4)
                         : ",") +
             "," + cmp(p.vs_previous, p.previous_run) + "," +
             cmp(p.vs_baseline, h.baseline_run) + "," +
             (p.probes.decode_tok_s ? util::Fixed(*p.probes.decode_tok_s, 2)
                                    : "") +
             "," + (p.probes.ttft_ms ? util::Fixed(*p.probes.ttft_ms, 2) : "") +
             "," +
             (p.probes.toolcall_valid ? util::Fixed(*p.probes.toolcall_valid, 4)
                                      : "") +
             "," + CsvField(flips) + "\n";
    }
  }
  return out;
}

json HistoryJson(const History& h) {
  json runs = json::array();
  for (const auto& r : h.runs) {
    runs.push_back({{"id", r.id},
                    {"started_at", r.started_at},
                    {"status", r.status},
                    {"kind", r.kind},
                    {"labels", r.labels},
                    {"note", r.note}});
  }
  json models = json::array();
  for (const auto& m : h.models) {
    json points = json::array();
    for (const auto& p : m.points) {
      const RateEstimate& r = p.stats.rate;
      json flips = json::array();
      for (const auto& f : p.flips) {
        flips.push_back({{"task", f.task}, {"from", f.from}, {"to", f.to}});
      }
      points.push_back(
          {{"run", h.runs[p.run].id},
           {"passed", p.stats.passed},
           {"failed", p.stats.failed},
           {"graded", p.stats.graded},
           {"errored", p.stats.errored},
           {"unfinished", p.stats.unfinished},
           {"tasks_graded", r.tasks},
           {"completion_rate", r.attempts > 0 ? json(r.rate) : json(nullptr)},
           {"completion_interval", r.interval ? json{{"low", r.interval->low},
                                                     {"high", r.interval->high},
                                                     {"method", r.method}}
                                              : json(nullptr)},
           {"vs_previous", ComparisonJson(p.vs_previous, p.previous_run)},
           {"vs_baseline", ComparisonJson(p.vs_baseline, h.baseline_run)},
           {"flips", flips},
           {"probes",
            {{"decode_tok_s", OptJson(p.probes.decode_tok_s)},
             {"ttft_ms", OptJson(p.probes.ttft_ms)},
             {"toolcall_valid", OptJson(p.probes.toolcall_valid)}}}});
    }
    json tasks = json::array();
    for (const auto& t : m.task_noise) {
      tasks.push_back({{"task", t.task},
                       {"runs", t.runs},
                       {"flips", t.flips},
                       {"flip_rate", t.flip_rate},
                       {"mixed_runs", t.mixed_runs},
                       {"pattern", t.pattern},
                       {"flaky", t.flaky}});
    }
    models.push_back({{"name", m.name},
                      {"points", points},
                      {"configuration_runs", m.noise_runs},
                      {"tasks", tasks}});
  }
  json regressions = json::array();
  for (const auto& r : FindRegressions(h)) {
    regressions.push_back({{"model", r.model},
                           {"run", r.run},
                           {"against", r.against},
                           {"reference", r.reference},
                           {"mean_difference", r.paired.mean_difference},
                           {"p_value", r.paired.p_value}});
  }
  return {{"db", h.db},
          {"baseline_run",
           h.baseline_run > 0 ? json(h.baseline_run) : json(nullptr)},
          {"skipped_runs", h.skipped_runs},
          {"flaky_rule",
           {{"min_runs", h.options.flaky_min_runs},
            {"threshold", h.options.flaky_threshold}}},
          {"runs", runs},
          {"models", models},
          {"regressions", regressions}};
}

}  // namespace endstate::report
