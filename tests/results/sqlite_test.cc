#include "results/sqlite.h"

#include <gtest/gtest.h>

#include "tests/results/temp_dir.h"
#include "util/files.h"

namespace endstate::results {
namespace {

using test::TempDir;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    auto db = Db::Open(dir_.File("t.db"), &err);
    ASSERT_TRUE(db) << err;
    db_.emplace(std::move(*db));
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (k INTEGER UNIQUE, v TEXT)", &err))
        << err;
  }
  int64_t Count() {
    std::string err;
    auto n = db_->QueryInt("SELECT count(*) FROM t", &err);
    EXPECT_TRUE(n) << err;
    return n.value_or(-1);
  }

  TempDir dir_;
  std::optional<Db> db_;
};

TEST_F(SqliteTest, OpenAppliesConnectionSettings) {
  std::string err;
  auto text = [&](const char* sql) {
    auto s = Stmt::Prepare(*db_, sql, &err);
    EXPECT_TRUE(s) << err;
    EXPECT_EQ(Stmt::StepResult::kRow, s->Step(&err)) << err;
    return s->Text(0);
  };
  EXPECT_EQ("wal", text("PRAGMA journal_mode"));
  EXPECT_EQ("1", text("PRAGMA synchronous"));  // NORMAL
  EXPECT_EQ("10000", text("PRAGMA busy_timeout"));
  EXPECT_EQ("1", text("PRAGMA foreign_keys"));
}

TEST(SqliteOpen, MissingDirectoryNamesThePath) {
  std::string err;
  EXPECT_FALSE(Db::Open("/nonexistent-endstate-dir/x.db", &err));
  EXPECT_EQ(
      "cannot open /nonexistent-endstate-dir/x.db: unable to open database "
      "file",
      err);
}

TEST(SqliteOpen, FileThatIsNotADatabase) {
  TempDir dir;
  std::string path = dir.File("junk.db");
  ASSERT_TRUE(util::WriteFile(path, std::string(4096, 'x')));
  std::string err;
  EXPECT_FALSE(Db::Open(path, &err));
  EXPECT_EQ("cannot open " + path +
                ": file is not a database (in: PRAGMA journal_mode=WAL)",
            err);
}

TEST_F(SqliteTest, ErrorsCarryMessageAndExpandedSql) {
  std::string err;
  auto ins = Stmt::Prepare(*db_, "INSERT INTO t (k, v) VALUES (:k, :v)", &err);
  ASSERT_TRUE(ins) << err;
  for (int i = 0; i < 2; ++i) {
    ScopedReset reset(*ins);
    ASSERT_TRUE(ins->Bind({{":k", 7}, {":v", "it's"}}, &err)) << err;
    bool ok = ins->Run(&err);
    EXPECT_EQ(i == 0, ok);
  }
  EXPECT_EQ(
      "UNIQUE constraint failed: t.k (in: INSERT INTO t (k, v) VALUES (7, "
      "'it''s'))",
      err);
}

TEST_F(SqliteTest, UnknownParameterName) {
  std::string err;
  auto ins = Stmt::Prepare(*db_, "INSERT INTO t (k) VALUES (:k)", &err);
  ASSERT_TRUE(ins) << err;
  EXPECT_FALSE(ins->Bind(":key", 1, &err));
  EXPECT_EQ("no parameter :key (in: INSERT INTO t (k) VALUES (:k))", err);
}

TEST_F(SqliteTest, PrepareErrorNamesTheSql) {
  std::string err;
  EXPECT_FALSE(Stmt::Prepare(*db_, "SELECT nope FROM t", &err));
  EXPECT_EQ("no such column: nope (in: SELECT nope FROM t)", err);
}

TEST_F(SqliteTest, ScopedResetClearsBindingsAndRewinds) {
  std::string err;
  ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')", &err));
  auto sel =
      Stmt::Prepare(*db_, "SELECT v FROM t WHERE k >= :k ORDER BY k", &err);
  ASSERT_TRUE(sel) << err;
  {
    ScopedReset reset(*sel);
    ASSERT_TRUE(sel->Bind(":k", 2, &err));
    ASSERT_EQ(Stmt::StepResult::kRow, sel->Step(&err));
    EXPECT_EQ("b", sel->Text(0));
  }
  // Bindings were cleared: ":k" is NULL and "k >= NULL" matches nothing.
  EXPECT_EQ(Stmt::StepResult::kDone, sel->Step(&err));
  sel->Reset();
  ASSERT_TRUE(sel->Bind(":k", 0, &err));
  ASSERT_EQ(Stmt::StepResult::kRow, sel->Step(&err));
  EXPECT_EQ("a", sel->Text(0));
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  std::string err;
  {
    auto tx = Transaction::Begin(*db_, &err);
    ASSERT_TRUE(tx) << err;
    ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES (1, 'a')", &err)) << err;
    EXPECT_EQ(1, Count());
  }
  EXPECT_EQ(0, Count());
  {
    auto tx = Transaction::Begin(*db_, &err);
    ASSERT_TRUE(tx) << err;
    ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES (2, 'b')", &err)) << err;
    ASSERT_TRUE(tx->Commit(&err)) << err;
    EXPECT_FALSE(tx->Commit(&err));
    EXPECT_EQ("transaction already finished", err);
  }
  EXPECT_EQ(1, Count());
}

TEST_F(SqliteTest, SecondWriterWaitsThenReportsLocked) {
  std::string err;
  auto other = Db::Open(dir_.File("t.db"), &err);
  ASSERT_TRUE(other) << err;
  sqlite3_busy_timeout(other->get(), 50);  // keep the test fast
  auto tx = Transaction::Begin(*db_, &err);
  ASSERT_TRUE(tx) << err;
  EXPECT_FALSE(Transaction::Begin(*other, &err));
  EXPECT_EQ("database is locked (in: BEGIN IMMEDIATE)", err);
}

}  // namespace
}  // namespace endstate::results
