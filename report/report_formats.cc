#include "report/report_formats.h"

#include <algorithm>
#include <map>

#include "report/failed_checks.h"
#include "report/stats_text.h"
#include "util/format.h"

namespace endstate::report {
namespace {

// An aligned table, two spaces between columns: the first column (and every
// column unless `numbers_right`) left-aligned, the others right-aligned; no
// trailing spaces. `paint(row, col, padded)` may color a cell after padding,
// so colors never disturb the alignment.
template <class Paint>
std::string Align(const std::vector<std::vector<std::string>>& rows,
                  bool numbers_right, Paint paint) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& cell = rows[r][c];
      std::string pad(width[c] - cell.size(), ' ');
      const bool last = c + 1 == rows[r].size();
      if (c > 0) line += "  ";
      if (c == 0 || !numbers_right) {
        line += paint(r, c, last ? cell : cell + pad);
      } else {
        line += paint(r, c, pad + cell);
      }
    }
    out += line + '\n';
  }
  return out;
}

std::string Plain(size_t, size_t, const std::string& s) { return s; }

size_t Size(int width) { return static_cast<size_t>(width); }

size_t WidestLine(const std::string& text) {
  size_t widest = 0, start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    widest = std::max(widest, nl - start);
  }
  return std::max(widest, text.size() - start);
}

// Two-column rows whose line (first column padded, two spaces, second
// column) would reach `width`: the second cell is broken after ", " into
// continuation rows with an empty first cell. A part with no ", " to break
// at stays whole.
std::vector<std::vector<std::string>> WrapSecondColumn(
    const std::vector<std::vector<std::string>>& rows, size_t width) {
  size_t first = 0;
  for (const auto& row : rows) first = std::max(first, row[0].size());
  const size_t room = width > first + 3 ? width - first - 3 : 1;
  std::vector<std::vector<std::string>> out;
  for (const auto& row : rows) {
    std::string rest = row[1];
    std::string head = row[0];
    while (rest.size() > room) {
      size_t cut = rest.rfind(", ", room - 1);
      if (cut == std::string::npos || cut == 0) break;
      out.push_back({head, rest.substr(0, cut + 1)});
      head = "";
      rest = "  " + rest.substr(cut + 2);
    }
    out.push_back({head, rest});
  }
  return out;
}

std::string Join(const std::map<results::Termination, int>& counts) {
  std::string s;
  for (const auto& [k, n] : TerminationCounts(counts)) {
    s += (s.empty() ? "" : ", ") + k + " " + std::to_string(n);
  }
  return s;
}

// "3 in 2 attempts" / "none": replies cut at the per-turn token cap.
std::string TruncatedText(const ModelStats& m) {
  if (m.truncated_turns == 0) return "none";
  return std::to_string(m.truncated_turns) + " in " +
         std::to_string(m.truncated_attempts) +
         (m.truncated_attempts == 1 ? " attempt" : " attempts");
}

std::string InvalidText(const ModelStats& m) {
  std::string s;
  for (const auto& [kind, n] : m.invalid_calls) {
    s += (s.empty() ? "" : ", ") + kind + " " +
         util::Fixed(m.InvalidPer100(kind), 1);
  }
  return s.empty() ? "none" : s;
}

std::string CostPerPass(const ModelStats& m) {
  if (!m.cost.turns_per_pass) return "- (nothing passed)";
  return util::Fixed(*m.cost.turns_per_pass, 1) + " turns, " +
         util::Fixed(*m.cost.tokens_per_pass, 0) + " tokens, " +
         util::Fixed(*m.cost.wall_s_per_pass, 1) + " s";
}

Color RateColor(const ModelStats& m) {
  if (m.rate.rate >= 0.8) return Color::kGreen;
  if (m.rate.rate >= 0.5) return Color::kYellow;
  return Color::kRed;
}

std::string Ms(double v) { return util::Fixed(v, 3); }

nlohmann::json PassKJson(const std::vector<PassK>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const PassK& p : v) {
    out.push_back({{"k", p.k}, {"value", p.value}, {"tasks", p.tasks}});
  }
  return out;
}

nlohmann::json Optional(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::string RenderStatsTable(const results::RunData& data,
                             const std::vector<ModelStats>& stats, bool color,
                             int width) {
  const int k = data.max_epochs;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"model",  "attempts", "passed",
                                   "failed", "errors",   "rate [95% CI]"};
  if (k > 1) {
    head.push_back("pass@" + std::to_string(k));
    head.push_back("pass^" + std::to_string(k));
  }
  for (const char* h : {"turns", "tokens", "invalid/100"}) head.push_back(h);
  rows.push_back(head);
  int unfinished = 0;
  for (const ModelStats& m : stats) {
    std::vector<std::string> row = {m.name,
                                    std::to_string(m.attempts),
                                    std::to_string(m.passed),
                                    std::to_string(m.failed),
                                    std::to_string(m.errored),
                                    RateText(m.rate)};
    if (k > 1) {
      const bool any = !m.pass_at_k.empty() && m.pass_at_k.back().tasks > 0;
      row.push_back(any ? util::Percent(m.pass_at_k.back().value) : "-");
      row.push_back(any ? util::Percent(m.pass_hat_k.back().value) : "-");
    }
    row.push_back(util::Fixed(m.cost.turns_per_attempt, 1));
    row.push_back(util::Fixed(m.cost.tokens_per_attempt, 0));
    row.push_back(util::Fixed(m.InvalidPer100(), 1));
    rows.push_back(row);
    unfinished += m.unfinished;
  }
  // `columns` of `rows` (indices into the full row), aligned and painted.
  auto table = [&](const std::vector<size_t>& columns) {
    std::vector<std::vector<std::string>> part;
    for (const auto& row : rows) {
      part.emplace_back();
      for (size_t c : columns) part.back().push_back(row[c]);
    }
    return Align(part, true, [&](size_t r, size_t i, const std::string& cell) {
      const size_t c = columns[i];
      if (r == 0) return Paint(cell, Color::kBold, color);
      const ModelStats& m = stats[r - 1];
      if (c == 5 && m.rate.attempts > 0) {
        return Paint(cell, RateColor(m), color);
      }
      if (c == 4 && m.errored > 0) return Paint(cell, Color::kRed, color);
      return cell;
    });
  };
  std::vector<size_t> all(head.size());
  for (size_t c = 0; c < all.size(); ++c) all[c] = c;
  std::string out = table(all);
  if (width > 0 && WidestLine(Align(rows, true, Plain)) >= Size(width)) {
    std::vector<size_t> rest = {0};
    for (size_t c = 6; c < head.size(); ++c) rest.push_back(c);
    out = table({0, 1, 2, 3, 4, 5}) + "\n" + table(rest);
  }
  if (unfinished > 0) {
    out += Paint(std::to_string(unfinished) +
                     (unfinished == 1 ? " attempt" : " attempts") +
                     " unfinished (still running or interrupted)",
                 Color::kYellow, color) +
           '\n';
  }
  if (stats.empty()) return out;

  std::vector<std::vector<std::string>> modes;
  for (const ModelStats& m : stats) {
    modes.push_back(
        {"  " + m.name,
         "terminations: " + (m.terminations.empty() ? std::string("none graded")
                                                    : Join(m.terminations))});
    modes.push_back({"", "invalid calls per 100: " + InvalidText(m) + " (of " +
                             std::to_string(m.tool_calls) + " calls)"});
    modes.push_back({"", "replies cut at max_tokens: " + TruncatedText(m) +
                             "; reasoning tokens " +
                             std::to_string(m.reasoning_tokens)});
  }
  if (width > 0) modes = WrapSecondColumn(modes, Size(width));
  out += "\n" + Paint("failure modes (graded attempts)", Color::kBold, color) +
         "\n" + Align(modes, false, Plain);
  out += "\n" + RenderFailedChecksTable(data, FailedCheckBreakdown(data), stats,
                                        color, width);
  std::vector<std::vector<std::string>> errors;
  for (const ModelStats& m : stats) {
    if (m.errored == 0) continue;
    errors.push_back({"  " + m.name, std::to_string(m.errored) + ": " +
                                         Join(m.error_terminations)});
  }
  if (!errors.empty()) {
    out += "\n" +
           Paint("infrastructure errors (kept out of every rate)", Color::kRed,
                 color) +
           "\n" + Align(errors, false, Plain);
  }
  std::vector<std::vector<std::string>> cost;
  for (const ModelStats& m : stats) {
    cost.push_back({"  " + m.name, CostPerPass(m)});
  }
  out += "\n" +
         Paint("cost per completed task (failed attempts included)",
               Color::kBold, color) +
         "\n" + Align(cost, false, Plain);
  return out;
}

void AddStatisticsJson(const results::RunData& data,
                       const std::vector<ModelStats>& stats,
                       nlohmann::json* report) {
  (*report)["epochs"] = data.max_epochs;
  (*report)["failed_checks"] =
      FailedChecksJson(data, FailedCheckBreakdown(data), stats);
  for (auto& jm : (*report)["models"]) {
    auto it = std::find_if(stats.begin(), stats.end(),
                           [&](const auto& s) { return s.name == jm["name"]; });
    if (it == stats.end()) continue;
    const ModelStats& m = *it;
    jm["graded"] = m.graded;
    jm["tasks_graded"] = m.rate.tasks;
    jm["completion_interval"] =
        m.rate.interval ? nlohmann::json{{"low", m.rate.interval->low},
                                         {"high", m.rate.interval->high},
                                         {"method", m.rate.method}}
                        : nlohmann::json(nullptr);
    jm["standard_error"] = m.rate.standard_error;
    jm["pass_at_k"] = PassKJson(m.pass_at_k);
    jm["pass_hat_k"] = PassKJson(m.pass_hat_k);
    jm["terminations"] = TerminationCounts(m.terminations);
    jm["error_terminations"] = TerminationCounts(m.error_terminations);
    jm["truncated_turns"] = m.truncated_turns;
    jm["truncated_attempts"] = m.truncated_attempts;
    jm["reasoning_tokens"] = m.reasoning_tokens;
    jm["tool_calls_graded"] = m.tool_calls;
    nlohmann::json invalid = {{"all", m.InvalidPer100()}};
    for (const auto& [kind, n] : m.invalid_calls) {
      invalid[kind] = m.InvalidPer100(kind);
    }
    jm["invalid_calls_per_100"] = invalid;
    jm["cost"] = {{"turns_per_attempt", m.cost.turns_per_attempt},
                  {"tokens_per_attempt", m.cost.tokens_per_attempt},
                  {"wall_s_per_attempt", m.cost.wall_s_per_attempt},
                  {"turns_per_pass", Optional(m.cost.turns_per_pass)},
                  {"tokens_per_pass", Optional(m.cost.tokens_per_pass)},
                  {"wall_s_per_pass", Optional(m.cost.wall_s_per_pass)}};
  }
}

std::string RenderCsv(const results::RunData& data,
                      const std::vector<ModelStats>& stats) {
  std::string out =
      "run,model,attempts,graded,passed,failed,errored,unfinished,"
      "completion_rate,ci_low,ci_high,ci_method,standard_error,tasks_graded";
  for (int k = 1; k <= data.max_epochs; ++k) {
    out += ",pass_at_" + std::to_string(k);
  }
  for (int k = 1; k <= data.max_epochs; ++k) {
    out += ",pass_hat_" + std::to_string(k);
  }
  out +=
      ",turns_per_attempt,tokens_per_attempt,wall_s_per_attempt,"
      "turns_per_pass,tokens_per_pass,wall_s_per_pass,tool_calls,"
      "invalid_per_100,invalid_json_per_100,unknown_tool_per_100,"
      "schema_violation_per_100,leaked_markup_per_100,truncated_turns,"
      "truncated_attempts,reasoning_tokens,context_exhausted,empty_reply,"
      "refusal,failed_checks\r\n";
  const std::vector<CheckFailures> breakdown = FailedCheckBreakdown(data);
  auto opt = [](const std::optional<double>& v) {
    return v ? util::Fixed(*v, 6) : std::string();
  };
  for (const ModelStats& m : stats) {
    const bool graded = m.graded > 0;
    std::string row =
        std::to_string(data.run_id) + "," + CsvField(m.name) + "," +
        std::to_string(m.attempts) + "," + std::to_string(m.graded) + "," +
        std::to_string(m.passed) + "," + std::to_string(m.failed) + "," +
        std::to_string(m.errored) + "," + std::to_string(m.unfinished) + "," +
        (graded ? util::Fixed(m.rate.rate, 6) : "") + ",";
    row += m.rate.interval ? util::Fixed(m.rate.interval->low, 6) + "," +
                                 util::Fixed(m.rate.interval->high, 6)
                           : ",";
    row += "," + m.rate.method + "," + util::Fixed(m.rate.standard_error, 6) +
           "," + std::to_string(m.rate.tasks);
    for (const PassK& p : m.pass_at_k) {
      row += "," + (p.tasks > 0 ? util::Fixed(p.value, 6) : "");
    }
    for (const PassK& p : m.pass_hat_k) {
      row += "," + (p.tasks > 0 ? util::Fixed(p.value, 6) : "");
    }
    row += "," + util::Fixed(m.cost.turns_per_attempt, 6) + "," +
           util::Fixed(m.cost.tokens_per_attempt, 6) + "," +
           util::Fixed(m.cost.wall_s_per_attempt, 6) + "," +
           opt(m.cost.turns_per_pass) + "," + opt(m.cost.tokens_per_pass) +
           "," + opt(m.cost.wall_s_per_pass) + "," +
           std::to_string(m.tool_calls) + "," +
           util::Fixed(m.InvalidPer100(), 6);
    for (const char* kind : {"invalid_json", "unknown_tool", "schema_violation",
                             "leaked_markup"}) {
      row += "," + util::Fixed(m.InvalidPer100(kind), 6);
    }
    auto count = [&](results::Termination t) {
      auto it = m.terminations.find(t);
      return std::to_string(it == m.terminations.end() ? 0 : it->second);
    };
    row += "," + std::to_string(m.truncated_turns) + "," +
           std::to_string(m.truncated_attempts) + "," +
           std::to_string(m.reasoning_tokens) + "," +
           count(results::Termination::kContextExhausted) + "," +
           count(results::Termination::kEmptyReply) + "," +
           count(results::Termination::kRefusal) + "," +
           CsvField(FailedChecksCsvField(data, breakdown, stats,
                                         static_cast<size_t>(&m - &stats[0])));
    out += row + "\r\n";
  }
  return out;
}

std::string RenderMarkdown(const results::RunData& data,
                           const std::vector<ModelStats>& stats) {
  const int k = data.max_epochs;
  std::string out = "## endstate run " + std::to_string(data.run_id) + "\n\n";
  out += "| model | attempts | passed | failed | errors | rate [95% CI] |";
  std::string rule = "|---|---:|---:|---:|---:|---:|";
  if (k > 1) {
    out += " pass@" + std::to_string(k) + " | pass^" + std::to_string(k) + " |";
    rule += "---:|---:|";
  }
  out += " turns | tokens | invalid/100 |\n" + rule + "---:|---:|---:|\n";
  for (const ModelStats& m : stats) {
    out += "| " + MarkdownCell(m.name) + " | " + std::to_string(m.attempts) +
           " | " + std::to_string(m.passed) + " | " + std::to_string(m.failed) +
           " | " + std::to_string(m.errored) + " | " + RateText(m.rate) + " |";
    if (k > 1) {
      const bool any = !m.pass_at_k.empty() && m.pass_at_k.back().tasks > 0;
      out += " " + (any ? util::Percent(m.pass_at_k.back().value) : "-") +
             " | " + (any ? util::Percent(m.pass_hat_k.back().value) : "-") +
             " |";
    }
    out += " " + util::Fixed(m.cost.turns_per_attempt, 1) + " | " +
           util::Fixed(m.cost.tokens_per_attempt, 0) + " | " +
           util::Fixed(m.InvalidPer100(), 1) + " |\n";
  }
  out +=
      "\n### Failure modes\n\n| model | terminations (graded) | invalid calls "
      "per 100 | replies cut at max_tokens | infrastructure errors | cost per "
      "completed task |\n"
      "|---|---|---|---|---|---|\n";
  for (const ModelStats& m : stats) {
    out += "| " + MarkdownCell(m.name) + " | " +
           (m.terminations.empty() ? "none graded" : Join(m.terminations)) +
           " | " + InvalidText(m) + " (of " + std::to_string(m.tool_calls) +
           " calls) | " + TruncatedText(m) + " | " +
           (m.errored == 0 ? std::string("0")
                           : std::to_string(m.errored) + ": " +
                                 Join(m.error_terminations)) +
           " | " + CostPerPass(m) + " |\n";
  }
  out += "\n### Passes per task (passed/graded)\n\n| task |";
  std::string task_rule = "|---|";
  for (const ModelStats& m : stats) {
    out += " " + MarkdownCell(m.name) + " |";
    task_rule += "---:|";
  }
  out += "\n" + task_rule + "\n";
  for (size_t t = 0; t < data.tasks.size(); ++t) {
    out += "| " + MarkdownCell(data.tasks[t].id) + " |";
    for (const ModelStats& m : stats) {
      const TaskTally& tally = m.per_task[t];
      out += " " +
             (tally.graded == 0 ? std::string("-")
                                : std::to_string(tally.passed) + "/" +
                                      std::to_string(tally.graded)) +
             " |";
    }
    out += "\n";
  }
  return out +
         RenderFailedChecksMarkdown(data, FailedCheckBreakdown(data), stats);
}

std::string RenderJUnit(const results::RunData& data,
                        const std::vector<ModelStats>& stats) {
  // Attempts by (model, task), in attempt order.
  std::map<std::pair<int, int>, std::vector<const results::AttemptData*>> cells;
  for (const results::AttemptData& a : data.attempts) {
    cells[{a.model, a.task}].push_back(&a);
  }
  struct Case {
    std::string kind;  // "", "failure", "error"
    std::string message, text;
    double seconds = 0;
  };
  std::string suites;
  int all_tests = 0, all_failures = 0, all_errors = 0;
  double all_seconds = 0;
  for (size_t mi = 0; mi < data.models.size(); ++mi) {
    std::vector<Case> cases(data.tasks.size());
    int failures = 0, errors = 0;
    double seconds = 0;
    for (size_t ti = 0; ti < data.tasks.size(); ++ti) {
      Case& c = cases[ti];
      const auto it = cells.find({static_cast<int>(mi), static_cast<int>(ti)});
      // The newest try per epoch counts; older tries are listed too.
      std::map<int, const results::AttemptData*> newest;
      if (it != cells.end()) {
        for (const results::AttemptData* a : it->second) {
          const results::AttemptData*& slot = newest[a->epoch];
          if (!slot || a->try_number > slot->try_number) slot = a;
          c.seconds += a->wall_ms / 1000;
          c.text += "epoch " + std::to_string(util::Ordinal(a->epoch)) +
                    " try " + std::to_string(a->try_number) + ": " +
                    (a->finished ? std::string(results::OutcomeName(a->outcome))
                                 : std::string("unfinished"));
          if (a->termination != results::Termination::kNone) {
            c.text += " (" +
                      std::string(results::TerminationName(a->termination)) +
                      ")";
          }
          if (a->truncated_turns > 0) {
            c.text += " [" + std::to_string(a->truncated_turns) +
                      " replies cut at max_tokens]";
          }
          if (!a->error.empty()) c.text += " - " + a->error;
          if (a->finished && a->outcome == results::Outcome::kFailed) {
            // Why it failed: its first failed check (name: detail), else
            // the termination that ended it.
            const results::FailedCheck* first =
                a->failed_checks.empty() ? nullptr : &a->failed_checks[0];
            c.text += " - " +
                      results::WhyNotPassed(
                          "failed",
                          std::string(results::TerminationName(a->termination)),
                          first);
            if (first && !first->detail.empty()) c.text += ": " + first->detail;
          }
          c.text += "\n";
        }
      }
      int passed = 0, failed = 0, broken = 0;
      for (const auto& [epoch, a] : newest) {
        if (a->finished && a->outcome == results::Outcome::kPassed) {
          ++passed;
        } else if (a->finished && a->outcome == results::Outcome::kFailed) {
          ++failed;
        } else {
          ++broken;  // error or unfinished
        }
      }
      const int counted = passed + failed + broken;
      if (failed > 0) {
        c.kind = "failure";
        c.message = std::to_string(failed) + " of " +
                    std::to_string(passed + failed) + " graded attempts failed";
        ++failures;
      } else if (broken > 0 || counted == 0) {
        c.kind = "error";
        c.message = counted == 0 ? "no attempt"
                                 : std::to_string(broken) + " of " +
                                       std::to_string(counted) +
                                       " attempts did not finish with a grade";
        ++errors;
      } else {
        c.message = std::to_string(passed) + " of " + std::to_string(passed) +
                    " attempts passed";
      }
      seconds += c.seconds;
    }
    const std::string model = XmlEscape(data.models[mi]);
    suites += "  <testsuite name=\"" + model + "\" tests=\"" +
              std::to_string(data.tasks.size()) + "\" failures=\"" +
              std::to_string(failures) + "\" errors=\"" +
              std::to_string(errors) + "\" skipped=\"0\" time=\"" +
              Ms(seconds) + "\">\n";
    if (mi < stats.size()) {
      suites +=
          "    <properties>\n      <property name=\"completion_rate\" "
          "value=\"" +
          XmlEscape(RateText(stats[mi].rate)) + "\"/>\n    </properties>\n";
    }
    for (size_t ti = 0; ti < data.tasks.size(); ++ti) {
      const Case& c = cases[ti];
      suites += "    <testcase classname=\"" + model + "\" name=\"" +
                XmlEscape(data.tasks[ti].id) + "\" time=\"" + Ms(c.seconds) +
                "\"";
      if (c.kind.empty()) {
        suites += ">\n      <system-out>" +
                  XmlEscape(c.message + "\n" + c.text) +
                  "</system-out>\n    </testcase>\n";
      } else {
        suites += ">\n      <" + c.kind + " message=\"" + XmlEscape(c.message) +
                  "\" type=\"" + (c.kind == "failure" ? "failed" : "error") +
                  "\">" + XmlEscape(c.text) + "</" + c.kind +
                  ">\n    </testcase>\n";
      }
    }
    suites += "  </testsuite>\n";
    all_tests += static_cast<int>(data.tasks.size());
    all_failures += failures;
    all_errors += errors;
    all_seconds += seconds;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<testsuites name=\"endstate run " +
         std::to_string(data.run_id) + "\" tests=\"" +
         std::to_string(all_tests) + "\" failures=\"" +
         std::to_string(all_failures) + "\" errors=\"" +
         std::to_string(all_errors) + "\" time=\"" + Ms(all_seconds) + "\">\n" +
         suites + "</testsuites>\n";
}

}  // namespace endstate::report
