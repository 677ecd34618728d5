#include "evaluator/scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <thread>

namespace endstate::evaluator {

std::vector<PlannedAttempt> MakePlan(size_t models, size_t tasks, int epochs) {
  std::vector<PlannedAttempt> plan;
  plan.reserve(models * tasks * static_cast<size_t>(std::max(epochs, 0)));
  for (int e = 0; e < epochs; ++e) {
    for (size_t t = 0; t < tasks; ++t) {
      for (size_t m = 0; m < models; ++m) plan.push_back({m, t, e});
    }
  }
  return plan;
}

void OrderLongestFirst(const std::vector<double>& task_cost,
                       std::vector<PlannedAttempt>* plan) {
  auto cost = [&](size_t task) {
    return task < task_cost.size() ? task_cost[task] : 0.0;
  };
  std::stable_sort(plan->begin(), plan->end(),
                   [&](const PlannedAttempt& a, const PlannedAttempt& b) {
                     return cost(a.task) > cost(b.task);
                   });
}

void RunScheduled(const std::vector<PlannedAttempt>& plan, int concurrency,
                  const std::vector<int>& model_caps,
                  const std::function<void(const PlannedAttempt&)>& work,
                  const ModelLifecycle& lifecycle) {
  std::mutex mu;
  std::condition_variable cv;
  std::list<const PlannedAttempt*> pending;
  size_t models = model_caps.size();
  for (const auto& p : plan) {
    pending.push_back(&p);
    models = std::max(models, p.model + 1);
  }
  std::vector<int> running(models, 0);
  // Per model: attempts not finished yet, and where it is in its life.
  enum class State { kIdle, kStarting, kStarted };
  std::vector<size_t> remaining(models, 0);
  for (const auto& p : plan) ++remaining[p.model];
  std::vector<State> state(models, State::kIdle);
  auto group = [&](size_t m) {
    return m < lifecycle.group.size() ? lifecycle.group[m] : 0;
  };
  std::map<int, bool> group_busy;  // a model of the group is started

  auto worker = [&] {
    std::unique_lock lock(mu);
    for (;;) {
      // The first pending attempt whose model is started and has a free
      // connection, or whose model can be started now.
      auto it = std::find_if(pending.begin(), pending.end(), [&](auto* p) {
        const size_t m = p->model;
        if (state[m] == State::kIdle)
          return group(m) == 0 || !group_busy[group(m)];
        if (state[m] != State::kStarted) return false;
        int cap = m < model_caps.size() ? model_caps[m] : 0;
        return cap <= 0 || running[m] < cap;
      });
      if (it == pending.end()) {
        if (pending.empty()) return;
        cv.wait(lock);
        continue;
      }
      const PlannedAttempt* p = *it;
      const size_t m = p->model;
      if (state[m] == State::kIdle) {
        state[m] = State::kStarting;
        if (group(m) != 0) group_busy[group(m)] = true;
        lock.unlock();
        if (lifecycle.start) lifecycle.start(m);
        lock.lock();
        state[m] = State::kStarted;
        cv.notify_all();
        continue;
      }
      pending.erase(it);
      ++running[m];
      lock.unlock();
      work(*p);
      lock.lock();
      --running[m];
      if (--remaining[m] == 0) {
        lock.unlock();
        if (lifecycle.stop) lifecycle.stop(m);
        lock.lock();
        if (group(m) != 0) group_busy[group(m)] = false;
      }
      cv.notify_all();
    }
  };
  const int n =
      std::max(1, std::min<int>(concurrency, static_cast<int>(plan.size())));
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

}  // namespace endstate::evaluator
