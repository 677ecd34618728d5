// Which folders of a suite are tasks, what a folder without task.yaml
// reports, and that an error carries the line of the offending field.
#include <gtest/gtest.h>

#include "tasks/loader.h"
#include "util/files.h"

namespace endstate::tasks {
namespace {

namespace fs = std::filesystem;

constexpr char kTask[] = R"(id: fix-title
title: Fix the title
level: easy
instruction: The title says Untitled.
world:
  workspace: workspace
checks:
  - kind: file_contains
    path: about.html
    html:
      select: title
    text: "<title>About</title>"
solution:
  - tool: edit_file
    args: {path: about.html, old_text: Untitled, new_text: About}
  - say: Done.
)";

class TaskFoldersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "folders-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    dir_ = root_ / "fix-title";
    fs::create_directories(dir_ / "workspace");
    util::WriteFile(dir_ / "workspace/about.html", "<title>Untitled</title>\n");
    util::WriteFile(dir_ / "task.yaml", kTask);
  }
  void TearDown() override { fs::remove_all(root_); }

  // The message LoadTask gives with a check validator failing with `err`.
  std::string CheckError(const std::string& err) const {
    LoadOptions opts;
    opts.validate_check = [err](const CheckSpec&, std::string* out) {
      *out = err;
      return false;
    };
    Task t;
    std::string got;
    EXPECT_FALSE(LoadTask(dir_, opts, &t, &got));
    return got;
  }

  fs::path root_, dir_;
};

TEST_F(TaskFoldersTest, FixtureAndHiddenFoldersAreNotTasks) {
  fs::create_directories(root_ / "_shared/site");
  fs::create_directories(root_ / ".cache");
  fs::create_directories(root_ / "b-task");
  util::WriteFile(root_ / "notes.txt", "not a folder\n");
  std::vector<fs::path> dirs;
  std::string err;
  ASSERT_TRUE(ListTaskFolders(root_, &dirs, &err)) << err;
  ASSERT_EQ(2u, dirs.size());
  EXPECT_EQ(root_ / "b-task", dirs[0]);
  EXPECT_EQ(root_ / "fix-title", dirs[1]);

  EXPECT_FALSE(ListTaskFolders(root_ / "none", &dirs, &err));
  EXPECT_EQ((root_ / "none").string() + ": no such task folder", err);
}

TEST_F(TaskFoldersTest, WrongExtensionAndMissingTaskFileAreReported) {
  fs::create_directories(root_ / "yml-task");
  util::WriteFile(root_ / "yml-task/task.yml", "id: yml-task\n");
  fs::create_directories(root_ / "empty-task");
  std::vector<std::string> errors;
  std::vector<Task> tasks = LoadSuite(root_, {}, &errors);
  ASSERT_EQ(1u, tasks.size());
  EXPECT_EQ("fix-title", tasks[0].id);
  ASSERT_EQ(2u, errors.size());
  EXPECT_EQ((root_ / "empty-task").string() +
                ": no task.yaml (every folder of a suite is a task, except "
                "folders starting with '_' or '.')",
            errors[0]);
  EXPECT_EQ((root_ / "yml-task").string() +
                ": the task file is named task.yml; expected task.yaml",
            errors[1]);
}

TEST_F(TaskFoldersTest, CheckErrorsCarryTheFieldsLine) {
  const std::string yaml = (dir_ / "task.yaml").string();
  // The check starts on line 8; its fields below it.
  EXPECT_EQ(yaml + ":9: checks[0]: path: expected a workspace path, got 5",
            CheckError("path: expected a workspace path, got 5"));
  EXPECT_EQ(yaml + ":12: checks[0]: text: unknown field",
            CheckError("text: unknown field"));
  EXPECT_EQ(yaml + ":11: checks[0]: html.select: unsupported selector",
            CheckError("html.select: unsupported selector"));
  // A field the check does not hold: the check's own line.
  EXPECT_EQ(yaml + ":8: checks[0]: expect: missing field (expected text)",
            CheckError("expect: missing field (expected text)"));
  EXPECT_EQ(yaml + ":8: checks[0]: unknown check kind 'file_contains'",
            CheckError("unknown check kind 'file_contains'"));
}

TEST_F(TaskFoldersTest, StepErrorsCarryTheToolOrArgsLine) {
  std::string task = kTask;
  task.replace(task.find("  - say: Done."), 14,
               "  - tool: run_shel\n    args: {command: ls}");
  util::WriteFile(dir_ / "task.yaml", task);
  LoadOptions opts;
  opts.validate_call = [](const ToolCallSpec& call, std::string* err) {
    if (call.tool == "edit_file") return true;
    *err = "unknown tool '" + call.tool + "'";
    return false;
  };
  Task t;
  std::string err;
  EXPECT_FALSE(LoadTask(dir_, opts, &t, &err));
  EXPECT_EQ((dir_ / "task.yaml").string() +
                ":16: solution[1]: unknown tool 'run_shel'",
            err);

  opts.validate_call = [](const ToolCallSpec& call, std::string* err) {
    *err = call.tool + " args: 'path': expected a string";
    return false;
  };
  task = kTask;
  task.replace(task.find("    args: {path"), 4, "\n    ");
  util::WriteFile(dir_ / "task.yaml", task);
  EXPECT_FALSE(LoadTask(dir_, opts, &t, &err));
  EXPECT_EQ((dir_ / "task.yaml").string() +
                ":16: solution[0]: edit_file args: 'path': expected a string",
            err);
}

TEST_F(TaskFoldersTest, NonScalarValuesAreErrorsAtTheirLine) {
  std::string task = kTask;
  task.replace(task.find("  - say: Done."), 14, "  - say: [Done.]");
  util::WriteFile(dir_ / "task.yaml", task);
  Task t;
  std::string err;
  EXPECT_FALSE(LoadTask(dir_, {}, &t, &err));
  EXPECT_EQ((dir_ / "task.yaml").string() +
                ":16: solution[1].say: expected a string",
            err);
}

}  // namespace
}  // namespace endstate::tasks
