// `runs delete` and `runs prune` (results/run_delete.h) on a record with
// every kind of row: the database stays consistent (integrity_check ok, no
// foreign-key violation, no orphan row) and only the chosen runs go.
#include "results/run_delete.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "results/sqlite.h"
#include "results/store.h"
#include "tests/results/run_builder.h"
#include "tests/results/temp_dir.h"

namespace endstate::results {
namespace {

class RunDeleteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("d.db");
    test::RunBuilder b(db_);
    for (int r = 1; r <= 4; ++r) {
      b.NewRun({{"n", std::to_string(r)}}, "endstate run", "night");
      for (int t = 0; t < 3; ++t) {
        const int64_t a = b.Attempt(
            "m", "t" + std::to_string(t), 0, t == 0 ? "error" : "failed",
            {.call_errors = {"", "invalid_json"}, .failed_check = "no title"});
        if (t == 0) b.Retry(a, "passed", {.call_errors = {""}});
      }
      ASSERT_GT(b.store().RecordProbe(b.run(), b.Model("m"), "speed",
                                      {{"reps", 1}}, {{"summary", {}}}, &err_),
                0)
          << err_;
      if (r < 4) {
        ASSERT_TRUE(b.store().FinishRun(b.run(), &err_)) << err_;
      }
    }
    // Run 3's first attempt continues one of run 2 (replay --from-turn).
    auto db = Db::Open(db_, &err_);
    ASSERT_TRUE(db) << err_;
    ASSERT_TRUE(
        db->Exec("UPDATE attempts SET parent_attempt_id = (SELECT "
                 "min(id) FROM attempts WHERE run_id = 2) WHERE id = "
                 "(SELECT min(id) FROM attempts WHERE run_id = 3)",
                 &err_))
        << err_;
  }

  int64_t Count(const std::string& sql) {
    auto db = Db::OpenReadOnly(db_, &err_);
    EXPECT_TRUE(db) << err_;
    auto n = db->QueryInt(sql.c_str(), &err_);
    EXPECT_TRUE(n) << err_;
    return n.value_or(-1);
  }

  // integrity_check is "ok", foreign_key_check finds nothing, and no row of
  // any table points at a missing parent.
  void ExpectConsistent() {
    auto db = Db::OpenReadOnly(db_, &err_);
    ASSERT_TRUE(db) << err_;
    auto s = Stmt::Prepare(*db, "PRAGMA integrity_check", &err_);
    ASSERT_TRUE(s) << err_;
    ASSERT_EQ(Stmt::StepResult::kRow, s->Step(&err_));
    EXPECT_EQ("ok", s->Text(0));
    auto fk = Stmt::Prepare(*db, "PRAGMA foreign_key_check", &err_);
    ASSERT_TRUE(fk) << err_;
    EXPECT_EQ(Stmt::StepResult::kDone, fk->Step(&err_));
    for (const char* orphans :
         {"SELECT count(*) FROM models WHERE run_id NOT IN (SELECT id FROM "
          "runs)",
          "SELECT count(*) FROM tasks WHERE run_id NOT IN (SELECT id FROM "
          "runs)",
          "SELECT count(*) FROM attempts WHERE run_id NOT IN (SELECT id "
          "FROM runs) OR model_id NOT IN (SELECT id FROM models) OR "
          "task_id NOT IN (SELECT id FROM tasks)",
          "SELECT count(*) FROM turns WHERE attempt_id NOT IN (SELECT id "
          "FROM attempts)",
          "SELECT count(*) FROM tool_calls WHERE turn_id NOT IN (SELECT id "
          "FROM turns)",
          "SELECT count(*) FROM checks WHERE attempt_id NOT IN (SELECT id "
          "FROM attempts)",
          "SELECT count(*) FROM probes WHERE run_id NOT IN (SELECT id FROM "
          "runs)",
          "SELECT count(*) FROM run_labels WHERE run_id NOT IN (SELECT id "
          "FROM runs)",
          "SELECT count(*) FROM attempts WHERE parent_attempt_id NOT IN "
          "(SELECT id FROM attempts)"}) {
      EXPECT_EQ(0, Count(orphans)) << orphans;
    }
  }

  test::TempDir dir_;
  std::string db_, err_;
};

TEST_F(RunDeleteTest, DeleteRemovesEverythingOfTheRunAndNothingElse) {
  EXPECT_EQ(16, Count("SELECT count(*) FROM attempts"));
  DeleteStats stats;
  ASSERT_TRUE(DeleteRuns(db_, {2}, false, &stats, &err_)) << err_;
  EXPECT_EQ(1, stats.runs);
  EXPECT_EQ(4, stats.attempts);  // 3 slots + 1 retry
  EXPECT_EQ(4, stats.turns);
  ExpectConsistent();
  EXPECT_EQ(3, Count("SELECT count(*) FROM runs"));
  EXPECT_EQ(12, Count("SELECT count(*) FROM attempts"));
  EXPECT_EQ(0, Count("SELECT count(*) FROM attempts WHERE run_id = 2"));
  EXPECT_EQ(3, Count("SELECT count(*) FROM probes"));
  EXPECT_EQ(3, Count("SELECT count(*) FROM run_labels"));
  // The continuation in run 3 stays, unlinked.
  EXPECT_EQ(0, Count("SELECT count(*) FROM attempts WHERE run_id = 3 AND "
                     "parent_attempt_id IS NOT NULL AND try = 1"));
  EXPECT_EQ(12, Count("SELECT count(*) FROM turns"));
  EXPECT_EQ(21, Count("SELECT count(*) FROM tool_calls"));
}

TEST_F(RunDeleteTest, RefusesUnknownAndRunningRunsWithoutDeletingAnything) {
  EXPECT_FALSE(DeleteRuns(db_, {1, 9}, false, nullptr, &err_));
  EXPECT_EQ("no run 9 in " + db_, err_);
  EXPECT_FALSE(DeleteRuns(db_, {1, 4}, false, nullptr, &err_));
  EXPECT_EQ("run 4 is still running (or was killed); give --force to delete it",
            err_);
  EXPECT_EQ(4, Count("SELECT count(*) FROM runs"));  // run 1 kept: all or none
  // A cancelled run (Ctrl-C) is not running: no --force needed.
  {
    auto store = Store::Open(db_, &err_);
    ASSERT_TRUE(store) << err_;
    ASSERT_TRUE(store->CancelRun(4, &err_)) << err_;
  }
  DeleteStats stats;
  ASSERT_TRUE(DeleteRuns(db_, {4}, false, &stats, &err_)) << err_;
  EXPECT_EQ(1, stats.runs);
  ExpectConsistent();
}

TEST_F(RunDeleteTest, PruneByCountAgeAndLabel) {
  auto ids = SelectPrune(db_, {.keep_last = 1}, &err_);
  ASSERT_TRUE(ids) << err_;
  EXPECT_EQ((std::vector<int64_t>{1, 2, 3}), *ids);
  // Run 4 is running: never pruned, even when it is not among those kept.
  ids = SelectPrune(db_, {.keep_last = 0}, &err_);
  ASSERT_TRUE(ids) << err_;
  EXPECT_EQ((std::vector<int64_t>{1, 2, 3}), *ids);
  ids = SelectPrune(db_, {.keep_last = 0, .keep_labels = {{"n", "1"}}}, &err_);
  ASSERT_TRUE(ids) << err_;
  EXPECT_EQ((std::vector<int64_t>{2, 3}), *ids);
  // By age: every run started just now; "now" pinned 10 days ahead.
  ids = SelectPrune(db_, {.older_than_days = 30, .now = "2999-01-01T00:00:00Z"},
                    &err_);
  ASSERT_TRUE(ids) << err_;
  EXPECT_EQ((std::vector<int64_t>{1, 2, 3}), *ids);
  ids = SelectPrune(db_, {.older_than_days = 30}, &err_);
  ASSERT_TRUE(ids) << err_;
  EXPECT_TRUE(ids->empty());
  // Both bounds: older than 0 days and beyond the newest 3.
  ids = SelectPrune(
      db_,
      {.keep_last = 3, .older_than_days = 0, .now = "2999-01-01T00:00:00Z"},
      &err_);
  ASSERT_TRUE(ids) << err_;
  EXPECT_EQ((std::vector<int64_t>{1}), *ids);
  EXPECT_FALSE(SelectPrune(db_, {}, &err_));
  EXPECT_EQ("give --keep-last N or --older-than DAYS", err_);

  ids = SelectPrune(db_, {.keep_last = 1}, &err_);
  ASSERT_TRUE(ids) << err_;
  ASSERT_TRUE(DeleteRuns(db_, *ids, false, nullptr, &err_)) << err_;
  ExpectConsistent();
  EXPECT_EQ(1, Count("SELECT count(*) FROM runs"));
  EXPECT_EQ(4, Count("SELECT min(id) FROM runs"));
}

TEST_F(RunDeleteTest, VacuumGivesSpaceBack) {
  {
    // Bulk up run 1 so that the freed pages are many.
    auto db = Db::Open(db_, &err_);
    ASSERT_TRUE(db) << err_;
    ASSERT_TRUE(
        db->Exec("UPDATE turns SET raw_response = printf('%.*c', "
                 "200000, 'x') WHERE attempt_id IN (SELECT id FROM "
                 "attempts WHERE run_id = 1)",
                 &err_))
        << err_;
    ASSERT_TRUE(db->Exec("PRAGMA wal_checkpoint(TRUNCATE)", &err_)) << err_;
  }
  const auto before = std::filesystem::file_size(db_);
  ASSERT_TRUE(DeleteRuns(db_, {1}, false, nullptr, &err_)) << err_;
  ASSERT_TRUE(Vacuum(db_, &err_)) << err_;
  EXPECT_LT(std::filesystem::file_size(db_) + 500'000, before);
  ExpectConsistent();
}

}  // namespace
}  // namespace endstate::results
