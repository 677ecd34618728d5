// A RetryClock for tests: Sleep() advances Now() instantly and records the
// waits.
#pragma once

#include <chrono>
#include <vector>

#include "models/retry.h"

namespace endstate::models {

class FakeClock final : public RetryClock {
 public:
  std::chrono::steady_clock::time_point Now() override { return now_; }
  void Sleep(std::chrono::milliseconds d) override {
    sleeps.push_back(d.count());
    now_ += d;
  }
  void Advance(std::chrono::milliseconds d) { now_ += d; }
  std::vector<int64_t> sleeps;  // ms, in order

 private:
  std::chrono::steady_clock::time_point now_{};
};

}  // namespace endstate::models
