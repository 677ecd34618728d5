#include "report/history_html.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <map>

#include "report/history_formats.h"
#include "report/html_escape.h"
#include "report/stats_text.h"
#include "results/run_meta.h"
#include "util/files.h"
#include "util/format.h"

namespace endstate::report {
namespace {

constexpr const char* kPalette[] = {"#2563eb", "#dc2626", "#16a34a", "#9333ea",
                                    "#ea580c", "#0891b2", "#be185d", "#4d7c0f"};
constexpr double kW = 900, kH = 260, kLeft = 48, kRight = 16, kTop = 12,
                 kBottom = 28;

constexpr char kCss[] = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2937;background:#f8fafc}
header{padding:16px 24px;background:#0f172a;color:#f8fafc}
header h1{margin:0;font-size:20px} .muted{color:#94a3b8;font-weight:normal}
header a{color:#93c5fd}
main{padding:8px 24px 40px} h2{font-size:17px;margin:26px 0 8px}
h3{font-size:15px;margin:18px 0 6px}
section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:4px 16px 14px;margin:14px 0}
table{border-collapse:collapse} td,th{padding:3px 8px;border-bottom:1px solid #f1f5f9;text-align:left;vertical-align:top}
th{font-weight:600;color:#475569} .num{text-align:right}
.legend span{display:inline-block;margin-right:16px} .sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.heat td.c{width:14px;min-width:14px;height:16px;padding:0;border:1px solid #fff;text-align:center;font-size:10px}
.heat th.t{white-space:nowrap;font-weight:normal} .heat th.r{font-size:10px;writing-mode:vertical-rl;transform:rotate(180deg);padding:2px 0}
.heat-wrap{overflow-x:auto;max-width:100%} .empty{background:#f1f5f9}
.flaky{background:#fef3c7;border-radius:3px;padding:0 4px;font-size:11px;color:#92400e;margin-left:6px}
.worse{color:#b91c1c;font-weight:600} .better{color:#15803d;font-weight:600}
.note{color:#64748b;font-size:12px} svg text{font-size:11px;fill:#64748b}
tr.hidden{display:none} .reg{color:#b91c1c;font-weight:600}
)css";

constexpr char kJs[] = R"js(
document.querySelectorAll('.flaky-only').forEach(function(box){
  var table=document.getElementById(box.dataset.table);
  var rows=table.querySelectorAll('tbody tr');
  var n=table.querySelectorAll('tbody tr.is-flaky').length;
  document.getElementById(box.dataset.count).textContent='('+n+' flaky of '+rows.length+')';
  box.addEventListener('change',function(){
    rows.forEach(function(r){
      r.classList.toggle('hidden',box.checked&&!r.classList.contains('is-flaky'));
    });
  });
});
)js";

std::string F(double v, int digits = 1) { return util::Fixed(v, digits); }

std::string SeriesColor(size_t i) { return kPalette[i % std::size(kPalette)]; }

// Background of a heatmap cell: red (0% passed) through amber to green.
std::string HeatColor(double fraction) {
  return "hsl(" + F(fraction * 120, 0) + ",70%," +
         F(88 - 6 * (1 - std::abs(fraction - 0.5) * 2), 0) + "%)";
}

std::string RunLink(int64_t id) {
  return "<a href=\"" + RunReportFileName(id) + "\">" + std::to_string(id) +
         "</a>";
}

double X(size_t i, size_t n) {
  return n <= 1 ? kLeft + (kW - kLeft - kRight) / 2
                : kLeft + (kW - kLeft - kRight) * static_cast<double>(i) /
                              static_cast<double>(n - 1);
}

// A line chart over the runs: one series per model; `value` gives the
// point (and, for rates, the band) of a model at a run, or false.
struct Sample {
  double v = 0, low = 0, high = 0;
  bool band = false;
  std::string tip{};
};
using SampleFn =
    std::function<bool(const ModelHistory&, const HistoryPoint&, Sample*)>;

void Chart(const History& h, double max_value, const std::string& unit,
           const std::string& id, const SampleFn& sample, std::string& o) {
  const size_t n = h.runs.size();
  auto y = [&](double v) {
    return kTop +
           (kH - kTop - kBottom) * (1 - std::clamp(v / max_value, 0.0, 1.0));
  };
  o += "<svg id=\"" + id + "\" viewBox=\"0 0 " + F(kW, 0) + " " + F(kH, 0) +
       "\" width=\"100%\" role=\"img\">";
  for (int k = 0; k <= 4; ++k) {
    const double v = max_value * k / 4;
    o += "<line x1=\"" + F(kLeft) + "\" x2=\"" + F(kW - kRight) + "\" y1=\"" +
         F(y(v)) + "\" y2=\"" + F(y(v)) + "\" stroke=\"#e2e8f0\"/>";
    o += "<text x=\"" + F(kLeft - 6) + "\" y=\"" + F(y(v) + 4) +
         "\" text-anchor=\"end\">" + F(v, unit == "%" ? 0 : 1) + unit +
         "</text>";
  }
  const size_t step = std::max<size_t>(1, n / 12);
  for (size_t i = 0; i < n; i += step) {
    o += "<text x=\"" + F(X(i, n)) + "\" y=\"" + F(kH - 8) +
         "\" text-anchor=\"middle\">" + std::to_string(h.runs[i].id) +
         "</text>";
  }
  for (size_t m = 0; m < h.models.size(); ++m) {
    const ModelHistory& mh = h.models[m];
    std::string line, upper, lower, dots;
    for (const auto& p : mh.points) {
      Sample s;
      if (!sample(mh, p, &s)) continue;
      const double x = X(static_cast<size_t>(p.run), n);
      line += F(x) + "," + F(y(s.v)) + " ";
      if (s.band) {
        upper += F(x) + "," + F(y(s.high)) + " ";
        lower = F(x) + "," + F(y(s.low)) + " " + lower;
      }
      dots += "<circle cx=\"" + F(x) + "\" cy=\"" + F(y(s.v)) +
              "\" r=\"3\" fill=\"" + SeriesColor(m) + "\"><title>" +
              EscapeHtml(mh.name + " · run " +
                         std::to_string(h.runs[p.run].id) + " · " + s.tip) +
              "</title></circle>";
    }
    if (!upper.empty()) {
      o += "<polygon class=\"band\" points=\"" + upper + lower + "\" fill=\"" +
           SeriesColor(m) + "\" fill-opacity=\"0.15\"/>";
    }
    if (!line.empty()) {
      o += "<polyline points=\"" + line + "\" fill=\"none\" stroke=\"" +
           SeriesColor(m) + "\" stroke-width=\"2\"/>" + dots;
    }
  }
  o += "</svg>\n";
}

void Legend(const History& h, std::string& o) {
  o += "<div class=\"legend\">";
  for (size_t m = 0; m < h.models.size(); ++m) {
    o += "<span><i class=\"sw\" style=\"background:" + SeriesColor(m) +
         "\"></i>" + EscapeHtml(h.models[m].name) + "</span>";
  }
  o += "</div>\n";
}

std::string ChangeCell(const std::optional<Comparison>& c) {
  if (!c) return "<td>–</td>";
  const std::string cls = c->verdict == "worse"    ? " class=\"worse\""
                          : c->verdict == "better" ? " class=\"better\""
                                                   : "";
  return "<td" + cls + ">" + EscapeHtml(ChangeText(c)) + "</td>";
}

void RenderRuns(const History& h, std::string& o) {
  o += "<section id=\"runs\"><h2>Runs</h2><div class=\"heat-wrap\"><table>"
       "<thead><tr><th>run</th><th>started (UTC)</th><th>labels</th>"
       "<th>note</th>";
  for (const auto& m : h.models) o += "<th>" + EscapeHtml(m.name) + "</th>";
  o += "</tr></thead><tbody>\n";
  // Newest first: the night one opens the page for.
  for (size_t r = h.runs.size(); r-- > 0;) {
    const HistoryRun& run = h.runs[r];
    o += "<tr><td>" + RunLink(run.id) +
         (run.id == h.baseline_run ? " <span class=\"flaky\">baseline</span>"
                                   : "") +
         "</td><td>" + EscapeHtml(run.started_at) + "</td><td>" +
         EscapeHtml(results::LabelsText(run.labels)) + "</td><td>" +
         EscapeHtml(run.note) + "</td>";
    for (const auto& m : h.models) {
      auto it = std::find_if(m.points.begin(), m.points.end(),
                             [&](const HistoryPoint& p) {
                               return static_cast<size_t>(p.run) == r;
                             });
      if (it == m.points.end()) {
        o += "<td>–</td>";
        continue;
      }
      const Comparison* c = it->vs_baseline   ? &*it->vs_baseline
                            : it->vs_previous ? &*it->vs_previous
                                              : nullptr;
      const std::string cls = c && c->verdict == "worse"    ? "worse"
                              : c && c->verdict == "better" ? "better"
                                                            : "";
      o += "<td" + (cls.empty() ? "" : " class=\"" + cls + "\"") + ">" +
           EscapeHtml(RateText(it->stats.rate)) + "</td>";
    }
    o += "</tr>\n";
  }
  o += "</tbody></table></div><p class=\"note\">Rates in red are "
       "significantly worse than the baseline (or, without one, the previous "
       "run), in green better (paired per-task test, docs/statistics.md). "
       "Run ids link to each run's own report.</p></section>\n";
}

void RenderModel(const History& h, size_t mi, std::string& o) {
  const ModelHistory& m = h.models[mi];
  const std::string id = "heat-" + std::to_string(mi);
  o += "<section class=\"model\"><h2>" + EscapeHtml(m.name) + "</h2>\n";
  o += "<table class=\"points\"><thead><tr><th>run</th><th>completion "
       "[95% CI]</th><th>passed</th><th>vs previous</th><th>vs baseline</th>"
       "<th>flipped tasks</th></tr></thead><tbody>\n";
  for (size_t k = m.points.size(); k-- > 0;) {
    const HistoryPoint& p = m.points[k];
    std::string flips;
    for (const auto& f : p.flips) {
      flips += (flips.empty() ? "" : ", ") + f.task + " " + f.from + "→" + f.to;
    }
    o += "<tr><td>" + RunLink(h.runs[p.run].id) + "</td><td>" +
         EscapeHtml(RateText(p.stats.rate)) + "</td><td class=\"num\">" +
         std::to_string(p.stats.passed) + "/" + std::to_string(p.stats.graded) +
         "</td>" + ChangeCell(p.vs_previous) + ChangeCell(p.vs_baseline) +
         "<td>" + EscapeHtml(flips.empty() ? "–" : flips) + "</td></tr>\n";
  }
  o += "</tbody></table>\n";
  // The heatmap: tasks x the newest kMaxHeatmapRuns runs of the model.
  const size_t first =
      m.points.size() > kMaxHeatmapRuns ? m.points.size() - kMaxHeatmapRuns : 0;
  std::map<std::string, const FlakyTask*> noise;
  for (const auto& t : m.task_noise) noise[t.task] = &t;
  o += "<h3>Tasks × runs <span id=\"" + id +
       "-count\" class=\"note\"></span> <label class=\"note\"><input "
       "type=\"checkbox\" class=\"flaky-only\" data-table=\"" +
       id + "\" data-count=\"" + id +
       "-count\"> flaky only</label></h3>\n<div class=\"heat-wrap\"><table "
       "class=\"heat\" id=\"" +
       id + "\"><thead><tr><th></th>";
  for (size_t k = first; k < m.points.size(); ++k) {
    o += "<th class=\"r\">" + RunLink(h.runs[m.points[k].run].id) + "</th>";
  }
  o += "</tr></thead><tbody>\n";
  for (const std::string& task : m.tasks) {
    auto nz = noise.find(task);
    const bool flaky = nz != noise.end() && nz->second->flaky;
    o += std::string("<tr") + (flaky ? " class=\"is-flaky\"" : "") +
         "><th class=\"t\">" + EscapeHtml(task) +
         (flaky ? "<span class=\"flaky\">flaky " + F(nz->second->flip_rate, 2) +
                      "</span>"
                : "") +
         "</th>";
    for (size_t k = first; k < m.points.size(); ++k) {
      const HistoryPoint& p = m.points[k];
      auto it = std::find(p.task_ids.begin(), p.task_ids.end(), task);
      const TaskTally* t = it == p.task_ids.end()
                               ? nullptr
                               : &p.stats.per_task[it - p.task_ids.begin()];
      if (!t || t->graded == 0) {
        o += "<td class=\"c empty\"></td>";
        continue;
      }
      const double f = static_cast<double>(t->passed) / t->graded;
      o += "<td class=\"c\" style=\"background:" + HeatColor(f) +
           "\" title=\"" +
           EscapeHtml(task + " · run " + std::to_string(h.runs[p.run].id) +
                      ": " + std::to_string(t->passed) + " of " +
                      std::to_string(t->graded) + " passed") +
           "\"></td>";
    }
    o += "</tr>\n";
  }
  o += "</tbody></table></div>\n";
  if (first > 0) {
    o += "<p class=\"note\">The heatmap shows the newest " +
         std::to_string(kMaxHeatmapRuns) + " of " +
         std::to_string(m.points.size()) +
         " runs (use --last or --since for older ones).</p>\n";
  }
  o += "<p class=\"note\">Flaky: over the " + std::to_string(m.noise_runs) +
       " run(s) of this model's newest configuration, a task whose verdict "
       "changed at least twice and in at least " +
       F(h.options.flaky_threshold * 100, 0) +
       "% of consecutive runs, or whose epochs disagreed as often (at least "
       "twice); at least " +
       std::to_string(h.options.flaky_min_runs) +
       " runs (docs/history.md).</p></section>\n";
}

}  // namespace

std::string RunReportFileName(int64_t run) {
  return "run-" + std::to_string(run) + ".html";
}

std::string RenderHistoryHtml(const History& h) {
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, "
       "initial-scale=1\"><title>endstate · history</title>\n<style>" +
       std::string(kCss) +
       "</style></head>\n<body>\n<header><h1>endstate "
       "<span class=\"muted\">history of " +
       EscapeHtml(h.db) + "</span></h1><div>" + std::to_string(h.runs.size()) +
       " run(s)" +
       (h.baseline_run > 0 ? " · baseline run " + RunLink(h.baseline_run)
                           : std::string()) +
       "</div></header>\n<main>\n";
  for (const auto& r : FindRegressions(h)) {
    o += "<p class=\"reg\">regression: " + EscapeHtml(r.model) + " in run " +
         RunLink(r.run) + " is significantly worse than " + r.reference +
         " run " + RunLink(r.against) + " (" +
         EscapeHtml(ChangeText(r.paired)) + ")</p>\n";
  }
  o += "<section id=\"rates\"><h2>Completion rate over runs</h2>\n";
  Legend(h, o);
  Chart(
      h, 100, "%", "rate-chart",
      [](const ModelHistory&, const HistoryPoint& p, Sample* s) {
        const RateEstimate& r = p.stats.rate;
        if (r.attempts == 0) return false;
        s->v = r.rate * 100;
        if (r.interval) {
          s->band = true;
          s->low = r.interval->low * 100;
          s->high = r.interval->high * 100;
        }
        s->tip = RateText(r);
        return true;
      },
      o);
  o += "<p class=\"note\">Lines: completion rate (passed / graded, newest try "
       "of each slot); bands: its 95% task-clustered interval "
       "(docs/statistics.md). X axis: run ids, oldest left.</p></section>\n";
  double max_tok = 0, max_ttft = 0;
  for (const auto& m : h.models) {
    for (const auto& p : m.points) {
      max_tok = std::max(max_tok, p.probes.decode_tok_s.value_or(0));
      max_ttft = std::max(max_ttft, p.probes.ttft_ms.value_or(0));
    }
  }
  if (max_tok > 0 || max_ttft > 0) {
    o += "<section id=\"probes\"><h2>Probe trends</h2>\n";
    Legend(h, o);
    if (max_tok > 0) {
      o += "<h3>Decode tokens/s (median, speed probe)</h3>";
      Chart(
          h, max_tok * 1.1, "", "tok-chart",
          [](const ModelHistory&, const HistoryPoint& p, Sample* s) {
            if (!p.probes.decode_tok_s) return false;
            s->v = *p.probes.decode_tok_s;
            s->tip = F(s->v) + " tok/s";
            return true;
          },
          o);
    }
    if (max_ttft > 0) {
      o += "<h3>Time to first token, ms (median, speed probe)</h3>";
      Chart(
          h, max_ttft * 1.1, "", "ttft-chart",
          [](const ModelHistory&, const HistoryPoint& p, Sample* s) {
            if (!p.probes.ttft_ms) return false;
            s->v = *p.probes.ttft_ms;
            s->tip = F(s->v, 0) + " ms";
            return true;
          },
          o);
    }
    o += "</section>\n";
  }
  RenderRuns(h, o);
  for (size_t m = 0; m < h.models.size(); ++m) RenderModel(h, m, o);
  o += "</main>\n<script>" + std::string(kJs) + "</script>\n</body></html>\n";
  return o;
}

bool WriteHistoryHtml(const History& h, const std::string& out_path,
                      std::string* err) {
  return util::WriteFileAtomic(out_path, RenderHistoryHtml(h), err);
}

}  // namespace endstate::report
