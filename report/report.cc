#include "report/report.h"

#include <string>

namespace endstate::report {

nlohmann::json ReportJson(int64_t run_id,
                          const std::vector<results::ModelSummary>& models,
                          const std::vector<results::TaskCell>& tasks) {
  nlohmann::json out = {{"run", run_id},
                        {"models", nlohmann::json::array()},
                        {"tasks", nlohmann::json::array()}};
  for (const results::ModelSummary& m : models) {
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
  for (const results::TaskCell& t : tasks) {
    out["tasks"].push_back({{"task", t.task},
                            {"model", t.model},
                            {"passed", t.passed},
                            {"failed", t.failed},
                            {"errored", t.errored}});
  }
  return out;
}

}  // namespace endstate::report
