#include "models/retry.h"

#include <gtest/gtest.h>

#include "tests/models/fake_clock.h"

namespace endstate::models {
namespace {

using std::chrono::milliseconds;

TryOutcome Fail(TryOutcome::Kind kind, std::string what, std::string detail) {
  TryOutcome o;
  o.kind = kind;
  o.what = std::move(what);
  o.detail = std::move(detail);
  return o;
}

TEST(RetryTest, BackoffDoublesAndCaps) {
  RetryPolicy p;
  p.initial_backoff = milliseconds(500);
  p.max_backoff = milliseconds(3000);
  EXPECT_EQ(500, BackoffFor(p, 1).count());
  EXPECT_EQ(1000, BackoffFor(p, 2).count());
  EXPECT_EQ(2000, BackoffFor(p, 3).count());
  EXPECT_EQ(3000, BackoffFor(p, 4).count());
  EXPECT_EQ(3000, BackoffFor(p, 40).count());
}

TEST(RetryTest, ParseRetryAfter) {
  EXPECT_EQ(7000, ParseRetryAfter("7")->count());
  EXPECT_EQ(1500, ParseRetryAfter(" 1.5 ")->count());
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(ParseRetryAfter("").has_value());
  EXPECT_FALSE(ParseRetryAfter("-1").has_value());
}

TEST(RetryTest, RetryableStatuses) {
  EXPECT_TRUE(IsRetryableStatus(429));
  EXPECT_TRUE(IsRetryableStatus(500));
  EXPECT_TRUE(IsRetryableStatus(503));
  EXPECT_TRUE(IsRetryableStatus(408));
  EXPECT_FALSE(IsRetryableStatus(400));
  EXPECT_FALSE(IsRetryableStatus(404));
  EXPECT_FALSE(IsRetryableStatus(200));
}

TEST(RetryTest, SucceedsAfterFailures) {
  FakeClock clock;
  int calls = 0;
  RetryResult r = RunWithRetries(RetryPolicy{}, &clock, [&](int i) {
    EXPECT_EQ(calls++, i);
    return i < 2 ? Fail(TryOutcome::Kind::kRetryable, "HTTP 500", "x")
                 : TryOutcome::Ok();
  });
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(3, r.tries);
  EXPECT_EQ((std::vector<int64_t>{500, 1000}), clock.sleeps);
}

TEST(RetryTest, ExhaustedTriesGiveMessage) {
  FakeClock clock;
  RetryResult r = RunWithRetries(RetryPolicy{}, &clock, [&](int) {
    return Fail(TryOutcome::Kind::kRetryable, "HTTP 503", "upstream down");
  });
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(5, r.tries);
  EXPECT_EQ("HTTP 503 after 5 tries: upstream down", r.message);
  EXPECT_EQ((std::vector<int64_t>{500, 1000, 2000, 4000}), clock.sleeps);
}

TEST(RetryTest, FinalIsNotRetried) {
  FakeClock clock;
  RetryResult r = RunWithRetries(RetryPolicy{}, &clock, [&](int) {
    return Fail(TryOutcome::Kind::kFinal, "HTTP 400", "bad tool schema");
  });
  EXPECT_EQ(1, r.tries);
  EXPECT_EQ("HTTP 400: bad tool schema", r.message);
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST(RetryTest, RetryAfterIsHonouredAndMaxTotalBounds) {
  FakeClock clock;
  RetryPolicy p;
  p.max_tries = 10;
  p.max_total = milliseconds(10'000);
  RetryResult r = RunWithRetries(p, &clock, [&](int) {
    TryOutcome o = Fail(TryOutcome::Kind::kRetryable, "HTTP 429", "slow down");
    o.retry_after = milliseconds(4000);
    return o;
  });
  // 0 + 4 s, 4 + 4 = 8 s, 8 + 4 > 10 s: stop after the third try.
  EXPECT_EQ((std::vector<int64_t>{4000, 4000}), clock.sleeps);
  EXPECT_EQ(3, r.tries);
  EXPECT_EQ("HTTP 429 after 3 tries: slow down", r.message);
}

TEST(RetryTest, ElapsedTimeOfTriesCounts) {
  FakeClock clock;
  RetryPolicy p;
  p.max_tries = 10;
  p.max_total = milliseconds(2000);
  RetryResult r = RunWithRetries(p, &clock, [&](int) {
    clock.Advance(milliseconds(1200));  // the try itself took 1.2 s
    return Fail(TryOutcome::Kind::kRetryable, "timeout", "stalled");
  });
  // 1.2 s + 0.5 s wait, 2.9 s + 1 s wait > 2 s: two tries.
  EXPECT_EQ((std::vector<int64_t>{500}), clock.sleeps);
  EXPECT_EQ(2, r.tries);
  EXPECT_EQ("timeout after 2 tries: stalled", r.message);
}

}  // namespace
}  // namespace endstate::models
