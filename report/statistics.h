// The statistics every report and comparison uses (docs/statistics.md gives
// each formula). Pure functions on per-task tallies: no I/O, no database.
// Distributions come from Boost.Math (Student's t, binomial, non-central t).
//
// Conventions: rates are fractions in [0, 1]; "graded" attempts are those
// that ended `passed` or `failed` (infrastructure errors are never in a
// denominator); intervals are two-sided 95%.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace endstate::report {

// One model on one task: passes among graded attempts (over epochs).
struct TaskTally {
  int passed = 0;
  int graded = 0;  // passed + failed
};

struct Interval {
  double low = 0, high = 0;
};

// Completion rate with a task-clustered 95% interval.
struct RateEstimate {
  int tasks = 0;     // clusters: tasks with at least one graded attempt
  int attempts = 0;  // graded attempts
  int passed = 0;
  double rate = 0;            // passed / attempts; 0 when attempts == 0
  double standard_error = 0;  // task-clustered (docs/statistics.md)
  // The interval, or nullopt when it cannot be computed (no graded attempt,
  // or a single task with mixed outcomes).
  std::optional<Interval> interval{};
  // "t": rate +- t(0.975, tasks-1) * SE, clipped to [0, 1].
  // "clopper_pearson": every graded attempt has the same outcome, so the
  //   SE is 0; the exact binomial interval over the tasks is used instead
  //   (all 20 of 20 tasks passed -> [0.832, 1]).
  // "": no interval.
  std::string method{};
};

// The completion rate of `tasks` (one tally per task; tallies with
// graded == 0 are ignored).
RateEstimate EstimateRate(const std::vector<TaskTally>& tasks);

// pass@k or pass^k for one k, averaged over the tasks with graded >= k.
struct PassK {
  int k = 0;
  double value = 0;  // 0 when tasks == 0
  int tasks = 0;     // tasks that had at least k graded attempts
};

// pass@k = mean over tasks of 1 - C(n-c, k) / C(n, k): the chance that at
// least one of k attempts drawn without replacement passes. k = 1..max_k.
std::vector<PassK> PassAtK(const std::vector<TaskTally>& tasks, int max_k);
// pass^k = mean over tasks of C(c, k) / C(n, k): the chance that all k
// attempts pass (reliability). k = 1..max_k.
std::vector<PassK> PassHatK(const std::vector<TaskTally>& tasks, int max_k);

// Paired comparison of model B against model A over the tasks both graded.
// The difference is B - A: negative means B completes fewer tasks.
struct Comparison {
  int tasks = 0;                  // paired tasks (graded >= 1 for both A and B)
  double rate_a = 0, rate_b = 0;  // mean over paired tasks of per-task rates
  double mean_difference = 0;     // mean over tasks of d_t = r_B,t - r_A,t
  double sd = 0;                  // sample SD of d_t (n - 1); 0 when < 2
  double standard_error = 0;      // sd / sqrt(tasks)
  // mean +- t(0.975, tasks-1) * SE; nullopt when tasks < 2.
  std::optional<Interval> interval{};
  int b_better = 0, b_worse = 0, ties = 0;  // tasks with d_t > 0, < 0, = 0
  // Exact two-sided sign test over the discordant tasks (d_t != 0):
  // min(1, 2 * P(X <= min(b_better, b_worse))), X ~ Binomial(m, 1/2),
  // m = b_better + b_worse; 1 when m == 0. With one epoch per task this is
  // McNemar's exact test.
  double p_value = 1;
  // "worse": interval entirely below 0 and p_value < 0.05.
  // "better": interval entirely above 0 and p_value < 0.05.
  // "inconclusive": otherwise.
  std::string verdict = "inconclusive";
  // Only when inconclusive and a difference was observed: tasks needed to
  // detect the observed mean difference with 80% power at alpha 0.05
  // (two-sided), at the observed SD and discordance (docs/statistics.md).
  std::optional<int> tasks_needed{};
  // Only when inconclusive: epochs per task needed on the same tasks; nullopt
  // when it cannot be estimated or more epochs alone cannot reach it
  // (`epochs_note` says which).
  std::optional<int> epochs_needed{};
  std::string epochs_note{};
};

// Compares `b` with `a`; both are aligned by task (a[i] and b[i] are the
// same task). Tasks where either side has no graded attempt are skipped.
// `sample_sizes` false leaves tasks_needed, epochs_needed and epochs_note
// unset: their power search costs tens of milliseconds, which `history`
// (thousands of comparisons, no use for them) cannot afford.
Comparison ComparePaired(const std::vector<TaskTally>& a,
                         const std::vector<TaskTally>& b,
                         bool sample_sizes = true);

// Power of the two-sided one-sample t-test (alpha 0.05) with n tasks for a
// true mean difference `mean` and SD `sd` (non-central t). 1 when sd == 0
// and mean != 0; exposed for tests.
double TTestPower(int n, double mean, double sd);

// The smallest number of tasks giving `power` to the rule above at the
// observed values: the maximum of the t-test's and the sign test's needs.
// `discordant` is the fraction of tasks with d_t != 0 and `agreeing` the
// fraction of those whose sign matches the mean's. nullopt when mean == 0
// or it exceeds 1,000,000 tasks.
std::optional<int> TasksNeeded(double mean, double sd, double discordant,
                               double agreeing, double power = 0.8);

}  // namespace endstate::report
