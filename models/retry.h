// Retries of one model request: exponential backoff on 429 (honouring
// Retry-After), 5xx, connection errors, timeouts and streams cut before a
// usable message; bounded by RetryPolicy::max_tries and ::max_total. Other
// 4xx answers are final. The clock is an interface so tests do not sleep.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "models/model_config.h"
#include "models/server_errors.h"

namespace endstate::models {

// Time source and sleeper used between tries.
class RetryClock {
 public:
  virtual ~RetryClock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  virtual void Sleep(std::chrono::milliseconds d) = 0;
};

// The real clock (std::this_thread::sleep_for). Thread-safe, never freed.
RetryClock* SystemRetryClock();

// The outcome of one try.
struct TryOutcome {
  enum class Kind { kOk, kRetryable, kFinal };
  Kind kind = Kind::kOk;
  std::string what;    // "HTTP 503", "connection error", "timeout", ...
  std::string detail;  // body snippet or transport message
  long http_status = 0;
  // Server-requested wait (Retry-After), used instead of the backoff.
  std::optional<std::chrono::milliseconds> retry_after;
  // What the server's error says; a kind other than kOther is always
  // kFinal here (context exhaustion is never retried; capacity overflow is
  // retried by the model's CapacityGate, after lowering its concurrency).
  ErrorClass error_class = ErrorClass::kOther;

  static TryOutcome Ok() { return {}; }
};

struct RetryResult {
  bool ok = false;
  int tries = 0;        // tries made, including the successful one
  TryOutcome last;      // outcome of the last try
  std::string message;  // when !ok: "HTTP 503 after 5 tries: upstream down"
};

// The wait before retry number `retry` (1 = after the first failure):
// initial_backoff * 2^(retry-1), capped at max_backoff.
std::chrono::milliseconds BackoffFor(const RetryPolicy& policy, int retry);

// Parses a Retry-After header given in seconds ("7", "1.5"). HTTP dates and
// garbage return nullopt (the normal backoff applies).
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    const std::string& value);

// Whether an HTTP status is worth retrying: 408, 429 and 5xx.
bool IsRetryableStatus(long status);

// Calls `attempt(try_index)` (0-based) until it returns kOk or kFinal, or
// the policy is exhausted: no tries left, or the next wait would pass
// max_total since the first try started.
RetryResult RunWithRetries(const RetryPolicy& policy, RetryClock* clock,
                           const std::function<TryOutcome(int)>& attempt);

}  // namespace endstate::models
