#include "report/compare.h"

#include <map>

#include "report/failed_checks.h"
#include "report/stats_text.h"

namespace endstate::report {
namespace {

std::string SideLine(const std::string& letter, const CompareSide& s,
                     size_t width) {
  std::string name = s.model + std::string(width - s.model.size(), ' ');
  return letter + "  " + name + "  run " + std::to_string(s.run) + "  " +
         RateText(s.stats.rate) + "  " + std::to_string(s.stats.passed) + "/" +
         std::to_string(s.stats.graded) + " graded attempts passed on " +
         std::to_string(s.stats.rate.tasks) + " tasks" +
         (s.stats.errored > 0
              ? " (" + std::to_string(s.stats.errored) + " errors apart)"
              : "") +
         "\n";
}

std::string DifferenceText(const CompareResult& r) {
  const Comparison& c = r.paired;
  std::string s = "paired difference B - A over " + std::to_string(c.tasks) +
                  " tasks: " + Points(c.mean_difference) + " points";
  if (c.interval) {
    s += " [" + Points(c.interval->low) + ", " + Points(c.interval->high) +
         "] (95% t-interval)";
  }
  return s;
}

std::string DiscordantText(const Comparison& c) {
  return "discordant tasks: B better on " + std::to_string(c.b_better) +
         ", B worse on " + std::to_string(c.b_worse) + ", tied on " +
         std::to_string(c.ties) +
         "; exact sign test p = " + PValueText(c.p_value);
}

std::string NotesText(const CompareResult& r) {
  std::string s;
  if (r.only_a + r.only_b > 0) {
    s += "note: " + std::to_string(r.only_a + r.only_b) +
         " task(s) graded for only one side are not paired\n";
  }
  if (r.changed_tasks > 0) {
    s += "note: " + std::to_string(r.changed_tasks) +
         " paired task(s) changed content between the runs\n";
  }
  return s;
}

// One side's failure modes: terminations of graded attempts, replies cut at
// the per-turn token cap, infrastructure errors.
std::string FailureModes(const ModelStats& m) {
  std::string s;
  for (const auto& [name, n] : TerminationCounts(m.terminations)) {
    s += (s.empty() ? "" : ", ") + name + " " + std::to_string(n);
  }
  s = "terminations " + (s.empty() ? std::string("none graded") : s) +
      "; replies cut at max_tokens " + std::to_string(m.truncated_turns);
  if (m.errored > 0) {
    std::string e;
    for (const auto& [name, n] : TerminationCounts(m.error_terminations)) {
      e += (e.empty() ? "" : ", ") + name + " " + std::to_string(n);
    }
    s += "; errors " + e;
  }
  return s;
}

// (task id, check) -> attempts of `model` that failed it, in breakdown order.
std::vector<std::pair<std::pair<std::string, std::string>, int>> FailedOf(
    const results::RunData& run, int model) {
  std::vector<std::pair<std::pair<std::string, std::string>, int>> out;
  for (const CheckFailures& row : FailedCheckBreakdown(run)) {
    if (row.failed[model] > 0) {
      out.push_back({{run.tasks[row.task].id, row.check}, row.failed[model]});
    }
  }
  return out;
}

// Fills r->b_fails_more and r->a_fails_more over the paired tasks.
void CompareChecks(const results::RunData& run_a, int model_a,
                   const results::RunData& run_b, int model_b,
                   CompareResult* r) {
  std::map<std::string, std::pair<int, int>> graded;  // task -> (A, B)
  for (size_t t = 0; t < run_a.tasks.size(); ++t) {
    graded[run_a.tasks[t].id].first = r->a.stats.per_task[t].graded;
  }
  for (size_t t = 0; t < run_b.tasks.size(); ++t) {
    graded[run_b.tasks[t].id].second = r->b.stats.per_task[t].graded;
  }
  // A's rows first, then B's rows A does not have: the order people read.
  std::vector<std::pair<std::string, std::string>> keys;
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> failed;
  for (const auto& [key, n] : FailedOf(run_a, model_a)) {
    if (!failed.count(key)) keys.push_back(key);
    failed[key].first = n;
  }
  for (const auto& [key, n] : FailedOf(run_b, model_b)) {
    if (!failed.count(key)) keys.push_back(key);
    failed[key].second = n;
  }
  for (const auto& key : keys) {
    const auto [ga, gb] = graded[key.first];
    if (ga == 0 || gb == 0) continue;  // not a paired task
    const auto [fa, fb] = failed[key];
    CheckDifference d{.task = key.first,
                      .check = key.second,
                      .a_failed = fa,
                      .a_graded = ga,
                      .b_failed = fb,
                      .b_graded = gb};
    // Compare the failed fractions fa/ga and fb/gb without rounding.
    if (fb * ga > fa * gb) r->b_fails_more.push_back(d);
    if (fa * gb > fb * ga) r->a_fails_more.push_back(d);
  }
}

// At most this many differences per side in the text formats; JSON has all.
constexpr size_t kMaxCheckLines = 10;

// "  task: check (A 0/3, B 2/3)" per difference (the first kMaxCheckLines,
// then "... and N more"), or " none" on the head line.
std::string ChecksText(const std::string& head,
                       const std::vector<CheckDifference>& diffs,
                       const std::string& bullet) {
  if (diffs.empty()) return head + ": none\n";
  std::string out = head + ":\n";
  for (size_t i = 0; i < diffs.size(); ++i) {
    if (i == kMaxCheckLines) {
      out += bullet + "... and " + std::to_string(diffs.size() - i) +
             " more (--format json lists all)\n";
      break;
    }
    const CheckDifference& d = diffs[i];
    out += bullet + d.task + ": " + d.check + " (A " +
           std::to_string(d.a_failed) + "/" + std::to_string(d.a_graded) +
           ", B " + std::to_string(d.b_failed) + "/" +
           std::to_string(d.b_graded) + ")\n";
  }
  return out;
}

nlohmann::json ChecksJson(const std::vector<CheckDifference>& diffs) {
  nlohmann::json out = nlohmann::json::array();
  for (const CheckDifference& d : diffs) {
    out.push_back({{"task", d.task},
                   {"check", d.check},
                   {"a_failed", d.a_failed},
                   {"a_graded", d.a_graded},
                   {"b_failed", d.b_failed},
                   {"b_graded", d.b_graded}});
  }
  return out;
}

nlohmann::json SideJson(const CompareSide& s) {
  const RateEstimate& r = s.stats.rate;
  return {{"spec", s.spec},
          {"run", s.run},
          {"model", s.model},
          {"passed", s.stats.passed},
          {"graded", s.stats.graded},
          {"errored", s.stats.errored},
          {"terminations", TerminationCounts(s.stats.terminations)},
          {"error_terminations", TerminationCounts(s.stats.error_terminations)},
          {"truncated_turns", s.stats.truncated_turns},
          {"reasoning_tokens", s.stats.reasoning_tokens},
          {"tasks_graded", r.tasks},
          {"completion_rate",
           r.attempts > 0 ? nlohmann::json(r.rate) : nlohmann::json(nullptr)},
          {"completion_interval",
           r.interval ? nlohmann::json{{"low", r.interval->low},
                                       {"high", r.interval->high},
                                       {"method", r.method}}
                      : nlohmann::json(nullptr)}};
}

}  // namespace

CompareResult Compare(const results::RunData& run_a, int model_a,
                      const std::string& spec_a, const results::RunData& run_b,
                      int model_b, const std::string& spec_b) {
  CompareResult r;
  const std::vector<ModelStats> stats_a = ComputeModelStats(run_a);
  const std::vector<ModelStats> stats_b =
      &run_a == &run_b ? stats_a : ComputeModelStats(run_b);
  r.a = {.spec = spec_a,
         .model = run_a.models[model_a],
         .run = run_a.run_id,
         .stats = stats_a[model_a]};
  r.b = {.spec = spec_b,
         .model = run_b.models[model_b],
         .run = run_b.run_id,
         .stats = stats_b[model_b]};
  std::map<std::string, size_t> b_index;
  for (size_t t = 0; t < run_b.tasks.size(); ++t) {
    b_index[run_b.tasks[t].id] = t;
  }
  std::vector<TaskTally> a, b;
  std::map<std::string, bool> seen_in_a;
  for (size_t t = 0; t < run_a.tasks.size(); ++t) {
    const TaskTally& ta = r.a.stats.per_task[t];
    auto it = b_index.find(run_a.tasks[t].id);
    const TaskTally tb =
        it == b_index.end() ? TaskTally{} : r.b.stats.per_task[it->second];
    seen_in_a[run_a.tasks[t].id] = true;
    if (ta.graded > 0 && tb.graded > 0) {
      a.push_back(ta);
      b.push_back(tb);
      if (run_a.tasks[t].content_hash != run_b.tasks[it->second].content_hash) {
        ++r.changed_tasks;
      }
    } else if (ta.graded > 0) {
      ++r.only_a;
    } else if (tb.graded > 0) {
      ++r.only_b;
    }
  }
  for (size_t t = 0; t < run_b.tasks.size(); ++t) {
    if (!seen_in_a.count(run_b.tasks[t].id) && r.b.stats.per_task[t].graded) {
      ++r.only_b;
    }
  }
  r.paired = ComparePaired(a, b);
  CompareChecks(run_a, model_a, run_b, model_b, &r);
  return r;
}

std::string VerdictText(const CompareResult& r) {
  const Comparison& c = r.paired;
  if (c.verdict == "worse") {
    return "worse: B completes significantly fewer tasks than A";
  }
  if (c.verdict == "better") {
    return "better: B completes significantly more tasks than A";
  }
  std::string s = "inconclusive: ";
  if (c.tasks == 0) return s + "no task was graded for both models";
  if (c.mean_difference == 0) {
    return s + "no difference observed on " + std::to_string(c.tasks) +
           " paired tasks";
  }
  s += "the difference is not distinguishable from zero with " +
       std::to_string(c.tasks) +
       " paired tasks (needs the interval off 0 "
       "and p < 0.05)";
  s += "\n  detecting " + Points(c.mean_difference) +
       " points (80% power, alpha 0.05, two-sided) needs ";
  if (c.tasks_needed) {
    s += "about " + std::to_string(*c.tasks_needed) + " tasks";
  } else {
    s += "more than 1,000,000 tasks";
  }
  if (c.epochs_needed) {
    s += ", or about " + std::to_string(*c.epochs_needed) +
         " epochs per task on these " + std::to_string(c.tasks) + " tasks";
  } else if (!c.epochs_note.empty()) {
    s += "; epochs: " + c.epochs_note;
  }
  return s;
}

std::string RenderCompareTable(const CompareResult& r, bool color) {
  const size_t width = std::max(r.a.model.size(), r.b.model.size());
  std::string out = SideLine("A", r.a, width) + SideLine("B", r.b, width);
  out += DifferenceText(r) + "\n";
  out += DiscordantText(r.paired) + "\n";
  const Color c = r.paired.verdict == "worse"    ? Color::kRed
                  : r.paired.verdict == "better" ? Color::kGreen
                                                 : Color::kYellow;
  out += "verdict " + Paint(VerdictText(r), c, color) + "\n";
  out += "failure modes A: " + FailureModes(r.a.stats) + "\n";
  out += "failure modes B: " + FailureModes(r.b.stats) + "\n";
  out += ChecksText("checks B fails more often than A (failed/graded)",
                    r.b_fails_more, "  ");
  out += ChecksText("checks A fails more often than B (failed/graded)",
                    r.a_fails_more, "  ");
  return out + NotesText(r);
}

std::string RenderCompareMarkdown(const CompareResult& r) {
  std::string out =
      "| | model | run | completion rate [95% CI] | passed/graded | tasks |\n"
      "|---|---|---:|---:|---:|---:|\n";
  for (const auto& [letter, s] :
       {std::pair<const char*, const CompareSide*>{"A", &r.a}, {"B", &r.b}}) {
    out += std::string("| ") + letter + " | " + MarkdownCell(s->model) + " | " +
           std::to_string(s->run) + " | " + RateText(s->stats.rate) + " | " +
           std::to_string(s->stats.passed) + "/" +
           std::to_string(s->stats.graded) + " | " +
           std::to_string(s->stats.rate.tasks) + " |\n";
  }
  std::string verdict = VerdictText(r);
  for (char& ch : verdict) {
    if (ch == '\n') ch = ' ';
  }
  out += "\n- " + DifferenceText(r) + "\n- " + DiscordantText(r.paired) +
         "\n- **verdict** " + verdict +
         "\n- failure modes A: " + FailureModes(r.a.stats) +
         "\n- failure modes B: " + FailureModes(r.b.stats) + "\n";
  out += "- " + ChecksText("checks B fails more often than A (failed/graded)",
                           r.b_fails_more, "  - ");
  out += "- " + ChecksText("checks A fails more often than B (failed/graded)",
                           r.a_fails_more, "  - ");
  std::string notes = NotesText(r);
  size_t pos = 0;
  while (pos < notes.size()) {
    size_t nl = notes.find('\n', pos);
    out += "- " + notes.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  return out;
}

nlohmann::json CompareJson(const CompareResult& r) {
  const Comparison& c = r.paired;
  nlohmann::json paired = {
      {"tasks", c.tasks},
      {"rate_a", c.rate_a},
      {"rate_b", c.rate_b},
      {"mean_difference", c.mean_difference},
      {"sd", c.sd},
      {"standard_error", c.standard_error},
      {"interval", c.interval ? nlohmann::json{{"low", c.interval->low},
                                               {"high", c.interval->high}}
                              : nlohmann::json(nullptr)},
      {"b_better", c.b_better},
      {"b_worse", c.b_worse},
      {"ties", c.ties},
      {"p_value", c.p_value}};
  return {{"a", SideJson(r.a)},
          {"b", SideJson(r.b)},
          {"difference", "b_minus_a"},
          {"paired", paired},
          {"verdict", c.verdict},
          {"verdict_text", VerdictText(r)},
          {"tasks_needed", c.tasks_needed ? nlohmann::json(*c.tasks_needed)
                                          : nlohmann::json(nullptr)},
          {"epochs_needed", c.epochs_needed ? nlohmann::json(*c.epochs_needed)
                                            : nlohmann::json(nullptr)},
          {"note", c.epochs_note},
          {"only_a", r.only_a},
          {"only_b", r.only_b},
          {"changed_tasks", r.changed_tasks},
          {"checks",
           {{"b_fails_more", ChecksJson(r.b_fails_more)},
            {"a_fails_more", ChecksJson(r.a_fails_more)}}}};
}

}  // namespace endstate::report
