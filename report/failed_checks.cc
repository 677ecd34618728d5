#include "report/failed_checks.h"

#include <climits>
#include <map>
#include <tuple>

#include "report/stats_text.h"

namespace endstate::report {

std::vector<CheckFailures> FailedCheckBreakdown(const results::RunData& data) {
  // (task, check order, label) -> row; terminations sort after every check.
  std::map<std::tuple<int, int, std::string>, CheckFailures> rows;
  auto count = [&](int task, int order, const std::string& label, int model) {
    CheckFailures& row = rows[{task, order, label}];
    if (row.failed.empty()) {
      row.task = task;
      row.check = label;
      row.failed.assign(data.models.size(), 0);
    }
    ++row.failed[model];
  };
  for (const auto& [slot, a] : NewestTries(data)) {
    if (!a->finished || a->outcome != results::Outcome::kFailed) continue;
    if (a->failed_checks.empty()) {
      count(a->task, INT_MAX,
            results::WhyNotPassed(
                "failed", std::string(results::TerminationName(a->termination)),
                nullptr),
            a->model);
    }
    for (const results::FailedCheck& c : a->failed_checks) {
      count(a->task, c.index, c.Label(), a->model);
    }
  }
  std::vector<CheckFailures> out;
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  return out;
}

std::string FailedOfGraded(const CheckFailures& row,
                           const std::vector<ModelStats>& stats, size_t m) {
  const int graded = stats[m].per_task[row.task].graded;
  if (graded == 0) return "-";
  return std::to_string(row.failed[m]) + "/" + std::to_string(graded);
}

std::string RenderFailedChecksTable(const results::RunData& data,
                                    const std::vector<CheckFailures>& rows,
                                    const std::vector<ModelStats>& stats,
                                    bool color, int width) {
  std::string out =
      Paint("failed checks (failed / graded attempts)", Color::kBold, color) +
      "\n";
  if (rows.empty()) return out + "  none\n";
  std::vector<std::vector<std::string>> cells = {{"  task", "check"}};
  for (const ModelStats& m : stats) cells[0].push_back(m.name);
  for (const CheckFailures& row : rows) {
    std::vector<std::string> line = {"  " + data.tasks[row.task].id, row.check};
    for (size_t m = 0; m < stats.size(); ++m) {
      line.push_back(FailedOfGraded(row, stats, m));
    }
    cells.push_back(std::move(line));
  }
  // Left-aligned text columns, right-aligned counts; no trailing spaces.
  std::vector<size_t> col(cells[0].size(), 0);
  for (const auto& line : cells) {
    for (size_t c = 0; c < line.size(); ++c) {
      col[c] = std::max(col[c], line[c].size());
    }
  }
  size_t total = 2 * (col.size() - 1);
  for (size_t w : col) total += w;
  constexpr size_t kMinCheck = 16;
  if (width > 0 && total >= static_cast<size_t>(width) && col[1] > kMinCheck) {
    const size_t over = total - static_cast<size_t>(width) + 1;
    col[1] = std::max(kMinCheck, col[1] > over ? col[1] - over : 0);
    for (size_t r = 1; r < cells.size(); ++r) {
      std::string& check = cells[r][1];
      if (check.size() <= col[1]) continue;
      size_t cut = col[1] - 3;  // never inside a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(check[cut]) & 0xC0) == 0x80)
        --cut;
      check = check.substr(0, cut) + "...";
    }
  }
  for (const auto& line : cells) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c) {
      const std::string pad(col[c] - line[c].size(), ' ');
      if (c > 0) text += "  ";
      if (c < 2) {
        text += c + 1 == line.size() ? line[c] : line[c] + pad;
      } else {
        text += pad + line[c];
      }
    }
    out += text + "\n";
  }
  return out;
}

std::string RenderFailedChecksMarkdown(const results::RunData& data,
                                       const std::vector<CheckFailures>& rows,
                                       const std::vector<ModelStats>& stats) {
  std::string out = "\n### Failed checks (failed/graded attempts)\n\n";
  if (rows.empty()) return out + "none.\n";
  out += "| task | check |";
  std::string rule = "|---|---|";
  for (const ModelStats& m : stats) {
    out += " " + MarkdownCell(m.name) + " |";
    rule += "---:|";
  }
  out += "\n" + rule + "\n";
  for (const CheckFailures& row : rows) {
    out += "| " + MarkdownCell(data.tasks[row.task].id) + " | " +
           MarkdownCell(row.check) + " |";
    for (size_t m = 0; m < stats.size(); ++m) {
      out += " " + FailedOfGraded(row, stats, m) + " |";
    }
    out += "\n";
  }
  return out;
}

nlohmann::json FailedChecksJson(const results::RunData& data,
                                const std::vector<CheckFailures>& rows,
                                const std::vector<ModelStats>& stats) {
  nlohmann::json out = nlohmann::json::array();
  for (const CheckFailures& row : rows) {
    nlohmann::json failed = nlohmann::json::object();
    nlohmann::json graded = nlohmann::json::object();
    for (size_t m = 0; m < stats.size(); ++m) {
      failed[stats[m].name] = row.failed[m];
      graded[stats[m].name] = stats[m].per_task[row.task].graded;
    }
    out.push_back({{"task", data.tasks[row.task].id},
                   {"check", row.check},
                   {"failed", failed},
                   {"graded", graded}});
  }
  return out;
}

std::string FailedChecksCsvField(const results::RunData& data,
                                 const std::vector<CheckFailures>& rows,
                                 const std::vector<ModelStats>& stats,
                                 size_t m) {
  std::string out;
  for (const CheckFailures& row : rows) {
    if (row.failed[m] == 0) continue;
    out += (out.empty() ? "" : "; ") + data.tasks[row.task].id + ": " +
           row.check + " " + FailedOfGraded(row, stats, m);
  }
  return out;
}

}  // namespace endstate::report
