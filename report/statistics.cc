#include "report/statistics.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

namespace endstate::report {
namespace {

namespace bm = boost::math;

constexpr double kAlpha = 0.05;
constexpr double kPower = 0.8;
constexpr int kMaxTasks = 1'000'000;
constexpr int kMaxEpochs = 1000;
// Per-task rates are ratios of small integers; two equal ones compare equal
// exactly, but a tolerance keeps 1/3 - 1/3 computed two ways a tie.
constexpr double kTie = 1e-12;

double TQuantile(int df) {
  return bm::quantile(bm::students_t(df), 1 - kAlpha / 2);
}

// P(X >= x) for X ~ Binomial(m, p).
double UpperTail(int m, double p, int x) {
  if (x <= 0) return 1;
  if (x > m) return 0;
  if (p >= 1) return 1;
  if (p <= 0) return 0;
  return bm::cdf(bm::complement(bm::binomial(m, p), x - 1));
}

// The smallest majority count x with a two-sided sign-test p-value
// 2 * P(X >= x | 1/2) below alpha, or m + 1 when even x = m is not enough.
int SignCritical(int m) {
  if (m <= 0 || 2 * UpperTail(m, 0.5, m) >= kAlpha) return m + 1;
  int lo = (m + 1) / 2, hi = m;  // 2*P(X >= hi) < alpha holds
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (2 * UpperTail(m, 0.5, mid) < kAlpha) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// Discordant tasks the sign test needs for `power` when a fraction
// `agreeing` of them goes the observed way; nullopt past `max_m`.
std::optional<int> SignTestDiscordantNeeded(double agreeing, double power,
                                            int max_m) {
  if (agreeing <= 0.5) return std::nullopt;
  // Start near the normal approximation, then walk up exactly (the exact
  // power is a saw-tooth in m, so walk from a little below).
  const double z_a = bm::quantile(bm::normal(), 1 - kAlpha / 2);
  const double z_b = bm::quantile(bm::normal(), power);
  const double q = agreeing;
  double m0 =
      std::pow((z_a * 0.5 + z_b * std::sqrt(q * (1 - q))) / (q - 0.5), 2.0);
  int m = std::max(1, static_cast<int>(m0 * 0.7) - 2);
  for (; m <= max_m; ++m) {
    int x = SignCritical(m);
    if (x <= m && UpperTail(m, q, x) >= power) return m;
  }
  return std::nullopt;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

}  // namespace

RateEstimate EstimateRate(const std::vector<TaskTally>& tasks) {
  RateEstimate r;
  for (const TaskTally& t : tasks) {
    if (t.graded <= 0) continue;
    ++r.tasks;
    r.attempts += t.graded;
    r.passed += t.passed;
  }
  if (r.attempts == 0) return r;
  r.rate = static_cast<double>(r.passed) / r.attempts;
  double sum_sq = 0;
  for (const TaskTally& t : tasks) {
    if (t.graded <= 0) continue;
    double residual = t.passed - t.graded * r.rate;  // sum of (s_i - mean)
    sum_sq += residual * residual;
  }
  r.standard_error = std::sqrt(sum_sq) / r.attempts;
  if (r.passed == 0 || r.passed == r.attempts) {
    // SE is 0: an exact interval over the tasks instead of a false [p, p].
    const int successes = r.passed == 0 ? 0 : r.tasks;
    r.interval =
        Interval{successes == 0 ? 0.0
                                : bm::binomial::find_lower_bound_on_p(
                                      r.tasks, successes, kAlpha / 2),
                 successes == r.tasks ? 1.0
                                      : bm::binomial::find_upper_bound_on_p(
                                            r.tasks, successes, kAlpha / 2)};
    r.method = "clopper_pearson";
    return r;
  }
  if (r.tasks < 2) return r;
  const double half = TQuantile(r.tasks - 1) * r.standard_error;
  r.interval =
      Interval{std::max(0.0, r.rate - half), std::min(1.0, r.rate + half)};
  r.method = "t";
  return r;
}

namespace {

// Product form of C(a, k) / C(n, k) = prod_{i<k} (a - i) / (n - i): exact
// enough in doubles and never overflows.
double ChooseRatio(int a, int n, int k) {
  if (k > a) return 0;
  double r = 1;
  for (int i = 0; i < k; ++i) r *= static_cast<double>(a - i) / (n - i);
  return r;
}

std::vector<PassK> PassK_(const std::vector<TaskTally>& tasks, int max_k,
                          bool at) {
  std::vector<PassK> out;
  for (int k = 1; k <= max_k; ++k) {
    PassK p{.k = k};
    double sum = 0;
    for (const TaskTally& t : tasks) {
      if (t.graded < k) continue;
      ++p.tasks;
      sum += at ? 1 - ChooseRatio(t.graded - t.passed, t.graded, k)
                : ChooseRatio(t.passed, t.graded, k);
    }
    p.value = p.tasks == 0 ? 0 : sum / p.tasks;
    out.push_back(p);
  }
  return out;
}

}  // namespace

std::vector<PassK> PassAtK(const std::vector<TaskTally>& tasks, int max_k) {
  return PassK_(tasks, max_k, true);
}

std::vector<PassK> PassHatK(const std::vector<TaskTally>& tasks, int max_k) {
  return PassK_(tasks, max_k, false);
}

double TTestPower(int n, double mean, double sd) {
  if (n < 2 || mean == 0) return 0;
  if (sd <= 0) return 1;
  try {
    const int df = n - 1;
    const double t = TQuantile(df);
    const double delta = std::fabs(mean) / sd * std::sqrt(n);
    bm::non_central_t dist(df, delta);
    return bm::cdf(bm::complement(dist, t)) + bm::cdf(dist, -t);
  } catch (const std::exception&) {
    return 0;  // Boost could not evaluate: count it as "not enough"
  }
}

std::optional<int> TasksNeeded(double mean, double sd, double discordant,
                               double agreeing, double power) {
  if (mean == 0 || discordant <= 0) return std::nullopt;
  // t-test: start at the normal approximation, then exact power.
  const double z_a = bm::quantile(bm::normal(), 1 - kAlpha / 2);
  const double z_b = bm::quantile(bm::normal(), power);
  double n0 = std::pow((z_a + z_b) * sd / mean, 2.0);
  if (n0 > kMaxTasks) return std::nullopt;
  int n = std::max(2, static_cast<int>(n0));
  while (n <= kMaxTasks && TTestPower(n, mean, sd) < power) ++n;
  if (n > kMaxTasks) return std::nullopt;
  while (n > 2 && TTestPower(n - 1, mean, sd) >= power) --n;
  // Sign test: discordant tasks needed, scaled by the discordant fraction.
  auto m = SignTestDiscordantNeeded(agreeing, power,
                                    static_cast<int>(kMaxTasks * discordant));
  if (!m) return std::nullopt;
  int n_sign = static_cast<int>(std::ceil(*m / discordant - 1e-9));
  return std::max(n, n_sign);
}

Comparison ComparePaired(const std::vector<TaskTally>& a,
                         const std::vector<TaskTally>& b, bool sample_sizes) {
  Comparison c;
  std::vector<double> d, ra, rb;
  // Per-attempt variance estimates (for the epochs estimate).
  double within_now = 0, per_attempt = 0;
  bool variance_known = true;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].graded <= 0 || b[i].graded <= 0) continue;
    const double pa = static_cast<double>(a[i].passed) / a[i].graded;
    const double pb = static_cast<double>(b[i].passed) / b[i].graded;
    ra.push_back(pa);
    rb.push_back(pb);
    double diff = pb - pa;
    if (std::fabs(diff) < kTie) diff = 0;
    d.push_back(diff);
    if (diff > 0) ++c.b_better;
    if (diff < 0) ++c.b_worse;
    if (diff == 0) ++c.ties;
    if (a[i].graded < 2 || b[i].graded < 2) {
      variance_known = false;
      continue;
    }
    const double va = pa * (1 - pa) * a[i].graded / (a[i].graded - 1);
    const double vb = pb * (1 - pb) * b[i].graded / (b[i].graded - 1);
    per_attempt += va + vb;
    within_now += va / a[i].graded + vb / b[i].graded;
  }
  c.tasks = static_cast<int>(d.size());
  if (c.tasks == 0) {
    c.epochs_note = "no task was graded for both models";
    return c;
  }
  c.rate_a = Mean(ra);
  c.rate_b = Mean(rb);
  c.mean_difference = Mean(d);
  if (std::fabs(c.mean_difference) < kTie) c.mean_difference = 0;
  if (c.tasks >= 2) {
    double ss = 0;
    for (double x : d) ss += (x - c.mean_difference) * (x - c.mean_difference);
    c.sd = std::sqrt(ss / (c.tasks - 1));
    c.standard_error = c.sd / std::sqrt(c.tasks);
    const double half = TQuantile(c.tasks - 1) * c.standard_error;
    c.interval = Interval{c.mean_difference - half, c.mean_difference + half};
  }
  const int m = c.b_better + c.b_worse;
  if (m > 0) {
    const int k = std::min(c.b_better, c.b_worse);
    c.p_value = std::min(
        1.0, 2 * bm::cdf(bm::binomial(m, 0.5), static_cast<double>(k)));
  }
  if (c.interval && c.p_value < kAlpha) {
    if (c.interval->high < 0) c.verdict = "worse";
    if (c.interval->low > 0) c.verdict = "better";
  }
  if (c.verdict != "inconclusive" || !sample_sizes) return c;
  if (c.mean_difference == 0) {
    c.epochs_note = "no difference observed";
    return c;
  }
  const int agree = c.mean_difference < 0 ? c.b_worse : c.b_better;
  c.tasks_needed =
      TasksNeeded(c.mean_difference, c.sd, static_cast<double>(m) / c.tasks,
                  static_cast<double>(agree) / m, kPower);
  if (c.tasks < 2) {
    c.epochs_note = "needs at least 2 paired tasks";
  } else if (!variance_known) {
    c.epochs_note = "needs at least 2 graded epochs per task to estimate";
  } else if (SignCritical(c.tasks) > c.tasks) {
    c.epochs_note = "with " + std::to_string(c.tasks) +
                    " tasks the exact test cannot reach p < 0.05 (it needs "
                    "at least 6 discordant tasks): add tasks";
  } else if (per_attempt == 0) {
    c.epochs_note =
        "outcomes do not vary between epochs: more epochs will not help";
  } else {
    per_attempt /= c.tasks;
    within_now /= c.tasks;
    const double between = std::max(c.sd * c.sd - within_now, 0.0);
    for (int e = 1; e <= kMaxEpochs; ++e) {
      double sd_e = std::sqrt(between + per_attempt / e);
      if (TTestPower(c.tasks, c.mean_difference, sd_e) >= kPower) {
        c.epochs_needed = e;
        break;
      }
    }
    if (!c.epochs_needed) {
      c.epochs_note =
          "more epochs alone will not do: the spread between tasks "
          "dominates; add tasks";
    }
  }
  return c;
}

}  // namespace endstate::report
