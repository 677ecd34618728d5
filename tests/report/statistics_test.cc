// Statistics against values computed by hand and, independently, with
// mpmath at 30 digits (the script is quoted in docs/statistics.md's "How
// these numbers were checked").
#include "report/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace endstate::report {
namespace {

constexpr double kTol = 1e-9;

std::vector<TaskTally> Tallies(const std::vector<int>& passed, int graded) {
  std::vector<TaskTally> out;
  for (int c : passed) out.push_back({.passed = c, .graded = graded});
  return out;
}

TEST(EstimateRate, TaskClusteredTInterval) {
  // 10 tasks x 3 epochs, 20 of 30 passed: p = 2/3. Residual per task is
  // c - 3 * 2/3 = c - 2: 1,1,0,0,-1,1,-2,1,0,-1; squares sum to 10, so
  // SE = sqrt(10) / 30; t(0.975, 9) = 2.2621571627982055.
  RateEstimate r = EstimateRate(Tallies({3, 3, 2, 2, 1, 3, 0, 3, 2, 1}, 3));
  EXPECT_EQ(10, r.tasks);
  EXPECT_EQ(30, r.attempts);
  EXPECT_EQ(20, r.passed);
  EXPECT_NEAR(2.0 / 3, r.rate, kTol);
  EXPECT_NEAR(0.105409255338945977, r.standard_error, kTol);
  ASSERT_TRUE(r.interval);
  EXPECT_EQ("t", r.method);
  EXPECT_NEAR(0.428214364676445034, r.interval->low, kTol);
  EXPECT_NEAR(0.905118968656888300, r.interval->high, kTol);
}

TEST(EstimateRate, ClusteringWidensTheIntervalOverIndependentAttempts) {
  // Same 50% rate; in the first suite each task is all-or-nothing (epochs
  // agree), in the second each task is half passed. Clustering must make
  // the first interval wider; the second has SE 0 by the formula.
  RateEstimate correlated = EstimateRate(Tallies({4, 0, 4, 0, 4, 0}, 4));
  RateEstimate mixed = EstimateRate(Tallies({2, 2, 2, 2, 2, 2}, 4));
  // Residuals +-2 on 6 tasks: sqrt(24) / 24.
  EXPECT_NEAR(std::sqrt(24.0) / 24, correlated.standard_error, kTol);
  EXPECT_NEAR(0, mixed.standard_error, kTol);
  EXPECT_GT(correlated.interval->high - correlated.interval->low,
            mixed.interval->high - mixed.interval->low);
}

TEST(EstimateRate, AllPassedUsesClopperPearsonOverTasks) {
  RateEstimate r = EstimateRate(Tallies(std::vector<int>(20, 3), 3));
  EXPECT_EQ(1.0, r.rate);
  EXPECT_EQ(0.0, r.standard_error);
  ASSERT_TRUE(r.interval);
  EXPECT_EQ("clopper_pearson", r.method);
  EXPECT_NEAR(0.831566529016914663, r.interval->low, kTol);  // 0.025^(1/20)
  EXPECT_EQ(1.0, r.interval->high);
}

TEST(EstimateRate, NonePassedUsesClopperPearsonOverTasks) {
  RateEstimate r = EstimateRate(Tallies({0, 0, 0, 0}, 2));
  EXPECT_EQ(0.0, r.rate);
  EXPECT_EQ(0.0, r.interval->low);
  EXPECT_NEAR(0.602364635616474667, r.interval->high, kTol);  // 1-0.025^(1/4)
}

TEST(EstimateRate, EdgeCases) {
  RateEstimate none = EstimateRate({{.passed = 0, .graded = 0}});
  EXPECT_EQ(0, none.attempts);
  EXPECT_FALSE(none.interval);
  EXPECT_EQ("", none.method);
  // One task with mixed outcomes: no degrees of freedom.
  RateEstimate one = EstimateRate({{.passed = 1, .graded = 2}});
  EXPECT_EQ(0.5, one.rate);
  EXPECT_FALSE(one.interval);
  // Tasks without graded attempts are not clusters.
  RateEstimate skip = EstimateRate(
      {{.passed = 1, .graded = 2}, {.passed = 0, .graded = 0}, {2, 2}});
  EXPECT_EQ(2, skip.tasks);
  EXPECT_EQ(4, skip.attempts);
}

TEST(PassK, HandComputed) {
  // (c, n): (3,3), (2,3), (0,3), and (1,2) which only counts for k <= 2.
  std::vector<TaskTally> t = {{3, 3}, {2, 3}, {0, 3}, {1, 2}};
  auto hat = PassHatK(t, 3);
  ASSERT_EQ(3u, hat.size());
  // pass^1 = (1 + 2/3 + 0 + 1/2) / 4
  EXPECT_NEAR((1 + 2.0 / 3 + 0 + 0.5) / 4, hat[0].value, kTol);
  EXPECT_EQ(4, hat[0].tasks);
  // pass^2 = (1 + C(2,2)/C(3,2) + 0 + C(1,2)/C(2,2)) / 4 = (1 + 1/3) / 4
  EXPECT_NEAR((1 + 1.0 / 3) / 4, hat[1].value, kTol);
  // pass^3 over the three tasks with 3 attempts: (1 + 0 + 0) / 3
  EXPECT_NEAR(1.0 / 3, hat[2].value, kTol);
  EXPECT_EQ(3, hat[2].tasks);
  auto at = PassAtK(t, 3);
  EXPECT_NEAR(hat[0].value, at[0].value, kTol);  // pass@1 == pass^1
  // pass@2 = (1 + (1 - C(1,2)/C(3,2)) + (1 - C(3,2)/C(3,2)) + 1) / 4
  EXPECT_NEAR(3.0 / 4, at[1].value, kTol);
  // pass@3 = (1 + 1 + 0) / 3
  EXPECT_NEAR(2.0 / 3, at[2].value, kTol);
  EXPECT_EQ(3, at[2].k);
}

TEST(PassK, NotesExampleTenOfTwenty) {
  // One task, n = 20, c = 10: pass^2 = C(10,2)/C(20,2) = 45/190,
  // pass@2 = 1 - 45/190.
  std::vector<TaskTally> t = {{10, 20}};
  EXPECT_NEAR(45.0 / 190, PassHatK(t, 2)[1].value, kTol);
  EXPECT_NEAR(1 - 45.0 / 190, PassAtK(t, 2)[1].value, kTol);
}

TEST(ComparePaired, ClearlyWorse) {
  // A passes everything; B fails 8 of 10 tasks in all 3 epochs.
  auto a = Tallies(std::vector<int>(10, 3), 3);
  auto b = Tallies({0, 0, 0, 0, 0, 0, 0, 0, 3, 3}, 3);
  Comparison c = ComparePaired(a, b);
  EXPECT_EQ(10, c.tasks);
  EXPECT_NEAR(-0.8, c.mean_difference, kTol);
  EXPECT_NEAR(0.421637021355783911, c.sd, kTol);
  EXPECT_NEAR(0.421637021355783911 / std::sqrt(10.0), c.standard_error, kTol);
  ASSERT_TRUE(c.interval);
  EXPECT_NEAR(-1.10162095503976074, c.interval->low, kTol);
  EXPECT_NEAR(-0.498379044960239261, c.interval->high, kTol);
  EXPECT_EQ(0, c.b_better);
  EXPECT_EQ(8, c.b_worse);
  EXPECT_EQ(2, c.ties);
  EXPECT_NEAR(2 * std::pow(0.5, 8), c.p_value, kTol);
  EXPECT_EQ("worse", c.verdict);
  EXPECT_FALSE(c.tasks_needed);
  EXPECT_FALSE(c.epochs_needed);

  Comparison reverse = ComparePaired(b, a);
  EXPECT_EQ("better", reverse.verdict);
  EXPECT_NEAR(0.8, reverse.mean_difference, kTol);
  EXPECT_NEAR(c.p_value, reverse.p_value, kTol);
}

TEST(ComparePaired, McNemarWithOneEpochNeedsBothTests) {
  // One epoch: A pass / B fail on 7 tasks, the reverse on 1, 4 tied.
  // McNemar exact: 2 * P(X <= 1 | Bin(8, 1/2)) = 18/256 = 0.0703125. The
  // t-interval is below zero, but the exact test is not significant, so
  // the verdict is inconclusive.
  std::vector<TaskTally> a, b;
  for (int i = 0; i < 7; ++i) a.push_back({1, 1}), b.push_back({0, 1});
  a.push_back({0, 1}), b.push_back({1, 1});
  for (int i = 0; i < 4; ++i) a.push_back({i % 2, 1}), b.push_back({i % 2, 1});
  Comparison c = ComparePaired(a, b);
  EXPECT_EQ(12, c.tasks);
  EXPECT_NEAR(-0.5, c.mean_difference, kTol);
  EXPECT_NEAR(0.674199862463242086, c.sd, kTol);
  EXPECT_NEAR(-0.928366155811630561, c.interval->low, kTol);
  EXPECT_NEAR(-0.0716338441883694394, c.interval->high, kTol);
  EXPECT_NEAR(0.0703125, c.p_value, kTol);
  EXPECT_EQ("inconclusive", c.verdict);
  // t-test needs 17 tasks; the sign test needs 12 discordant tasks at 7/8
  // agreement, i.e. ceil(12 / (8/12)) = 18 tasks (mpmath, independently).
  ASSERT_TRUE(c.tasks_needed);
  EXPECT_EQ(18, *c.tasks_needed);
  EXPECT_FALSE(c.epochs_needed);
  EXPECT_EQ("needs at least 2 graded epochs per task to estimate",
            c.epochs_note);
}

TEST(ComparePaired, InconclusiveWithTasksAndEpochsNeeded) {
  // 10 tasks x 3 epochs; B is 1/3 lower on 3 tasks, 1/3 higher on 1.
  auto a = Tallies({3, 3, 3, 3, 3, 2, 2, 2, 3, 3}, 3);
  auto b = Tallies({3, 2, 3, 2, 3, 2, 3, 2, 2, 3}, 3);
  Comparison c = ComparePaired(a, b);
  EXPECT_NEAR(-1.0 / 15, c.mean_difference, kTol);
  EXPECT_NEAR(0.210818510677891955, c.sd, kTol);
  EXPECT_NEAR(0.625, c.p_value, kTol);  // 2 * 5/16
  EXPECT_EQ("inconclusive", c.verdict);
  // t-test: 81 tasks; sign test: 30 discordant at 3/4 -> 75 tasks.
  EXPECT_EQ(81, c.tasks_needed.value_or(-1));
  // Per-attempt variance 4/15, within-task part of var(d) 4/45 > sd^2, so
  // var(d) at E epochs = 0 + (4/15) / E: 60 epochs reach 80% power.
  EXPECT_EQ(60, c.epochs_needed.value_or(-1));
}

TEST(ComparePaired, NoDifferenceAndDeterministicOutcomes) {
  auto a = Tallies({3, 0, 3, 3}, 3);
  Comparison same = ComparePaired(a, a);
  EXPECT_EQ("inconclusive", same.verdict);
  EXPECT_EQ(0, same.mean_difference);
  EXPECT_EQ(1.0, same.p_value);
  EXPECT_FALSE(same.tasks_needed);
  EXPECT_EQ("no difference observed", same.epochs_note);

  // B fails all of 3 tasks that A passes, every epoch: the interval is
  // [-1, -1] but the sign test cannot reach 0.05 with 3 tasks.
  Comparison few = ComparePaired(Tallies({3, 3, 3}, 3), Tallies({0, 0, 0}, 3));
  EXPECT_EQ("inconclusive", few.verdict);
  EXPECT_NEAR(0.25, few.p_value, kTol);
  EXPECT_EQ(6, few.tasks_needed.value_or(-1));  // 2 * 0.5^6 < 0.05
  EXPECT_EQ(
      "with 3 tasks the exact test cannot reach p < 0.05 (it needs at least 6 "
      "discordant tasks): add tasks",
      few.epochs_note);
}

TEST(ComparePaired, SkipsTasksNotGradedForBoth) {
  std::vector<TaskTally> a = {{1, 1}, {0, 0}, {1, 1}};
  std::vector<TaskTally> b = {{0, 1}, {1, 1}, {0, 0}};
  Comparison c = ComparePaired(a, b);
  EXPECT_EQ(1, c.tasks);
  EXPECT_FALSE(c.interval);
  EXPECT_EQ("inconclusive", c.verdict);
}

TEST(TTestPower, MatchesNonCentralT) {
  // n = 20, mean 0.1, sd 0.2: delta = 0.5 * sqrt(20), df 19 (mpmath).
  EXPECT_NEAR(0.564504418439020386, TTestPower(20, 0.1, 0.2), 1e-9);
  EXPECT_EQ(1.0, TTestPower(5, 0.3, 0));
  EXPECT_EQ(0.0, TTestPower(1, 0.3, 0.1));
}

}  // namespace
}  // namespace endstate::report
