// Task files end to end: a broken task does not block `run --task OTHER`,
// while `tasks check` and a run of the whole suite name it by file, line
// and field; a folder without task.yaml is reported.
#include <gtest/gtest.h>

#include "tests/evaluator/broken_task.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

using test::RunCli;

class TaskFilesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "taskfiles-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    suite_ = test::WriteTinySuite(root_ / "suite");
    db_ = (root_ / "a.db").string();
    broken_ = test::WriteBrokenTask(suite_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Broken() const { return broken_; }
  fs::path root_, suite_;
  std::string db_, broken_;
};

TEST_F(TaskFilesCliTest, BrokenOtherTaskDoesNotBlockRunTask) {
  test::ShellResult run =
      RunCli("run -q --tasks " + suite_.string() +
             " --task tiny-title --model builtin:oracle --db " + db_);
  EXPECT_EQ(0, run.exit_code) << run.out;

  test::ShellResult all = RunCli("run -q --tasks " + suite_.string() +
                                 " --model builtin:oracle --db " + db_);
  EXPECT_EQ(2, all.exit_code) << all.out;
  EXPECT_EQ("endstate run: " + Broken() + "\n", all.out);

  test::ShellResult check = RunCli("tasks check --tasks " + suite_.string());
  EXPECT_EQ(1, check.exit_code) << check.out;
  EXPECT_EQ("endstate tasks check: " + Broken() + "\n", check.out);
}

TEST_F(TaskFilesCliTest, FoldersWithoutTaskYamlAreReported) {
  fs::create_directories(suite_ / "yml-task");
  util::WriteFile(suite_ / "yml-task/task.yml", "id: yml-task\n");
  fs::create_directories(suite_ / "empty");
  fs::create_directories(suite_ / "_fixtures/site");  // not a task
  test::ShellResult check = RunCli("tasks check --tasks " + suite_.string());
  EXPECT_EQ(1, check.exit_code) << check.out;
  EXPECT_EQ("endstate tasks check: " + Broken() + "\n" +
                (suite_ / "empty").string() +
                ": no task.yaml (every folder of a suite is a task, except "
                "folders starting with '_' or '.')\n" +
                (suite_ / "yml-task").string() +
                ": the task file is named task.yml; expected task.yaml\n",
            check.out);
  test::ShellResult one =
      RunCli("tasks list --tasks " + suite_.string() + " --task yml-task");
  EXPECT_EQ(2, one.exit_code) << one.out;
  EXPECT_EQ("endstate tasks list: " + (suite_ / "yml-task").string() +
                ": the task file is named task.yml; expected task.yaml\n",
            one.out);
}

}  // namespace
}  // namespace endstate
