#include "results/store.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "results/schema.h"
#include "results/sqlite.h"
#include "tests/results/temp_dir.h"

namespace endstate::results {
namespace {

using test::TempDir;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("results.db");
    store_ = Store::Open(path_, &err_);
    ASSERT_TRUE(store_) << err_;
    run_ = store_->BeginRun({.config_json = "{}",
                             .version = "0.1.0",
                             .host = "box",
                             .args = "endstate run",
                             .seed = 7},
                            &err_);
    ASSERT_GT(run_, 0) << err_;
  }

  int64_t Model(const std::string& name) {
    int64_t id = store_->AddModel(
        run_, {.name = name, .provider = "openai", .model = name}, &err_);
    EXPECT_GT(id, 0) << err_;
    return id;
  }
  int64_t Task(const std::string& id) {
    int64_t row = store_->AddTask(
        run_, {.id = id, .title = id, .level = "easy", .content_hash = "h"},
        &err_);
    EXPECT_GT(row, 0) << err_;
    return row;
  }
  // One attempt with `turns` turns; each turn carries one tool call per
  // entry of `call_errors` ("" = valid). Finished unless outcome is "".
  int64_t Attempt(int64_t model, int64_t task, int epoch,
                  const std::string& outcome, int turns, int64_t prompt,
                  int64_t completion,
                  const std::vector<std::string>& call_errors = {}) {
    int64_t id = store_->BeginAttempt(run_, model, task, epoch, &err_);
    EXPECT_GT(id, 0) << err_;
    TurnRecord turn{.index = 0, .content = "ok"};
    for (size_t i = 0; i < call_errors.size(); ++i) {
      turn.tool_calls.push_back({.index = static_cast<int>(i),
                                 .call_id = "call_" + std::to_string(i),
                                 .name = "shell",
                                 .arguments_raw = "{}",
                                 .error_kind = call_errors[i]});
    }
    if (!call_errors.empty()) {
      EXPECT_TRUE(store_->RecordTurn(id, turn, &err_)) << err_;
    }
    if (!outcome.empty()) {
      EXPECT_TRUE(store_->FinishAttempt(
          id,
          {.outcome = *::endstate::results::ParseOutcome(outcome),
           .termination = ::endstate::results::Termination::kAgentStop,
           .turns = turns,
           .prompt_tokens = prompt,
           .completion_tokens = completion},
          &err_))
          << err_;
    }
    return id;
  }
  // Reads one integer through a second, independent connection.
  int64_t ReadInt(const std::string& sql) {
    std::string err;
    auto db = Db::Open(path_, &err);
    EXPECT_TRUE(db) << err;
    if (!db) return -1;
    auto v = db->QueryInt(sql.c_str(), &err);
    EXPECT_TRUE(v) << err;
    return v.value_or(-1);
  }

  TempDir dir_;
  std::string path_, err_;
  std::unique_ptr<Store> store_;
  int64_t run_ = -1;
};

TEST_F(StoreTest, OpenTwiceIsIdempotentAndKeepsData) {
  Model("alpha");
  store_.reset();
  for (int i = 0; i < 2; ++i) {
    auto again = Store::Open(path_, &err_);
    ASSERT_TRUE(again) << err_;
    EXPECT_EQ(run_, test::OpenReader(path_).LatestRun(&err_));
  }
  EXPECT_EQ(kSchemaVersion, ReadInt("PRAGMA user_version"));
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM models"));
  EXPECT_EQ(11, ReadInt("SELECT count(*) FROM sqlite_schema WHERE type = "
                        "'table'"));
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  store_.reset();
  {
    auto db = Db::Open(path_, &err_);
    ASSERT_TRUE(db) << err_;
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 9", &err_)) << err_;
  }
  EXPECT_FALSE(Store::Open(path_, &err_));
  EXPECT_EQ("cannot open " + path_ +
                ": database schema version 9 is newer than this endstate "
                "supports (" +
                std::to_string(kSchemaVersion) + ")",
            err_);
}

TEST(StoreOpen, BadPathNamesThePath) {
  std::string err;
  EXPECT_FALSE(Store::Open("/nonexistent-endstate-dir/r.db", &err));
  EXPECT_EQ(
      "cannot open /nonexistent-endstate-dir/r.db: unable to open database "
      "file",
      err);
}

TEST_F(StoreTest, FullRunSummarizedExactly) {
  int64_t alpha = Model("alpha"), beta = Model("beta");
  int64_t t1 = Task("t1"), t2 = Task("t2");
  EXPECT_EQ(alpha, Model("alpha"));  // inserted once
  EXPECT_EQ(t1, Task("t1"));
  Attempt(alpha, t1, 0, "passed", 3, 100, 20, {"", "invalid_json"});
  Attempt(alpha, t1, 1, "passed", 5, 200, 40, {"unknown_tool"});
  Attempt(alpha, t2, 0, "failed", 4, 150, 30);
  Attempt(alpha, t2, 1, "error", 1, 10, 0);
  Attempt(beta, t1, 0, "failed", 2, 50, 10);
  Attempt(beta, t1, 1, "", 0, 0, 0, {"schema_violation", ""});  // running
  Attempt(beta, t2, 0, "error", 0, 0, 0);
  ASSERT_TRUE(store_->FinishRun(run_, &err_)) << err_;

  auto sums = test::OpenReader(path_).Summarize(run_, &err_);
  ASSERT_TRUE(sums) << err_;
  ASSERT_EQ(2u, sums->size());
  const ModelSummary& a = (*sums)[0];
  EXPECT_EQ("alpha", a.name);
  EXPECT_EQ(4, a.attempts);
  EXPECT_EQ(2, a.passed);
  EXPECT_EQ(1, a.failed);
  EXPECT_EQ(1, a.errored);
  EXPECT_EQ(0, a.unfinished);
  EXPECT_DOUBLE_EQ(2.0 / 3.0, a.completion_rate);
  EXPECT_DOUBLE_EQ(3.25, a.mean_turns);
  EXPECT_EQ(460, a.prompt_tokens);
  EXPECT_EQ(90, a.completion_tokens);
  EXPECT_EQ(3, a.tool_calls);
  EXPECT_EQ(
      (std::map<std::string, int>{{"invalid_json", 1}, {"unknown_tool", 1}}),
      a.tool_call_errors);
  const ModelSummary& b = (*sums)[1];
  EXPECT_EQ("beta", b.name);
  EXPECT_EQ(3, b.attempts);
  EXPECT_EQ(0, b.passed);
  EXPECT_EQ(1, b.failed);
  EXPECT_EQ(1, b.errored);
  EXPECT_EQ(1, b.unfinished);
  EXPECT_DOUBLE_EQ(0.0, b.completion_rate);
  EXPECT_DOUBLE_EQ(1.0, b.mean_turns);
  EXPECT_EQ(50, b.prompt_tokens);
  EXPECT_EQ(10, b.completion_tokens);
  EXPECT_EQ(2, b.tool_calls);
  EXPECT_EQ((std::map<std::string, int>{{"schema_violation", 1}}),
            b.tool_call_errors);

  auto cells = test::OpenReader(path_).TaskMatrix(run_, &err_);
  ASSERT_TRUE(cells) << err_;
  std::vector<std::string> got;
  for (const auto& c : *cells) {
    got.push_back(c.task + "/" + c.model + " " + std::to_string(c.passed) +
                  " " + std::to_string(c.failed) + " " +
                  std::to_string(c.errored));
  }
  EXPECT_EQ((std::vector<std::string>{"t1/alpha 2 0 0", "t1/beta 0 1 0",
                                      "t2/alpha 0 1 1", "t2/beta 0 0 1"}),
            got);
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM runs WHERE status = 'finished' "
                       "AND finished_at IS NOT NULL"));
}

TEST_F(StoreTest, ErrorsAreExcludedFromTheRate) {
  int64_t m = Model("m");
  int64_t t = Task("t");
  Attempt(m, t, 0, "passed", 1, 0, 0);
  for (int e = 1; e <= 3; ++e) Attempt(m, t, e, "error", 0, 0, 0);
  auto sums = test::OpenReader(path_).Summarize(run_, &err_);
  ASSERT_TRUE(sums) << err_;
  EXPECT_EQ(4, (*sums)[0].attempts);
  EXPECT_EQ(3, (*sums)[0].errored);
  EXPECT_DOUBLE_EQ(1.0, (*sums)[0].completion_rate);
}

TEST_F(StoreTest, EachTurnIsVisibleToAnotherConnectionAtOnce) {
  int64_t attempt = store_->BeginAttempt(run_, Model("m"), Task("t"), 0, &err_);
  ASSERT_GT(attempt, 0) << err_;
  TurnRecord turn{.index = 0,
                  .raw_request = R"({"messages":[]})",
                  .raw_response = R"({"choices":[]})",
                  .content = "",
                  .finish_reason = "tool_calls",
                  .duration_ms = 12.5};
  turn.tool_calls.push_back({.call_id = "c1",
                             .name = "write_file",
                             .arguments_raw = "{not json",
                             .error_kind = "invalid_json",
                             .result = "arguments are not valid JSON",
                             .is_error = true});
  ASSERT_TRUE(store_->RecordTurn(attempt, turn, &err_)) << err_;
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM turns WHERE attempt_id = " +
                       std::to_string(attempt)));
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM tool_calls WHERE name = "
                       "'write_file' AND arguments_raw = '{not json' AND "
                       "is_error = 1 AND exit_code IS NULL"));
  // Unreported usage and TTFT (-1) are stored as NULL.
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM turns WHERE prompt_tokens IS "
                       "NULL AND ttft_ms IS NULL AND duration_ms = 12.5"));
  turn.index = 1;
  turn.tool_calls.clear();
  turn.prompt_tokens = 30;
  ASSERT_TRUE(store_->RecordTurn(attempt, turn, &err_)) << err_;
  EXPECT_EQ(2, ReadInt("SELECT count(*) FROM turns"));
  EXPECT_EQ(2, store_->CountTurns(attempt, &err_));
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM attempts WHERE status = "
                       "'running'"));
}

TEST_F(StoreTest, FailedTurnLeavesNothingBehind) {
  int64_t attempt = store_->BeginAttempt(run_, Model("m"), Task("t"), 0, &err_);
  TurnRecord turn{.index = 0};
  turn.tool_calls.push_back({.index = 0, .name = "a"});
  turn.tool_calls.push_back({.index = 0, .name = "b"});  // duplicate index
  EXPECT_FALSE(store_->RecordTurn(attempt, turn, &err_));
  EXPECT_EQ(
      "UNIQUE constraint failed: tool_calls.turn_id, tool_calls.idx (in: "
      "INSERT INTO tool_calls (turn_id, idx, call_id, name, arguments_raw, "
      "error_kind, result, is_error, exit_code, duration_ms) VALUES (1, 0, "
      "'', 'b', '', '', '', 0, NULL, 0.0))",
      err_);
  EXPECT_EQ(0, ReadInt("SELECT count(*) FROM turns"));
  EXPECT_EQ(0, ReadInt("SELECT count(*) FROM tool_calls"));
  // The statements were reset: the next turn records normally.
  turn.tool_calls.pop_back();
  EXPECT_TRUE(store_->RecordTurn(attempt, turn, &err_)) << err_;
}

TEST_F(StoreTest, ReferencesAndValuesAreChecked) {
  EXPECT_FALSE(store_->RecordTurn(999, TurnRecord{}, &err_));
  EXPECT_EQ(0u, err_.find("FOREIGN KEY constraint failed (in: INSERT INTO "
                          "turns"))
      << err_;
  EXPECT_FALSE(store_->FinishAttempt(
      999, {.outcome = ::endstate::results::Outcome::kPassed}, &err_));
  EXPECT_EQ("no attempt with id 999", err_);
  EXPECT_FALSE(store_->FinishRun(999, &err_));
  EXPECT_EQ("no run with id 999", err_);
  auto none = test::OpenReader(path_).Summarize(999, &err_);
  ASSERT_TRUE(none) << err_;
  EXPECT_TRUE(none->empty());
  auto no_cells = test::OpenReader(path_).TaskMatrix(999, &err_);
  ASSERT_TRUE(no_cells) << err_;
  EXPECT_TRUE(no_cells->empty());
  // An outcome outside passed | failed | error cannot be written any more:
  // AttemptOutcome holds results::Outcome (the CHECK constraint stays).
}

TEST_F(StoreTest, RetriesAndResumeListing) {
  int64_t m = Model("m");
  int64_t t = Task("t");
  int64_t first = Attempt(m, t, 3, "error", 0, 0, 0);
  int64_t retry = store_->BeginRetry(first, &err_);
  ASSERT_GT(retry, 0) << err_;
  Attempt(m, t, 4, "", 0, 0, 0);  // interrupted
  auto rows = store_->ListAttempts(run_, &err_);
  ASSERT_TRUE(rows) << err_;
  std::vector<std::string> got;
  for (const auto& r : *rows) {
    got.push_back(r.model + "/" + r.task + " e" + std::to_string(r.epoch) +
                  " try" + std::to_string(r.try_number) + " " + r.status + " " +
                  std::string(OutcomeName(r.outcome)));
  }
  EXPECT_EQ((std::vector<std::string>{"m/t e3 try1 finished error",
                                      "m/t e3 try2 running ",
                                      "m/t e4 try1 running "}),
            got);
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM attempts WHERE "
                       "parent_attempt_id = " +
                       std::to_string(first)));
  EXPECT_EQ(-1, store_->BeginRetry(999, &err_));
  EXPECT_EQ("no attempt with id 999", err_);
  auto none = store_->ListAttempts(999, &err_);
  ASSERT_TRUE(none) << err_;
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, ConcurrentWritersShareOneStore) {
  int64_t m = Model("m");
  int64_t t = Task("t");
  std::vector<std::thread> threads;
  std::vector<std::string> errs(4);
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      int64_t a = store_->BeginAttempt(run_, m, t, w, &errs[w]);
      for (int i = 0; i < 25 && a > 0; ++i) {
        TurnRecord turn{.index = i};
        turn.tool_calls.push_back({.name = "shell"});
        if (!store_->RecordTurn(a, turn, &errs[w])) return;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errs) EXPECT_EQ("", e);
  EXPECT_EQ(100, ReadInt("SELECT count(*) FROM turns"));
  EXPECT_EQ(100, ReadInt("SELECT count(*) FROM tool_calls"));
}

TEST_F(StoreTest, ChecksAreReplacedWhenGradedAgain) {
  int64_t attempt = store_->BeginAttempt(run_, Model("m"), Task("t"), 0, &err_);
  std::vector<CheckRecord> checks = {
      {.index = 0, .kind = "file", .verdict = "passed"},
      {.index = 1, .kind = "html", .verdict = "failed", .detail = "no h1"}};
  ASSERT_TRUE(store_->RecordChecks(attempt, checks, &err_)) << err_;
  checks.pop_back();
  ASSERT_TRUE(store_->RecordChecks(attempt, checks, &err_)) << err_;
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM checks"));
}

TEST_F(StoreTest, TimestampsAreIsoUtc) {
  int64_t attempt = store_->BeginAttempt(run_, Model("m"), Task("t"), 0, &err_);
  ASSERT_TRUE(store_->FinishAttempt(
      attempt, {.outcome = ::endstate::results::Outcome::kPassed}, &err_));
  auto db = Db::Open(path_, &err_);
  ASSERT_TRUE(db) << err_;
  auto s = Stmt::Prepare(
      *db,
      "SELECT r.started_at, a.started_at, a.finished_at FROM runs r, "
      "attempts a",
      &err_);
  ASSERT_TRUE(s) << err_;
  ASSERT_EQ(Stmt::StepResult::kRow, s->Step(&err_));
  std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  for (int c = 0; c < 3; ++c) {
    EXPECT_TRUE(std::regex_match(s->Text(c), iso)) << s->Text(c);
  }
}

TEST_F(StoreTest, LatestRunAndProbes) {
  int64_t second = store_->BeginRun({.version = "0.1.0"}, &err_);
  EXPECT_EQ(second, test::OpenReader(path_).LatestRun(&err_));
  EXPECT_GT(store_->RecordProbe(second, -1, "speed", {{"stream", true}},
                                {{"ttft_ms", 41.5}}, &err_),
            0)
      << err_;
  EXPECT_EQ(1, ReadInt("SELECT count(*) FROM probes WHERE model_id IS NULL "
                       "AND measurements_json = '{\"ttft_ms\":41.5}'"));

  TempDir empty;
  auto fresh = Store::Open(empty.File("e.db"), &err_);
  ASSERT_TRUE(fresh) << err_;
  err_ = "stale";
  EXPECT_EQ(std::nullopt,
            test::OpenReader(empty.File("e.db")).LatestRun(&err_));
  EXPECT_EQ("", err_);
}

}  // namespace
}  // namespace endstate::results
