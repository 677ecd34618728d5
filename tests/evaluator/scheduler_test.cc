#include "evaluator/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

TEST(Scheduler, ExclusiveGroupsNeverOverlapAndOthersRunAlongside) {
  // Models 0 and 1 share group 7; model 2 has none.
  auto plan = MakePlan(3, 6, 1);
  std::mutex mu;
  std::vector<std::string> events;
  std::vector<int> starts(3, 0), stops(3, 0);
  std::atomic<bool> model2_beside_group{false};
  std::atomic<int> active2{0}, active_group{0};
  ModelLifecycle life{.group = {7, 7, 0},
                      .start =
                          [&](size_t m) {
                            std::lock_guard lock(mu);
                            ++starts[m];
                            events.push_back("start " + std::to_string(m));
                          },
                      .stop =
                          [&](size_t m) {
                            std::lock_guard lock(mu);
                            ++stops[m];
                            events.push_back("stop " + std::to_string(m));
                          }};
  RunScheduled(
      plan, 4, {0, 0, 1},
      [&](const PlannedAttempt& p) {
        {
          std::lock_guard lock(mu);
          events.push_back("run " + std::to_string(p.model));
        }
        if (p.model == 2) {
          ++active2;
          if (active_group > 0) model2_beside_group = true;
        } else {
          ++active_group;
          if (active2 > 0) model2_beside_group = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (p.model == 2) {
          --active2;
        } else {
          --active_group;
        }
      },
      life);
  EXPECT_EQ((std::vector<int>{1, 1, 1}), starts);
  EXPECT_EQ((std::vector<int>{1, 1, 1}), stops);
  // Of the group, one model's start, runs and stop come strictly before the
  // other's start.
  std::vector<std::string> group_events;
  for (const auto& e : events) {
    if (e.back() != '2') group_events.push_back(e);
  }
  ASSERT_EQ(16u, group_events.size());
  const char first = group_events[0].back();
  const char second = first == '0' ? '1' : '0';
  EXPECT_EQ(std::string("start ") + first, group_events[0]);
  for (size_t i = 1; i < 7; ++i)
    EXPECT_EQ(std::string("run ") + first, group_events[i]);
  EXPECT_EQ(std::string("stop ") + first, group_events[7]);
  EXPECT_EQ(std::string("start ") + second, group_events[8]);
  EXPECT_EQ(std::string("stop ") + second, group_events[15]);
  EXPECT_TRUE(model2_beside_group);  // the ungrouped model ran alongside
}

TEST(Scheduler, ModelsWithoutAttemptsAreNeverStarted) {
  std::vector<PlannedAttempt> plan = {{1, 0, 0}, {1, 1, 0}};
  std::vector<size_t> started;
  ModelLifecycle life{.start = [&](size_t m) { started.push_back(m); }};
  RunScheduled(
      plan, 2, {0, 0}, [](const PlannedAttempt&) {}, life);
  EXPECT_EQ((std::vector<size_t>{1}), started);
}

}  // namespace
}  // namespace endstate::evaluator
