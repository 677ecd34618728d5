#include "cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace endstate::cli {
namespace {

using Clock = std::chrono::steady_clock;

class ProgressTest : public ::testing::Test {
 protected:
  ProgressOptions Options(bool live) {
    return {.quiet = false, .live = live, .out = &out_, .now = [this] {
              return t0_ + std::chrono::seconds(seconds_);
            }};
  }
  std::ostringstream out_;
  Clock::time_point t0_ = Clock::now();
  int seconds_ = 0;
};

TEST_F(ProgressTest, PlainLinesPerAttempt) {
  Progress p(4, Options(false));
  p.Expect("m1", 2);
  p.Expect("m2", 2);
  p.Start();  // nothing in plain mode
  EXPECT_EQ("", out_.str());
  seconds_ = 10;
  p.Done("m1", "t1", 0, "passed", "", 1500);
  seconds_ = 20;
  p.Done("m2", "t1", 1, "failed", "html: no <h1>", 2500);
  EXPECT_EQ(
      "[1/4 ETA 30s] m1 t1: passed (1.5s; m1 1/1 passed)\n"
      "[2/4 ETA 20s] m2 t1 #2: failed - html: no <h1> (2.5s; m2 0/1 passed)\n",
      out_.str());
}

TEST_F(ProgressTest, LiveStatusLinesRewrittenInPlace) {
  Progress p(4, Options(true));
  p.Expect("oracle", 2);
  p.Expect("flaky-model", 2);
  p.Start();
  EXPECT_EQ(
      "\x1b[2Koracle       0/2  0 passed  0 failed  0 errors  ETA -\n"
      "\x1b[2Kflaky-model  0/2  0 passed  0 failed  0 errors  ETA -\n",
      out_.str());
  out_.str("");
  seconds_ = 30;
  p.Done("oracle", "t1", 0, "passed", "", 1000);
  // Up two lines, redraw both; a pass is not logged.
  EXPECT_EQ(
      "\x1b[2A\r"
      "\x1b[2Koracle       1/2  1 passed  0 failed  0 errors  ETA 30s\n"
      "\x1b[2Kflaky-model  0/2  0 passed  0 failed  0 errors  ETA -\n",
      out_.str());
  out_.str("");
  seconds_ = 90;
  p.Done("flaky-model", "t1", 0, "error", "endpoint down", 1000);
  // A non-pass is logged above the block, which moves down one line.
  EXPECT_EQ(
      "\x1b[2A\r"
      "\x1b[2K[2/4 ETA 90s] flaky-model t1: error - endpoint down (1.0s; "
      "flaky-model 0/1 passed)\n"
      "\x1b[2Koracle       1/2  1 passed  0 failed  0 errors  ETA 1m30s\n"
      "\x1b[2Kflaky-model  1/2  0 passed  0 failed  1 errors  ETA 1m30s\n",
      out_.str());
  out_.str("");
  p.Done("oracle", "t2", 0, "passed", "", 1000);
  p.Log("note");
  EXPECT_EQ(
      "\x1b[2A\r"
      "\x1b[2Koracle       2/2  2 passed  0 failed  0 errors  done\n"
      "\x1b[2Kflaky-model  1/2  0 passed  0 failed  1 errors  ETA 1m30s\n"
      "\x1b[2A\r\x1b[2Knote\n"
      "\x1b[2Koracle       2/2  2 passed  0 failed  0 errors  done\n"
      "\x1b[2Kflaky-model  1/2  0 passed  0 failed  1 errors  ETA 1m30s\n",
      out_.str());
}

TEST_F(ProgressTest, LiveStatusLinesNeverWrap) {
  ProgressOptions o = Options(true);
  o.width = 20;
  Progress p(1, o);
  p.Expect("a-rather-long-model-name", 1);
  p.Start();
  EXPECT_EQ("\x1b[2Ka-rather-long-model\n", out_.str());
}

TEST_F(ProgressTest, QuietPrintsNothing) {
  ProgressOptions o = Options(true);
  o.quiet = true;
  Progress p(1, o);
  p.Expect("m", 1);
  p.Start();
  p.Done("m", "t", 0, "failed", "x", 1);
  p.Log("x");
  EXPECT_EQ("", out_.str());
}

TEST(FormatDuration, Units) {
  EXPECT_EQ("0s", FormatDuration(0.2));
  EXPECT_EQ("59s", FormatDuration(59.4));
  EXPECT_EQ("1m00s", FormatDuration(60));
  EXPECT_EQ("1h01m", FormatDuration(3661));
}

}  // namespace
}  // namespace endstate::cli
