#include "cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/eta.h"

namespace endstate::cli {
namespace {

class ProgressTest : public ::testing::Test {
 protected:
  ProgressOptions Options(bool live) {
    return {.quiet = false, .live = live, .out = &out_, .concurrency = 2};
  }
  std::ostringstream out_;
};

TEST_F(ProgressTest, PlainLinesPerAttempt) {
  Progress p(4, Options(false));
  p.Expect("m1", 2);
  p.Expect("m2", 2);
  p.Start();  // nothing in plain mode
  EXPECT_EQ("", out_.str());
  p.Done("m1", "t1", 0, "passed", "", 10000);
  p.Done("m2", "t1", 1, "failed", "html: no <h1>", 20000);
  // Mean 10 s, 3 left on 2 slots: 15 s; then mean 15 s, 2 left: 15 s.
  EXPECT_EQ(
      "[1/4 ETA 15s] m1 t1: passed (10.0s; m1 1/1 passed)\n"
      "[2/4 ETA 15s] m2 t1 #2: failed - html: no <h1> (20.0s; m2 0/1 "
      "passed)\n",
      out_.str());
}

TEST_F(ProgressTest, PlainLinesShowDisplayNames) {
  Progress p(1, Options(false));
  p.Expect("openai:http://127.0.0.1:18932/v1#qwen", 1);
  p.Done("openai:http://127.0.0.1:18932/v1#qwen", "t1", 0, "passed", "", 1000);
  EXPECT_EQ("[1/1 ETA 0s] qwen t1: passed (1.0s; qwen 1/1 passed)\n",
            out_.str());
}

TEST_F(ProgressTest, LiveStatusLinesRewrittenInPlace) {
  Progress p(4, Options(true));
  p.Expect("oracle", 2);
  p.Expect("flaky-model", 2);
  p.Start();
  // No ETA before the first attempt finished.
  EXPECT_EQ(
      "\r\x1b[J"
      "oracle       0/2  0 passed  0 failed  0 errors  ETA -\n"
      "flaky-model  0/2  0 passed  0 failed  0 errors  ETA -\n",
      out_.str());
  out_.str("");
  p.Done("oracle", "t1", 0, "passed", "", 30000);
  // Up two lines, clear, redraw both; a pass is not logged. 3 left at
  // 30 s each on 2 slots.
  EXPECT_EQ(
      "\x1b[2A\r\x1b[J"
      "oracle       1/2  1 passed  0 failed  0 errors  ETA 45s\n"
      "flaky-model  0/2  0 passed  0 failed  0 errors  ETA 45s\n",
      out_.str());
  out_.str("");
  p.Done("flaky-model", "t1", 0, "error", "endpoint down", 90000);
  // A non-pass is logged above the block, which moves down one line.
  EXPECT_EQ(
      "\x1b[2A\r\x1b[J"
      "[2/4 ETA 1m00s] flaky-model t1: error - endpoint down (90.0s; "
      "flaky-model 0/1 passed)\n"
      "oracle       1/2  1 passed  0 failed  0 errors  ETA 1m00s\n"
      "flaky-model  1/2  0 passed  0 failed  1 errors  ETA 1m00s\n",
      out_.str());
  out_.str("");
  p.Done("oracle", "t2", 0, "passed", "", 60000);
  p.Log("note");
  EXPECT_EQ(
      "\x1b[2A\r\x1b[J"
      "oracle       2/2  2 passed  0 failed  0 errors  done\n"
      "flaky-model  1/2  0 passed  0 failed  1 errors  ETA 1m00s\n"
      "\x1b[2A\r\x1b[Jnote\n"
      "oracle       2/2  2 passed  0 failed  0 errors  done\n"
      "flaky-model  1/2  0 passed  0 failed  1 errors  ETA 1m00s\n",
      out_.str());
}

// At a fixed width of 40: the status line is cut to 39 columns ending
// "...", and a failure line wider than the terminal is written in full
// after the block was cleared to the end of the screen, so the old status
// line's tail cannot stay glued to its wrapped end.
TEST_F(ProgressTest, LiveFitsTheWidthAndClearsUnderWideFailureLines) {
  ProgressOptions o = Options(true);
  o.width = 40;
  Progress p(2, o);
  p.Expect("openai:http://127.0.0.1:18932/v1#qwen", 2);
  p.Start();
  const std::string first = "qwen  0/2  0 passed  0 failed  0 errors  ETA -";
  ASSERT_GE(first.size(), 40u);
  EXPECT_EQ("\r\x1b[J" + first.substr(0, 36) + "...\n", out_.str());
  EXPECT_EQ(39u, out_.str().size() - 5);  // "\r\x1b[J" and "\n" aside
  out_.str("");
  p.Done("openai:http://127.0.0.1:18932/v1#qwen", "a-task", 0, "failed",
         "html: check 3 of 4 (title) expected 'Blog' but found 'Welcome'",
         2000);
  EXPECT_EQ(
      "\x1b[1A\r\x1b[J"
      "[1/2 ETA 2s] qwen a-task: failed - html: check 3 of 4 (title) "
      "expected 'Blog' but found 'Welcome' (2.0s; qwen 0/1 passed)\n"
      "qwen  1/2  0 passed  1 failed  0 err...\n",
      out_.str());
}

TEST_F(ProgressTest, ColumnsAreAskedAtEveryRedraw) {
  ProgressOptions o = Options(true);
  int columns = 0;
  o.columns = [&] { return columns; };
  Progress p(1, o);
  p.Expect("m", 1);
  p.Start();
  EXPECT_EQ("\r\x1b[Jm  0/1  0 passed  0 failed  0 errors  ETA -\n",
            out_.str());
  out_.str("");
  columns = 12;
  p.Log("x");
  // The old 43-column line now takes 4 rows of 12: up 4 to clear it all.
  EXPECT_EQ("\x1b[4A\r\x1b[Jx\nm  0/1  ...\n", out_.str());
  out_.str("");
  p.Log("y");
  EXPECT_EQ("\x1b[1A\r\x1b[Jy\nm  0/1  ...\n", out_.str());
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

// The case of issue 15: 20 attempts of about 3.8 s on 4 slots (a 19 s
// run) whose first attempt ended 10 s in, after start-up. The old
// estimate (elapsed / done * left = 10 / 1 * 19) said 190 s; the attempts'
// own times say 18 s at once.
TEST(EtaEstimator, FromFinishedAttemptsOverConcurrency) {
  EtaEstimator eta(4);
  EXPECT_EQ(std::nullopt, eta.SecondsLeft(20));  // nothing finished yet
  EXPECT_EQ(0.0, eta.SecondsLeft(0));
  eta.Finished(3.8);
  EXPECT_DOUBLE_EQ(3.8 * 19 / 4, *eta.SecondsLeft(19));
  eta.Finished(4.2);  // mean 4 s
  EXPECT_DOUBLE_EQ(4.0 * 18 / 4, *eta.SecondsLeft(18));
  // Fewer left than slots: they run side by side, one mean apart.
  EXPECT_DOUBLE_EQ(4.0, *eta.SecondsLeft(3));
  EXPECT_DOUBLE_EQ(4.0, *eta.SecondsLeft(1));
}

// Longest tasks start first, so those done are longer than those left:
// weights (the tasks' reference turns) scale the estimate down.
TEST(EtaEstimator, WeightsAreExpectedLengths) {
  EtaEstimator eta(2);
  eta.Finished(10, 10);  // 1 s per unit of weight
  eta.Finished(6, 6);
  // 4 attempts of weight 2 left: 8 units on 2 slots.
  EXPECT_DOUBLE_EQ(4.0, *eta.SecondsLeft(4, 8));
  // Unweighted, the mean of 8 s per attempt would say 16 s.
  EtaEstimator plain(2);
  plain.Finished(10);
  plain.Finished(6);
  EXPECT_DOUBLE_EQ(16.0, *plain.SecondsLeft(4));
  eta.Finished(1, 0);  // no weight counts as 1
  EXPECT_DOUBLE_EQ(17.0 / 17 * 3, *eta.SecondsLeft(1, 3));
}

TEST_F(ProgressTest, EtaUsesTheAttemptsWeights) {
  Progress p(3, Options(false));
  p.Expect("m", 1, 10);
  p.Expect("m", 2, 2);
  p.Done("m", "long", 0, "passed", "", 10000, 10);
  // 1 s per unit; 4 units left on 2 slots.
  EXPECT_EQ("[1/3 ETA 2s] m long: passed (10.0s; m 1/1 passed)\n", out_.str());
}

TEST(EtaEstimator, ConcurrencyBelowOneCountsAsOne) {
  EtaEstimator eta(0);
  eta.Finished(2);
  eta.Finished(-1);  // a clock step back counts as 0 s
  EXPECT_DOUBLE_EQ(1.0 * 5, *eta.SecondsLeft(5));
}

}  // namespace
}  // namespace endstate::cli
