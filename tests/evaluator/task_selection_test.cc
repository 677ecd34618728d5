// LoadTasks with named tasks loads only those: a broken task file elsewhere
// in the suite does not block them, and the whole suite still reports it.
#include <gtest/gtest.h>

#include "evaluator/suite.h"
#include "tests/evaluator/broken_task.h"
#include "tests/evaluator/tiny_suite.h"

namespace endstate::evaluator {
namespace {

namespace fs = std::filesystem;

class TaskSelectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "select-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    test::WriteTinySuite(root_);
    broken_ = test::WriteBrokenTask(root_);
    fs::create_directories(root_ / "_shared");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
  std::string broken_;
};

TEST_F(TaskSelectionTest, BrokenOtherTaskDoesNotBlockANamedOne) {
  std::vector<tasks::Task> suite;
  std::string err;
  ASSERT_TRUE(LoadTasks(root_.string(), {"tiny-title"}, &suite, &err)) << err;
  ASSERT_EQ(1u, suite.size());
  EXPECT_EQ("tiny-title", suite[0].id);

  // The whole suite reports it, with the line of the bad field.
  EXPECT_FALSE(LoadTasks(root_.string(), {}, &suite, &err));
  EXPECT_EQ(broken_, err);
  // So does naming it.
  EXPECT_FALSE(
      LoadTasks(root_.string(), {"tiny-title", "broken"}, &suite, &err));
  EXPECT_EQ(broken_, err);
}

TEST_F(TaskSelectionTest, UnknownIdListsTheTaskFolders) {
  std::vector<tasks::Task> suite;
  std::string err;
  EXPECT_FALSE(LoadTasks(root_.string(), {"_shared"}, &suite, &err));
  EXPECT_EQ("--task '_shared': no such task in " + root_.string() +
                " (known: broken, tiny-title)",
            err);
}

}  // namespace
}  // namespace endstate::evaluator
