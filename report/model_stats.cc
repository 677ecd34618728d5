#include "report/model_stats.h"

#include <map>
#include <tuple>

namespace endstate::report {

double ModelStats::InvalidPer100(const std::string& kind) const {
  if (tool_calls == 0) return 0;
  int n = 0;
  for (const auto& [k, count] : invalid_calls) {
    if (kind.empty() || k == kind) n += count;
  }
  return 100.0 * n / tool_calls;
}

std::map<std::string, int> TerminationCounts(
    const std::map<results::Termination, int>& counts) {
  std::map<std::string, int> out;
  for (const auto& [t, n] : counts) {
    out[t == results::Termination::kNone
            ? "unknown"
            : std::string(results::TerminationName(t))] += n;
  }
  return out;
}

std::map<std::tuple<int, int, int>, const results::AttemptData*> NewestTries(
    const results::RunData& data) {
  std::map<std::tuple<int, int, int>, const results::AttemptData*> newest;
  for (const results::AttemptData& a : data.attempts) {
    const results::AttemptData*& slot = newest[{a.model, a.task, a.epoch}];
    if (!slot || a.try_number > slot->try_number) slot = &a;
  }
  return newest;
}

std::vector<ModelStats> ComputeModelStats(const results::RunData& data) {
  std::vector<ModelStats> out(data.models.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].name = data.models[i];
    out[i].per_task.resize(data.tasks.size());
  }
  const auto newest = NewestTries(data);
  for (const results::AttemptData& a : data.attempts)
    ++out[a.model].earlier_tries;
  for (const auto& [key, a] : newest) {
    ModelStats& m = out[a->model];
    --m.earlier_tries;
    ++m.attempts;
    if (!a->finished) ++m.unfinished;
    if (a->finished && a->outcome == results::Outcome::kError) {
      ++m.errored;
      ++m.error_terminations[a->termination];
    }
  }
  std::vector<double> turns(out.size()), tokens(out.size()), wall(out.size());
  for (const auto& [key, a] : newest) {
    if (!a->finished || a->outcome == results::Outcome::kError) continue;
    ModelStats& m = out[a->model];
    const bool passed = a->outcome == results::Outcome::kPassed;
    ++m.graded;
    passed ? ++m.passed : ++m.failed;
    TaskTally& t = m.per_task[a->task];
    ++t.graded;
    if (passed) ++t.passed;
    ++m.terminations[a->termination];
    m.truncated_turns += a->truncated_turns;
    if (a->truncated_turns > 0) ++m.truncated_attempts;
    m.reasoning_tokens += a->reasoning_tokens;
    m.tool_calls += a->tool_calls;
    for (const auto& [kind, n] : a->invalid_calls) m.invalid_calls[kind] += n;
    turns[a->model] += a->turns;
    tokens[a->model] +=
        static_cast<double>(a->prompt_tokens + a->completion_tokens);
    wall[a->model] += a->wall_ms / 1000;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    ModelStats& m = out[i];
    m.rate = EstimateRate(m.per_task);
    m.pass_at_k = PassAtK(m.per_task, data.max_epochs);
    m.pass_hat_k = PassHatK(m.per_task, data.max_epochs);
    if (m.graded > 0) {
      m.cost.turns_per_attempt = turns[i] / m.graded;
      m.cost.tokens_per_attempt = tokens[i] / m.graded;
      m.cost.wall_s_per_attempt = wall[i] / m.graded;
    }
    if (m.passed > 0) {
      m.cost.turns_per_pass = turns[i] / m.passed;
      m.cost.tokens_per_pass = tokens[i] / m.passed;
      m.cost.wall_s_per_pass = wall[i] / m.passed;
    }
  }
  return out;
}

}  // namespace endstate::report
