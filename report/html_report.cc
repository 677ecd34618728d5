#include "report/html_report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "report/html_assets.h"
#include "report/html_data.h"
#include "report/html_escape.h"
#include "report/server_text.h"
#include "report/stats_text.h"
#include "results/display_name.h"
#include "results/server_data.h"
#include "util/format.h"

namespace endstate::report {
namespace {

// The short name the page shows for model `name` (results/display_name.h);
// the full one stays in the rates table's tooltip and in the record.
std::string ShownName(const HtmlData& d, const std::string& name) {
  std::vector<std::string> names;
  for (const HtmlModel& m : d.models) names.push_back(m.name);
  const auto shown = results::DisplayModelNameMap(names);
  auto it = shown.find(name);
  return it == shown.end() ? name : it->second;
}

using nlohmann::json;

// Background of a heatmap cell: red (0% passed) through amber to green.
std::string HeatColor(double fraction) {
  return "hsl(" + util::Fixed(fraction * 120, 0) + ", 70%, " +
         util::Fixed(88 - 6 * (1 - std::abs(fraction - 0.5) * 2), 0) + "%)";
}

std::string Labels(const HtmlModel& m) {
  std::string out = m.provider;
  if (!m.model_id.empty() && m.model_id != m.provider)
    out += " · " + m.model_id;
  json labels = json::parse(m.labels_json, nullptr, false);
  if (labels.is_object()) {
    for (const auto& [k, v] : labels.items()) {
      out +=
          " · " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  return out;
}

void RenderHeader(const HtmlData& d, std::string& o) {
  o += "<header class=\"top\"><h1>endstate <span class=\"muted\">run " +
       std::to_string(d.run_id) + "</span></h1>\n<div class=\"meta\">" +
       (d.status == "finished" ? "" : "still running or interrupted · ") +
       "started " + EscapeHtml(d.started_at);
  if (!d.finished_at.empty()) o += " · finished " + EscapeHtml(d.finished_at);
  o += " · host " + EscapeHtml(d.host) + " · endstate " +
       EscapeHtml(d.version) + "</div>\n<div class=\"meta\"><code>" +
       EscapeHtml(d.args) + "</code></div>";
  if (!d.labels.empty()) {
    o += "<div class=\"meta\">labels " + EscapeHtml(d.labels) + "</div>";
  }
  if (!d.note.empty()) {
    o += "<div class=\"meta note\">" + EscapeHtml(d.note) + "</div>";
  }
  o += "</header>\n";
}

// The interval's method, for people (hover text).
std::string MethodText(const RateEstimate& r) {
  if (r.method == "t") {
    return "task-clustered: rate ± t(0.975, tasks − 1) × SE";
  }
  if (r.method == "clopper_pearson") {
    return "exact binomial (Clopper–Pearson) over tasks: every graded "
           "attempt had the same outcome";
  }
  return "no interval (too few graded tasks)";
}

// A number cell; `col` names the column for tools (and the browser test).
std::string NumCell(const std::string& col, const std::string& text) {
  return "<td class=\"num\" data-col=\"" + col + "\">" + text + "</td>";
}

void RenderRates(const HtmlData& d, std::string& o) {
  o += "<section id=\"rates\"><h2>Completion rate</h2>\n"
       "<div class=\"table-wrap\"><table class=\"models\"><thead><tr>"
       "<th>model</th>"
       "<th>completion rate, 95% interval</th>"
       "<th class=\"num\">attempts</th><th class=\"num\">passed</th>"
       "<th class=\"num\">failed</th><th class=\"num\">errors</th>"
       "<th class=\"num\">unfinished</th><th class=\"num\">turns</th>"
       "<th class=\"num\">tokens</th><th class=\"num\">invalid/100</th>"
       "</tr></thead><tbody>\n";
  for (size_t i = 0; i < d.models.size(); ++i) {
    const HtmlModel& m = d.models[i];
    const ModelStats& s = m.stats;
    const RateEstimate& r = s.rate;
    // The full name as a tooltip where the page shows a shorter one.
    const std::string shown = ShownName(d, m.name);
    const std::string title =
        shown == m.name ? "" : " title=\"" + EscapeHtml(m.name) + "\"";
    o += "<tr data-model=\"" + std::to_string(i) + "\"><td class=\"name\"" +
         title + ">" + EscapeHtml(shown) + "<div class=\"sub\">" +
         EscapeHtml(Labels(m)) + "</div></td><td class=\"rate\" " +
         "data-col=\"rate\">";
    if (r.attempts == 0) {
      o += "<div class=\"rateline\"><span class=\"pct\">–</span>"
           "<span class=\"ci\">nothing graded</span></div>";
    } else if (!r.interval) {
      o += "<div class=\"rateline\"><span class=\"pct\">" +
           util::Percent(r.rate) +
           "</span><span class=\"ci\">no interval</span></div>"
           "<div class=\"bar\"><div class=\"fill\" style=\"width:" +
           util::Fixed(r.rate * 100, 2) + "%\"></div></div>";
    } else {
      const Interval& ci = *r.interval;
      o += "<div class=\"rateline\"><span class=\"pct\">" +
           util::Percent(r.rate) + "</span><span class=\"ci\" title=\"" +
           EscapeHtml(MethodText(r)) + "\">" + IntervalText(ci) +
           "</span></div>" + "<div class=\"bar\" title=\"" +
           util::Percent(r.rate) + " (95% interval " + util::Percent(ci.low) +
           " to " + util::Percent(ci.high) +
           ")\"><div class=\"fill\" style=\"width:" +
           util::Fixed(r.rate * 100, 2) +
           "%\"></div><div class=\"whisker\" style=\"left:" +
           util::Fixed(ci.low * 100, 2) +
           "%;width:" + util::Fixed((ci.high - ci.low) * 100, 2) +
           "%\"></div></div>";
    }
    // The table's columns, definitions and rounding (report_formats.cc).
    o += "</td>" + NumCell("attempts", std::to_string(s.attempts)) +
         NumCell("passed", std::to_string(s.passed)) +
         NumCell("failed", std::to_string(s.failed)) +
         NumCell("errors", std::to_string(s.errored)) +
         NumCell("unfinished", std::to_string(s.unfinished)) +
         NumCell("turns", util::Fixed(s.cost.turns_per_attempt, 1)) +
         NumCell("tokens", util::Fixed(s.cost.tokens_per_attempt, 0)) +
         NumCell("invalid", util::Fixed(s.InvalidPer100(), 1)) + "</tr>\n";
  }
  o += "</tbody></table></div>\n<p class=\"note\">Completion rate = passed / "
       "(passed + failed), counting the latest try of each task and epoch. "
       "Errors (infrastructure) and unfinished attempts are shown but kept "
       "out of the denominator. Intervals are 95% with the task as the "
       "cluster (docs/statistics.md); hover one for its method. Turns and "
       "tokens are means per graded attempt; invalid/100 is invalid tool "
       "calls per 100 calls of the graded attempts: the numbers of "
       "<code>endstate report</code>. Click a model to list its "
       "attempts.</p></section>\n";
}

// "; failed: check (2), termination: max_turns (1)" for task `t` and model
// `m` (the heatmap tooltip), "" when none failed.
std::string FailedChecksNote(const HtmlData& d, size_t t, size_t m) {
  std::string out;
  for (const CheckFailures& row : d.failed_checks) {
    if (row.task != static_cast<int>(t) || row.failed[m] == 0) continue;
    out += (out.empty() ? "; failed: " : ", ") + row.check + " (" +
           std::to_string(row.failed[m]) + ")";
  }
  return out;
}

void RenderHeatmap(const HtmlData& d, std::string& o) {
  o += "<section id=\"heatmap\"><h2>Tasks × models</h2>\n"
       "<div class=\"heat-wrap\"><table class=\"heat\"><thead><tr>"
       "<th>task</th>";
  for (const HtmlModel& m : d.models) {
    o += "<th>" + EscapeHtml(ShownName(d, m.name)) + "</th>";
  }
  o += "</tr></thead><tbody>\n";
  std::map<std::pair<std::string, std::string>, const results::TaskCell*> cells;
  for (const results::TaskCell& c : d.cells) cells[{c.task, c.model}] = &c;
  for (size_t t = 0; t < d.tasks.size(); ++t) {
    const HtmlTask& task = d.tasks[t];
    o += "<tr><th class=\"task\">" + EscapeHtml(task.id) +
         "<div class=\"sub\">" + EscapeHtml(task.title) + "</div></th>";
    for (size_t m = 0; m < d.models.size(); ++m) {
      auto it = cells.find({task.id, d.models[m].name});
      std::string where = "data-model=\"" + std::to_string(m) +
                          "\" data-task=\"" + std::to_string(t) + "\"";
      if (it == cells.end()) {
        o += "<td class=\"cell empty\" " + where + ">–</td>";
        continue;
      }
      const results::TaskCell& c = *it->second;
      int graded = c.passed + c.failed;
      if (graded == 0) {
        o += "<td class=\"cell empty\" " + where + ">–";
      } else {
        double f = static_cast<double>(c.passed) / graded;
        o += "<td class=\"cell\" " + where +
             " style=\"background:" + HeatColor(f) + "\" title=\"" +
             EscapeHtml(std::to_string(c.passed) + " of " +
                        std::to_string(graded) + " graded attempts passed" +
                        FailedChecksNote(d, t, m)) +
             "\">" + std::to_string(c.passed) + "/" + std::to_string(graded);
      }
      if (c.errored > 0) {
        o += "<span class=\"err-note\">+" + std::to_string(c.errored) +
             " error" + (c.errored == 1 ? "" : "s") + "</span>";
      }
      o += "</td>";
    }
    o += "</tr>\n";
  }
  o +=
      "</tbody></table></div>\n<div class=\"legend\">pass fraction "
      "(passed / graded epochs): <span><span class=\"sw\" style=\"background:" +
      HeatColor(0) +
      "\"></span>0%</span><span><span class=\"sw\" "
      "style=\"background:" +
      HeatColor(0.5) +
      "\"></span>50%</span>"
      "<span><span class=\"sw\" style=\"background:" +
      HeatColor(1) +
      "\"></span>100%</span><span>click a cell to list its attempts"
      "</span></div></section>\n";
}

// One table: rows are `keys`, columns the models, cells from `value`.
template <class Value>
void RenderModeTable(const HtmlData& d, const std::string& first_column,
                     const std::vector<std::string>& keys, Value value,
                     std::string& o) {
  o += "<table class=\"modes\"><thead><tr><th>" + EscapeHtml(first_column) +
       "</th>";
  for (const HtmlModel& m : d.models) {
    o += "<th class=\"num\">" + EscapeHtml(ShownName(d, m.name)) + "</th>";
  }
  o += "</tr></thead><tbody>\n";
  for (const std::string& key : keys) {
    o += "<tr><td>" + EscapeHtml(key) + "</td>";
    for (const HtmlModel& m : d.models) {
      auto [count, text] = value(m, key);
      o += std::string("<td class=\"num") + (count == 0 ? " zero" : "") +
           "\">" + text + "</td>";
    }
    o += "</tr>\n";
  }
  o += "</tbody></table>\n";
}

// Failed checks by task and check: failed / graded attempts per model, as
// in `endstate report` (report/failed_checks.h).
void RenderFailedChecks(const HtmlData& d, std::string& o) {
  o += "<div class=\"wide\"><h3>Failed checks</h3>";
  if (d.failed_checks.empty()) {
    o += "<p>none</p></div>";
    return;
  }
  o += "<table class=\"modes failed-checks\"><thead><tr><th>task</th>"
       "<th>check</th>";
  for (const HtmlModel& m : d.models) {
    o += "<th class=\"num\">" + EscapeHtml(ShownName(d, m.name)) + "</th>";
  }
  o += "</tr></thead><tbody>\n";
  std::vector<ModelStats> stats;
  for (const HtmlModel& m : d.models) stats.push_back(m.stats);
  for (const CheckFailures& row : d.failed_checks) {
    o += "<tr><td>" + EscapeHtml(d.tasks[row.task].id) + "</td><td>" +
         EscapeHtml(row.check) + "</td>";
    for (size_t m = 0; m < d.models.size(); ++m) {
      o += std::string("<td class=\"num") +
           (row.failed[m] == 0 ? " zero" : "") + "\">" +
           FailedOfGraded(row, stats, m) + "</td>";
    }
    o += "</tr>\n";
  }
  o += "</tbody></table><p class=\"note\">Graded attempts that failed each "
       "check, of the graded attempts of the task; a failed attempt without "
       "a failed check counts under its termination.</p></div>";
}

void RenderFailureModes(const HtmlData& d, std::string& o) {
  o += "<section id=\"failures\"><h2>Failure modes</h2><div class=\"cols\">";
  std::set<std::string> reasons;
  for (const HtmlModel& m : d.models) {
    for (const auto& [r, n] : TerminationCounts(m.stats.terminations)) {
      reasons.insert(r);
    }
  }
  o += "<div><h3>Termination reasons</h3>";
  RenderModeTable(
      d, "reason", {reasons.begin(), reasons.end()},
      [](const HtmlModel& m, const std::string& r) {
        const auto counts = TerminationCounts(m.stats.terminations);
        auto it = counts.find(r);
        int n = it == counts.end() ? 0 : it->second;
        return std::pair{n, std::to_string(n)};
      },
      o);
  o += "<p class=\"note\">Graded attempts by why the agent loop "
       "stopped.</p></div>";
  o += "<div><h3>Replies cut at max_tokens</h3>";
  RenderModeTable(
      d, "count", {"replies"},
      [](const HtmlModel& m, const std::string&) {
        return std::pair{m.stats.truncated_turns,
                         std::to_string(m.stats.truncated_turns)};
      },
      o);
  o += "<p class=\"note\">Turns of graded attempts whose reply hit the "
       "per-turn token cap (finish_reason length).</p></div>";

  std::vector<std::string> kinds = {"invalid_json", "unknown_tool",
                                    "schema_violation", "leaked_markup"};
  for (const HtmlModel& m : d.models) {
    for (const auto& [k, n] : m.stats.invalid_calls) {
      if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) {
        kinds.push_back(k);
      }
    }
  }
  o += "<div><h3>Invalid tool calls per 100 calls</h3>";
  RenderModeTable(
      d, "kind", kinds,
      [](const HtmlModel& m, const std::string& k) {
        auto it = m.stats.invalid_calls.find(k);
        int n = it == m.stats.invalid_calls.end() ? 0 : it->second;
        return std::pair{n, util::Fixed(m.stats.InvalidPer100(k), 1) +
                                " <span class=\"sub\">(" + std::to_string(n) +
                                " of " + std::to_string(m.stats.tool_calls) +
                                ")</span>"};
      },
      o);
  o += "<p class=\"note\">Per 100 tool calls of the graded attempts (count "
       "of calls in brackets), as in <code>endstate report</code>.</p></div>";
  RenderFailedChecks(d, o);

  o += "<div><h3>Infrastructure errors</h3>";
  bool any = false;
  for (const HtmlModel& m : d.models) {
    if (m.errors.empty()) continue;
    any = true;
    std::vector<std::pair<int, std::string>> top;
    for (const auto& [text, n] : m.errors) top.push_back({n, text});
    std::sort(top.begin(), top.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    o += "<div><b>" + EscapeHtml(ShownName(d, m.name)) +
         "</b>: " + std::to_string(m.stats.errored) +
         " errored<ul class=\"errors\">";
    for (size_t i = 0; i < top.size() && i < 5; ++i) {
      o += "<li><span class=\"num\">" + std::to_string(top[i].first) +
           "×</span> <code>" +
           EscapeHtml(top[i].second.empty() ? "(no message)" : top[i].second) +
           "</code></li>";
    }
    o += "</ul></div>";
  }
  if (!any) o += "<p>none</p>";
  o += "<p class=\"note\">Not the model's fault: kept out of the completion "
       "rate.</p></div></div></section>\n";
}

void RenderAttempts(const HtmlData& d, std::string& o) {
  o += "<section id=\"attempts\"><h2>Attempts <span id=\"att-count\" "
       "class=\"sub\">(" +
       std::to_string(d.attempts.size()) +
       ")</span></h2>\n<div class=\"filters\"><select id=\"f-model\">"
       "<option value=\"\">all models</option>";
  for (size_t i = 0; i < d.models.size(); ++i) {
    o += "<option value=\"" + std::to_string(i) + "\">" +
         EscapeHtml(ShownName(d, d.models[i].name)) + "</option>";
  }
  o += "</select><select id=\"f-task\"><option value=\"\">all tasks</option>";
  for (size_t i = 0; i < d.tasks.size(); ++i) {
    o += "<option value=\"" + std::to_string(i) + "\">" +
         EscapeHtml(d.tasks[i].id) + "</option>";
  }
  o += "</select><select id=\"f-outcome\"><option value=\"\">all outcomes"
       "</option><option value=\"passed\">passed</option><option "
       "value=\"failed\">failed</option><option value=\"error\">error"
       "</option><option value=\"notpassed\">failed or error</option>"
       "<option value=\"running\">unfinished</option></select></div>\n"
       "<div class=\"table-wrap\"><table class=\"attempts\"><thead><tr>"
       "<th>attempt</th><th>model</th>"
       "<th>task</th><th>epoch</th><th>outcome</th><th>termination</th>"
       "<th class=\"num\">turns</th><th class=\"num\">tokens</th>"
       "<th class=\"num\">wall</th><th>reason</th></tr></thead>"
       "<tbody id=\"att-body\">"
       "</tbody></table></div><button id=\"more\" hidden>show more</button>\n"
       "<noscript><p>The attempt list and transcripts need JavaScript.</p>"
       "</noscript>";
  if (d.omitted_transcripts > 0) {
    o += "<p class=\"note\">" + std::to_string(d.omitted_transcripts) +
         " transcripts are not embedded (report size limit); they are in "
         "the database.</p>";
  }
  o += "</section>\n";
}

void RenderData(const HtmlData& d, std::string& o) {
  json meta = {{"models", json::array()},
               {"tasks", json::array()},
               {"titles", json::array()}};
  for (const HtmlModel& m : d.models) {
    meta["models"].push_back(ShownName(d, m.name));
  }
  for (const HtmlTask& t : d.tasks) {
    meta["tasks"].push_back(t.id);
    meta["titles"].push_back(t.title);
  }
  o += "<script type=\"application/json\" id=\"es-meta\">" +
       JsonForScript(meta) + "</script>\n";
  json rows = json::array();
  for (const HtmlAttempt& a : d.attempts) {
    rows.push_back({a.id, a.model, a.task, util::Ordinal(a.epoch), a.try_number,
                    a.status == "finished" ? a.outcome : "running",
                    a.termination, a.turns, a.tokens,
                    static_cast<int64_t>(a.wall_ms), a.error, a.reason});
  }
  o += "<script type=\"application/json\" id=\"es-attempts\">" +
       JsonForScript(rows) + "</script>\n";
  for (const auto& [id, text] : d.transcripts) {
    o += "<script type=\"application/json\" id=\"t-" + std::to_string(id) +
         "\">" + text + "</script>\n";
  }
}

}  // namespace

std::optional<std::string> RenderHtmlReport(results::RunReader& reader,
                                            int64_t run_id,
                                            const HtmlReportLimits& limits,
                                            std::string* err) {
  auto data = LoadHtmlData(reader, run_id, limits, err);
  if (!data) return std::nullopt;
  const HtmlData& d = *data;
  std::string o;
  size_t transcript_bytes = 0;
  for (const auto& [id, text] : d.transcripts) transcript_bytes += text.size();
  o.reserve(transcript_bytes + d.attempts.size() * 120 + 64 * 1024);
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, "
       "initial-scale=1\"><title>endstate · run " +
       std::to_string(d.run_id) + "</title>\n<style>" + kHtmlReportCss +
       "</style></head>\n<body>\n";
  RenderHeader(d, o);
  o += "<main>\n";
  RenderRates(d, o);
  RenderHeatmap(d, o);
  RenderFailureModes(d, o);
  if (auto servers = results::LoadServers(reader, run_id, err); !servers) {
    return std::nullopt;
  } else {
    o += RenderServerHtml(*servers);  // managed servers (docs/servers.md)
  }
  RenderAttempts(d, o);
  o += "</main>\n<aside id=\"drawer\" hidden><div class=\"drawer-head\">"
       "<h3 id=\"d-title\"></h3><a href=\"#\" id=\"d-close\" "
       "title=\"close (Esc)\">×</a></div><div id=\"d-body\"></div></aside>\n";
  RenderData(d, o);
  o += "<script>" + std::string(kHtmlReportJs) + "</script>\n</body></html>\n";
  return o;
}

bool WriteHtmlReport(results::RunReader& reader, int64_t run_id,
                     const std::string& out_path,
                     const HtmlReportLimits& limits, std::string* err) {
  auto html = RenderHtmlReport(reader, run_id, limits, err);
  if (!html) return false;
  std::string tmp = out_path + ".tmp";
  auto fail = [&](const std::string& path) {
    if (err) *err = "cannot write " + path + ": " + std::strerror(errno);
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return false;
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(out_path);
    out.write(html->data(), static_cast<std::streamsize>(html->size()));
    out.close();
    if (!out) return fail(out_path);
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) return fail(out_path);
  return true;
}

}  // namespace endstate::report
