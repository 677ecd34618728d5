#include "evaluator/scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <list>
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
                  const std::function<void(const PlannedAttempt&)>& work) {
  std::mutex mu;
  std::condition_variable cv;
  std::list<const PlannedAttempt*> pending;
  for (const auto& p : plan) pending.push_back(&p);
  std::vector<int> running(model_caps.size(), 0);

  auto worker = [&] {
    std::unique_lock lock(mu);
    for (;;) {
      // The first pending attempt whose model has a free connection.
      auto it = std::find_if(pending.begin(), pending.end(), [&](auto* p) {
        int cap = p->model < model_caps.size() ? model_caps[p->model] : 0;
        return cap <= 0 || running[p->model] < cap;
      });
      if (it == pending.end()) {
        if (pending.empty()) return;
        cv.wait(lock);
        continue;
      }
      const PlannedAttempt* p = *it;
      pending.erase(it);
      if (p->model < running.size()) ++running[p->model];
      lock.unlock();
      work(*p);
      lock.lock();
      if (p->model < running.size()) --running[p->model];
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
