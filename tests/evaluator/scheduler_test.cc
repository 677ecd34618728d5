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
