#include "models/retry.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "util/stop.h"

namespace endstate::models {
namespace {

class SystemClock final : public RetryClock {
 public:
  std::chrono::steady_clock::time_point Now() override {
    return std::chrono::steady_clock::now();
  }
  void Sleep(std::chrono::milliseconds d) override {
    // In slices, so that a run being stopped does not wait out a back-off.
    const auto until = std::chrono::steady_clock::now() + d;
    while (!util::StopRequested()) {
      const auto left = until - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          left, std::chrono::milliseconds(100)));
    }
  }
};

std::string FailureMessage(const TryOutcome& o, int tries) {
  std::string msg = o.what.empty() ? "request failed" : o.what;
  if (tries > 1) msg += " after " + std::to_string(tries) + " tries";
  if (!o.detail.empty()) msg += ": " + o.detail;
  return msg;
}

}  // namespace

RetryClock* SystemRetryClock() {
  static SystemClock clock;
  return &clock;
}

std::chrono::milliseconds BackoffFor(const RetryPolicy& policy, int retry) {
  double ms = static_cast<double>(policy.initial_backoff.count()) *
              std::pow(2.0, std::max(0, retry - 1));
  double cap = static_cast<double>(policy.max_backoff.count());
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(ms, cap)));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    const std::string& value) {
  size_t b = value.find_first_not_of(" \t");
  size_t e = value.find_last_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  std::string v = value.substr(b, e - b + 1);
  if (v.find_first_not_of("0123456789.") != std::string::npos) {
    return std::nullopt;
  }
  char* end = nullptr;
  double seconds = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size() || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

bool IsRetryableStatus(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

RetryResult RunWithRetries(const RetryPolicy& policy, RetryClock* clock,
                           const std::function<TryOutcome(int)>& attempt) {
  RetryResult result;
  const auto start = clock->Now();
  const int max_tries = std::max(1, policy.max_tries);
  for (int i = 0;; ++i) {
    result.last = attempt(i);
    result.tries = i + 1;
    if (result.last.kind == TryOutcome::Kind::kOk) {
      result.ok = true;
      return result;
    }
    // A run being stopped (util/stop.h) makes no further try.
    if (result.last.kind == TryOutcome::Kind::kFinal ||
        result.tries >= max_tries || util::StopRequested()) {
      break;
    }
    std::chrono::milliseconds wait =
        result.last.retry_after.value_or(BackoffFor(policy, i + 1));
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        clock->Now() - start);
    if (elapsed + wait > policy.max_total) break;
    clock->Sleep(wait);
  }
  result.message = FailureMessage(result.last, result.tries);
  return result;
}

}  // namespace endstate::models
