// Store support for resume and retries: reading a run back, abandoning
// interrupted attempts, and summaries that count only the latest try.
#include <gtest/gtest.h>

#include "results/sqlite.h"
#include "results/store.h"
#include "tests/results/temp_dir.h"

namespace endstate::results {
namespace {

using test::TempDir;

class StoreResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::Open(dir_.File("r.db"), &err_);
    ASSERT_TRUE(store_) << err_;
    run_ = store_->BeginRun({.config_json = R"({"resume":{}})",
                             .version = "0.1.0",
                             .host = "box",
                             .args = "endstate run --epochs 2",
                             .seed = 9},
                            &err_);
    ASSERT_GT(run_, 0) << err_;
    m_ = store_->AddModel(run_,
                          {.name = "m",
                           .provider = "openai",
                           .base_url = "http://127.0.0.1:1/v1",
                           .model = "qwen",
                           .sampling = {{"temperature", 0.5}},
                           .labels = {{"quant", "fp8"}}},
                          &err_);
    t_ = store_->AddTask(
        run_, {.id = "t", .title = "T", .level = "easy", .content_hash = "h1"},
        &err_);
    ASSERT_GT(m_, 0) << err_;
    ASSERT_GT(t_, 0) << err_;
  }
  int64_t Finished(int64_t id, const std::string& outcome, int turns = 1) {
    EXPECT_TRUE(store_->FinishAttempt(
        id,
        {.outcome = *::endstate::results::ParseOutcome(outcome),
         .termination = ::endstate::results::Termination::kAgentStop,
         .turns = turns},
        &err_))
        << err_;
    return id;
  }

  TempDir dir_;
  std::string err_;
  std::unique_ptr<Store> store_;
  int64_t run_ = -1, m_ = -1, t_ = -1;
};

TEST_F(StoreResumeTest, RunModelsAndTasksReadBack) {
  auto run = store_->GetRun(run_, &err_);
  ASSERT_TRUE(run) << err_;
  EXPECT_EQ(run_, run->id);
  EXPECT_EQ(R"({"resume":{}})", run->info.config_json);
  EXPECT_EQ("endstate run --epochs 2", run->info.args);
  EXPECT_EQ(9u, run->info.seed);
  EXPECT_EQ("running", run->status);
  EXPECT_EQ("", run->finished_at);
  auto models = store_->ListModels(run_, &err_);
  ASSERT_TRUE(models) << err_;
  ASSERT_EQ(1u, models->size());
  EXPECT_EQ(m_, (*models)[0].id);
  EXPECT_EQ("http://127.0.0.1:1/v1", (*models)[0].info.base_url);
  EXPECT_EQ("qwen", (*models)[0].info.model);
  EXPECT_EQ(0.5, (*models)[0].info.sampling["temperature"]);
  EXPECT_EQ("fp8", (*models)[0].info.labels["quant"]);
  auto tasks = store_->ListTasks(run_, &err_);
  ASSERT_TRUE(tasks) << err_;
  ASSERT_EQ(1u, tasks->size());
  EXPECT_EQ("t", (*tasks)[0].info.id);
  EXPECT_EQ("h1", (*tasks)[0].info.content_hash);

  ASSERT_TRUE(store_->FinishRun(run_, &err_)) << err_;
  ASSERT_TRUE(store_->ReopenRun(run_, &err_)) << err_;
  EXPECT_EQ("running", store_->GetRun(run_, &err_)->status);
  EXPECT_EQ("", store_->GetRun(run_, &err_)->finished_at);

  EXPECT_FALSE(store_->GetRun(99, &err_));
  EXPECT_EQ("no run with id 99", err_);
  EXPECT_FALSE(store_->ReopenRun(99, &err_));
  EXPECT_EQ("no run with id 99", err_);
  EXPECT_TRUE(store_->ListModels(99, &err_)->empty());
}

TEST_F(StoreResumeTest, AbandonKeepsTurnsAndMarksInterrupted) {
  int64_t a = store_->BeginAttempt(run_, m_, t_, 0, &err_);
  ASSERT_TRUE(store_->RecordTurn(a, {.index = 0, .content = "half"}, &err_));
  ASSERT_TRUE(store_->AbandonAttempt(a, "interrupted: killed", &err_)) << err_;
  EXPECT_EQ(1, store_->CountTurns(a, &err_));
  auto rows = store_->ListAttempts(run_, &err_);
  ASSERT_TRUE(rows) << err_;
  ASSERT_EQ(1u, rows->size());
  EXPECT_EQ("finished", (*rows)[0].status);
  EXPECT_EQ(Outcome::kError, (*rows)[0].outcome);
  EXPECT_EQ("interrupted",
            ::endstate::results::TerminationName((*rows)[0].termination));
  EXPECT_EQ(0, (*rows)[0].parent_attempt_id);
  // Only a running attempt can be abandoned.
  EXPECT_FALSE(store_->AbandonAttempt(a, "again", &err_));
  EXPECT_EQ("attempt " + std::to_string(a) + " is not running", err_);
  EXPECT_FALSE(store_->AbandonAttempt(999, "x", &err_));
  EXPECT_EQ("attempt 999 is not running", err_);
}

TEST_F(StoreResumeTest, OnlyTheLatestTryOfASlotCounts) {
  // Epoch 0: error, then retried and passed. Epoch 1: interrupted, re-run
  // and failed. Epoch 2: an error with no retry.
  int64_t e0 = Finished(store_->BeginAttempt(run_, m_, t_, 0, &err_), "error");
  TurnRecord bad{.index = 0};
  bad.tool_calls.push_back({.name = "x", .error_kind = "invalid_json"});
  ASSERT_TRUE(store_->RecordTurn(e0, bad, &err_)) << err_;
  int64_t e0b = Finished(store_->BeginRetry(e0, &err_), "passed", 3);
  int64_t e1 = store_->BeginAttempt(run_, m_, t_, 1, &err_);
  ASSERT_TRUE(store_->AbandonAttempt(e1, "interrupted", &err_)) << err_;
  Finished(store_->BeginRetry(e1, &err_), "failed", 5);
  Finished(store_->BeginAttempt(run_, m_, t_, 2, &err_), "error", 0);

  auto sums = test::OpenReader(dir_.File("r.db")).Summarize(run_, &err_);
  ASSERT_TRUE(sums) << err_;
  ASSERT_EQ(1u, sums->size());
  const ModelSummary& s = (*sums)[0];
  EXPECT_EQ(3, s.attempts);
  EXPECT_EQ(1, s.passed);
  EXPECT_EQ(1, s.failed);
  EXPECT_EQ(1, s.errored);
  EXPECT_EQ(0, s.unfinished);
  EXPECT_EQ(2, s.earlier_tries);
  EXPECT_DOUBLE_EQ(0.5, s.completion_rate);
  EXPECT_DOUBLE_EQ((3.0 + 5 + 0) / 3, s.mean_turns);
  EXPECT_EQ(0, s.tool_calls);  // the bad call was in a superseded try
  EXPECT_TRUE(s.tool_call_errors.empty());

  auto cells = test::OpenReader(dir_.File("r.db")).TaskMatrix(run_, &err_);
  ASSERT_TRUE(cells) << err_;
  ASSERT_EQ(1u, cells->size());
  EXPECT_EQ(1, (*cells)[0].passed);
  EXPECT_EQ(1, (*cells)[0].failed);
  EXPECT_EQ(1, (*cells)[0].errored);

  auto rows = store_->ListAttempts(run_, &err_);
  ASSERT_TRUE(rows) << err_;
  ASSERT_EQ(5u, rows->size());
  EXPECT_EQ(e0, (*rows)[1].parent_attempt_id);
  EXPECT_EQ(e0b, (*rows)[1].id);
  EXPECT_EQ(2, (*rows)[1].try_number);
  EXPECT_EQ(e1, (*rows)[3].parent_attempt_id);
}

}  // namespace
}  // namespace endstate::results
