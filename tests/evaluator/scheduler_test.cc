#include "evaluator/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace endstate::evaluator {
namespace {

TEST(Scheduler, PlanInterleavesModelsWithinEachTask) {
  auto plan = MakePlan(2, 3, 2);
  ASSERT_EQ(12u, plan.size());
  EXPECT_EQ(0u, plan[0].model);
  EXPECT_EQ(1u, plan[1].model);
  EXPECT_EQ(0u, plan[1].task);
  EXPECT_EQ(1u, plan[2].task);
  EXPECT_EQ(1, plan[6].epoch);
}

TEST(Scheduler, LongestFirstKeepsModelsInterleaved) {
  auto plan = MakePlan(2, 3, 2);
  OrderLongestFirst({1.0, 5.0, 1.0}, &plan);
  ASSERT_EQ(12u, plan.size());
  // Task 1 (cost 5) in both epochs first, then the rest in plan order:
  // epoch 0's tasks 0 and 2, then epoch 1's.
  const size_t want_task[] = {1, 1, 1, 1, 0, 0, 2, 2, 0, 0, 2, 2};
  const int want_epoch[] = {0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1};
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(want_task[i], plan[i].task) << i;
    EXPECT_EQ(want_epoch[i], plan[i].epoch) << i;
    EXPECT_EQ(i % 2, plan[i].model) << i;
  }
  // Missing costs count as 0: a short cost vector leaves the order alone.
  auto same = MakePlan(1, 3, 1);
  OrderLongestFirst({}, &same);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(i, same[i].task);
}

TEST(Scheduler, RunsEveryAttemptOnceWithinCaps) {
  auto plan = MakePlan(2, 10, 1);
  std::mutex mu;
  std::multiset<std::pair<size_t, size_t>> seen;
  std::atomic<int> running{0}, model0{0}, max_running{0}, max_model0{0};
  RunScheduled(plan, 4, {1, 0}, [&](const PlannedAttempt& p) {
    int r = ++running;
    int m0 = p.model == 0 ? ++model0 : model0.load();
    max_running = std::max(max_running.load(), r);
    max_model0 = std::max(max_model0.load(), m0);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (p.model == 0) --model0;
    --running;
    std::lock_guard lock(mu);
    seen.insert({p.model, p.task});
  });
  EXPECT_EQ(20u, seen.size());
  for (const auto& s : seen) EXPECT_EQ(1u, seen.count(s));
  EXPECT_LE(max_running.load(), 4);
  EXPECT_GE(max_running.load(), 2);
  EXPECT_EQ(1, max_model0.load());  // max_connections 1 holds
}

}  // namespace
}  // namespace endstate::evaluator
