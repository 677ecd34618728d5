#include "results/report.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace endstate::results {
namespace {

constexpr size_t kColumns = 9;
using Row = std::array<std::string, kColumns>;

std::string Fixed1(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

int InvalidCalls(const ModelSummary& m) {
  int n = 0;
  for (const auto& [kind, count] : m.tool_call_errors) n += count;
  return n;
}

Row Cells(const ModelSummary& m) {
  bool graded = m.passed + m.failed > 0;
  return {m.name,
          std::to_string(m.attempts),
          std::to_string(m.passed),
          std::to_string(m.failed),
          std::to_string(m.errored),
          graded ? Fixed1(m.completion_rate * 100) + "%" : "-",
          Fixed1(m.mean_turns),
          std::to_string(m.prompt_tokens + m.completion_tokens),
          std::to_string(InvalidCalls(m))};
}

}  // namespace

std::string RenderTable(const std::vector<ModelSummary>& models) {
  std::vector<Row> rows = {{"model", "attempts", "passed", "failed", "errors",
                            "rate", "turns", "tokens", "invalid calls"}};
  int unfinished = 0;
  for (const ModelSummary& m : models) {
    rows.push_back(Cells(m));
    unfinished += m.unfinished;
  }
  std::array<size_t, kColumns> width{};
  for (const Row& row : rows) {
    for (size_t c = 0; c < kColumns; ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  std::string out;
  for (const Row& row : rows) {
    for (size_t c = 0; c < kColumns; ++c) {
      std::string pad(width[c] - row[c].size(), ' ');
      if (c == 0) {
        out += row[c] + pad;  // text: left-aligned
      } else {
        out += "  " + pad + row[c];  // numbers: right-aligned
      }
    }
    out += '\n';
  }
  if (unfinished > 0) {
    out += std::to_string(unfinished) +
           (unfinished == 1 ? " attempt" : " attempts") +
           " unfinished (still running or interrupted)\n";
  }
  return out;
}

nlohmann::json ReportJson(int64_t run_id,
                          const std::vector<ModelSummary>& models,
                          const std::vector<Store::TaskCell>& tasks) {
  nlohmann::json out = {{"run", run_id},
                        {"models", nlohmann::json::array()},
                        {"tasks", nlohmann::json::array()}};
  for (const ModelSummary& m : models) {
    nlohmann::json errors = nlohmann::json::object();
    for (const auto& [kind, count] : m.tool_call_errors) errors[kind] = count;
    out["models"].push_back(
        {{"name", m.name},
         {"attempts", m.attempts},
         {"passed", m.passed},
         {"failed", m.failed},
         {"errored", m.errored},
         {"unfinished", m.unfinished},
         {"completion_rate", m.passed + m.failed > 0
                                 ? nlohmann::json(m.completion_rate)
                                 : nlohmann::json(nullptr)},
         {"mean_turns", m.mean_turns},
         {"prompt_tokens", m.prompt_tokens},
         {"completion_tokens", m.completion_tokens},
         {"tool_calls", m.tool_calls},
         {"tool_call_errors", errors}});
  }
  for (const Store::TaskCell& t : tasks) {
    out["tasks"].push_back({{"task", t.task},
                            {"model", t.model},
                            {"passed", t.passed},
                            {"failed", t.failed},
                            {"errored", t.errored}});
  }
  return out;
}

}  // namespace endstate::results
