// Read commands open the record read-only (results/reader.h): on a SQLite
// file that is not endstate's they say so, exit 2 and leave the file
// byte-identical (no tables created, no switch to WAL); on a missing file
// they say how to make one.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

TEST(ReadOnlyCommandsTest, ForeignDatabaseIsNamedAndLeftUntouched) {
  std::string err;
  const fs::path dir =
      util::MakeTempDir(fs::temp_directory_path(), "read-only-", &err);
  ASSERT_FALSE(dir.empty()) << err;
  const std::string db = (dir / "other.db").string();
  ASSERT_EQ(0, test::Shell("sqlite3 " + db +
                           " 'CREATE TABLE notes (t TEXT); INSERT INTO notes "
                           "VALUES (1)'")
                   .exit_code);
  const std::string before = util::ReadFile(db).value_or("");
  ASSERT_FALSE(before.empty());
  for (const std::string cmd :
       {"report", "runs", "attempts", "show 1", "history", "compare a b"}) {
    SCOPED_TRACE(cmd);
    test::ShellResult r = test::RunCli(cmd + " --db " + db);
    EXPECT_EQ(2, r.exit_code) << r.out;
    const std::string name = cmd.substr(0, cmd.find(' '));
    EXPECT_EQ("endstate " + name + ": " + db +
                  ": not an endstate database (no such table: runs (in: "
                  "SELECT count(*) FROM runs))\n",
              r.out);
  }
  EXPECT_EQ(before, util::ReadFile(db).value_or("<gone>"));
  EXPECT_FALSE(fs::exists(db + "-wal"));
  EXPECT_FALSE(fs::exists(db + "-shm"));

  const std::string none = (dir / "none.db").string();
  test::ShellResult r = test::RunCli("report --db " + none);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("endstate report: " + none +
                ": no such database (run `endstate run --db " + none +
                "` first)\n",
            r.out);
  EXPECT_FALSE(fs::exists(none));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace endstate
