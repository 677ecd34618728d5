#include "results/transcript.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "results/sqlite.h"
#include "tests/results/temp_dir.h"

namespace endstate::results {
namespace {

using test::TempDir;

class TranscriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("t.db");
    store_ = Store::Open(path_, &err_);
    ASSERT_TRUE(store_) << err_;
    run_ = store_->BeginRun({.config_json = "{}", .version = "0.1.0"}, &err_);
    ASSERT_GT(run_, 0) << err_;
    alpha_ =
        store_->AddModel(run_, {.name = "alpha", .provider = "oracle"}, &err_);
    beta_ = store_->AddModel(run_, {.name = "beta", .provider = "null"}, &err_);
    t1_ = store_->AddTask(
        run_, {.id = "t1", .title = "Fix the blog", .level = "easy"}, &err_);
    t2_ = store_->AddTask(run_, {.id = "t2", .title = "Deploy"}, &err_);
    ASSERT_GT(t2_, 0) << err_;
  }

  int64_t Finished(int64_t model, int64_t task, int epoch,
                   const std::string& outcome) {
    int64_t id = store_->BeginAttempt(run_, model, task, epoch, &err_);
    EXPECT_GT(id, 0) << err_;
    EXPECT_TRUE(store_->FinishAttempt(
        id,
        {.outcome = *::endstate::results::ParseOutcome(outcome),
         .termination = ::endstate::results::Termination::kAgentStop,
         .turns = 1},
        &err_))
        << err_;
    return id;
  }

  TempDir dir_;
  // The record's reader, opened on first use.
  RunReader& Reader() {
    if (!reader_) reader_ = test::OpenReader(path_);
    return *reader_;
  }
  std::optional<RunReader> reader_;
  std::string path_, err_;
  std::unique_ptr<Store> store_;
  int64_t run_ = 0, alpha_ = 0, beta_ = 0, t1_ = 0, t2_ = 0;
};

TEST_F(TranscriptTest, LoadsHeaderTurnsToolCallsAndChecksInOrder) {
  int64_t id = store_->BeginAttempt(run_, alpha_, t1_, 2, &err_);
  ASSERT_GT(id, 0) << err_;
  // Recorded out of order: the transcript comes back by index.
  TurnRecord second{
      .index = 1, .content = "done", .finish_reason = "stop", .duration_ms = 5};
  TurnRecord first{.index = 0,
                   .raw_request = "{\"req\":1}",
                   .raw_response = "{\"resp\":1}",
                   .content = "Let me look.",
                   .reasoning = "think first",
                   .finish_reason = "tool_calls",
                   .prompt_tokens = 120,
                   .completion_tokens = 30,
                   .ttft_ms = 12.5,
                   .duration_ms = 40,
                   .retries = 2,
                   .leaked_markup = "",
                   .tool_calls = {{.index = 1,
                                   .call_id = "c2",
                                   .name = "web_fetch",
                                   .arguments_raw = "{bad",
                                   .error_kind = "invalid_json",
                                   .result = "arguments are not JSON",
                                   .is_error = true,
                                   .duration_ms = 0},
                                  {.index = 0,
                                   .call_id = "c1",
                                   .name = "shell",
                                   .arguments_raw = "{\"command\":\"ls\"}",
                                   .result = "index.html\n",
                                   .exit_code = 0,
                                   .duration_ms = 3.5}}};
  ASSERT_TRUE(store_->RecordTurn(id, second, &err_)) << err_;
  ASSERT_TRUE(store_->RecordTurn(id, first, &err_)) << err_;
  ASSERT_TRUE(store_->RecordChecks(id,
                                   {{.index = 1,
                                     .kind = "http",
                                     .spec_json = "{}",
                                     .verdict = "failed",
                                     .detail = "GET / returned 500"},
                                    {.index = 0,
                                     .kind = "file",
                                     .spec_json = "{\"path\":\"a\"}",
                                     .verdict = "passed",
                                     .detail = "a exists",
                                     .duration_ms = 1.25}},
                                   &err_))
      << err_;
  ASSERT_TRUE(store_->FinishAttempt(
      id,
      {.outcome = ::endstate::results::Outcome::kFailed,
       .termination = ::endstate::results::Termination::kAgentStop,
       .turns = 2,
       .prompt_tokens = 120,
       .completion_tokens = 30,
       .wall_ms = 100,
       .model_ms = 45,
       .tool_ms = 3.5,
       .grade_ms = 1.25},
      &err_))
      << err_;

  auto t = LoadTranscript(Reader(), id, &err_);
  ASSERT_TRUE(t) << err_;
  const AttemptHeader& h = t->attempt;
  EXPECT_EQ(id, h.id);
  EXPECT_EQ(run_, h.run_id);
  EXPECT_EQ("alpha", h.model);
  EXPECT_EQ("t1", h.task);
  EXPECT_EQ("Fix the blog", h.task_title);
  EXPECT_EQ(2, h.epoch);
  EXPECT_EQ(1, h.try_number);
  EXPECT_EQ(0, h.parent_attempt_id);
  EXPECT_EQ("finished", h.status);
  EXPECT_EQ("failed", h.outcome);
  EXPECT_EQ("agent_stop", h.termination);
  EXPECT_EQ("", h.error);
  EXPECT_EQ(2, h.turns);
  EXPECT_EQ(120, h.prompt_tokens);
  EXPECT_EQ(30, h.completion_tokens);
  EXPECT_DOUBLE_EQ(100, h.wall_ms);
  EXPECT_DOUBLE_EQ(45, h.model_ms);
  EXPECT_DOUBLE_EQ(3.5, h.tool_ms);
  EXPECT_DOUBLE_EQ(1.25, h.grade_ms);
  EXPECT_FALSE(h.started_at.empty());
  EXPECT_FALSE(h.finished_at.empty());

  ASSERT_EQ(2u, t->turns.size());
  const TurnRecord& a = t->turns[0];
  EXPECT_EQ(0, a.index);
  EXPECT_EQ("{\"req\":1}", a.raw_request);
  EXPECT_EQ("{\"resp\":1}", a.raw_response);
  EXPECT_EQ("Let me look.", a.content);
  EXPECT_EQ("think first", a.reasoning);
  EXPECT_EQ("tool_calls", a.finish_reason);
  EXPECT_EQ(120, a.prompt_tokens);
  EXPECT_EQ(30, a.completion_tokens);
  EXPECT_DOUBLE_EQ(12.5, a.ttft_ms);
  EXPECT_DOUBLE_EQ(40, a.duration_ms);
  EXPECT_EQ(2, a.retries);
  ASSERT_EQ(2u, a.tool_calls.size());
  EXPECT_EQ(0, a.tool_calls[0].index);
  EXPECT_EQ("c1", a.tool_calls[0].call_id);
  EXPECT_EQ("shell", a.tool_calls[0].name);
  EXPECT_EQ("{\"command\":\"ls\"}", a.tool_calls[0].arguments_raw);
  EXPECT_EQ("", a.tool_calls[0].error_kind);
  EXPECT_EQ("index.html\n", a.tool_calls[0].result);
  EXPECT_FALSE(a.tool_calls[0].is_error);
  EXPECT_EQ(0, a.tool_calls[0].exit_code);
  EXPECT_DOUBLE_EQ(3.5, a.tool_calls[0].duration_ms);
  EXPECT_EQ("invalid_json", a.tool_calls[1].error_kind);
  EXPECT_TRUE(a.tool_calls[1].is_error);
  EXPECT_EQ(-1, a.tool_calls[1].exit_code);  // NULL: no process ran
  // Usage and TTFT not reported read back as -1.
  const TurnRecord& b = t->turns[1];
  EXPECT_EQ(1, b.index);
  EXPECT_EQ("done", b.content);
  EXPECT_EQ(-1, b.prompt_tokens);
  EXPECT_EQ(-1, b.completion_tokens);
  EXPECT_DOUBLE_EQ(-1, b.ttft_ms);
  EXPECT_TRUE(b.tool_calls.empty());

  ASSERT_EQ(2u, t->checks.size());
  EXPECT_EQ(0, t->checks[0].index);
  EXPECT_EQ("file", t->checks[0].kind);
  EXPECT_EQ("{\"path\":\"a\"}", t->checks[0].spec_json);
  EXPECT_EQ("passed", t->checks[0].verdict);
  EXPECT_EQ("a exists", t->checks[0].detail);
  EXPECT_DOUBLE_EQ(1.25, t->checks[0].duration_ms);
  EXPECT_EQ("failed", t->checks[1].verdict);
  EXPECT_EQ("GET / returned 500", t->checks[1].detail);
}

TEST_F(TranscriptTest, RunningAttemptAndRetryHeaders) {
  int64_t first = Finished(alpha_, t1_, 0, "error");
  int64_t retry = store_->BeginRetry(first, &err_);
  ASSERT_GT(retry, 0) << err_;
  auto t = LoadTranscript(Reader(), retry, &err_);
  ASSERT_TRUE(t) << err_;
  EXPECT_EQ("running", t->attempt.status);
  EXPECT_EQ("", t->attempt.outcome);
  EXPECT_EQ("", t->attempt.finished_at);
  EXPECT_EQ(2, t->attempt.try_number);
  EXPECT_EQ(first, t->attempt.parent_attempt_id);
  EXPECT_TRUE(t->turns.empty());
  EXPECT_TRUE(t->checks.empty());
}

TEST_F(TranscriptTest, MissingAttemptIsNamed) {
  EXPECT_FALSE(LoadTranscript(Reader(), 42, &err_));
  EXPECT_EQ("no attempt 42 in " + path_, err_);
}

TEST(TranscriptOpen, MissingDatabaseIsNotCreated) {
  TempDir dir;
  std::string path = dir.File("none.db"), err;
  EXPECT_FALSE(RunReader::Open(path, &err));
  EXPECT_EQ(path + ": no such database", err);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(TranscriptTest, ReadsWhileAWriterHoldsTheLock) {
  int64_t id = Finished(alpha_, t1_, 0, "passed");
  auto writer = Db::Open(path_, &err_);
  ASSERT_TRUE(writer) << err_;
  ASSERT_TRUE(
      writer->Exec("BEGIN IMMEDIATE; UPDATE attempts SET turns = 9", &err_))
      << err_;
  auto t = LoadTranscript(Reader(), id, &err_);  // WAL: sees the last commit
  ASSERT_TRUE(t) << err_;
  EXPECT_EQ(1, t->attempt.turns);
  ASSERT_TRUE(writer->Exec("ROLLBACK", &err_)) << err_;
}

std::vector<int64_t> Ids(const std::vector<AttemptHeader>& headers) {
  std::vector<int64_t> ids;
  for (const auto& h : headers) ids.push_back(h.id);
  return ids;
}

TEST_F(TranscriptTest, ListFiltersByModelTaskAndOutcome) {
  int64_t a = Finished(alpha_, t1_, 0, "passed");
  int64_t b = Finished(alpha_, t2_, 0, "failed");
  int64_t c = Finished(beta_, t1_, 0, "error");
  int64_t d = Finished(beta_, t2_, 0, "failed");
  int64_t running = store_->BeginAttempt(run_, beta_, t2_, 1, &err_);
  int64_t other_run = store_->BeginRun({.config_json = "{}"}, &err_);
  int64_t m = store_->AddModel(other_run, {.name = "alpha"}, &err_);
  int64_t t = store_->AddTask(other_run, {.id = "t1"}, &err_);
  ASSERT_GT(store_->BeginAttempt(other_run, m, t, 0, &err_), 0) << err_;

  auto list = [&](const AttemptFilter& f) {
    auto out = ListAttemptHeaders(Reader(), run_, f, &err_);
    EXPECT_TRUE(out) << err_;
    return out ? Ids(*out) : std::vector<int64_t>{};
  };
  EXPECT_EQ((std::vector<int64_t>{a, b, c, d, running}), list({}));
  EXPECT_EQ((std::vector<int64_t>{c, d, running}), list({.model = "beta"}));
  EXPECT_EQ((std::vector<int64_t>{a, c}), list({.task = "t1"}));
  EXPECT_EQ((std::vector<int64_t>{b, d}), list({.outcome = "failed"}));
  EXPECT_EQ((std::vector<int64_t>{b, c, d}),
            list({.outcome = "failed", .failed_or_error = true}));
  EXPECT_EQ((std::vector<int64_t>{c, d}),
            list({.model = "beta", .failed_or_error = true}));
  EXPECT_EQ((std::vector<int64_t>{c}), list({.outcome = "error"}));
  EXPECT_EQ((std::vector<int64_t>{}), list({.model = "gamma"}));
  auto none = ListAttemptHeaders(Reader(), 999, {}, &err_);
  ASSERT_TRUE(none) << err_;
  EXPECT_TRUE(none->empty());
  auto headers = ListAttemptHeaders(Reader(), run_, {.task = "t2"}, &err_);
  ASSERT_TRUE(headers) << err_;
  ASSERT_EQ(3u, headers->size());
  EXPECT_EQ("Deploy", (*headers)[0].task_title);
  EXPECT_EQ("alpha", (*headers)[0].model);
  EXPECT_EQ("failed", (*headers)[0].outcome);
  EXPECT_EQ("running", (*headers)[2].status);
}

}  // namespace
}  // namespace endstate::results
