#include "tasks/loader.h"

#include <gtest/gtest.h>

#include "util/files.h"

namespace endstate::tasks {
namespace {

namespace fs = std::filesystem;

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "loader-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    dir_ = root_ / "fix-title";
    fs::create_directories(dir_ / "workspace");
    util::WriteFile(dir_ / "workspace/about.html", "<title>Untitled</title>\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& yaml) {
    util::WriteFile(dir_ / "task.yaml", yaml);
  }
  std::string Yaml() const { return (dir_ / "task.yaml").string(); }

  fs::path root_, dir_;
};

constexpr char kGood[] = R"(id: fix-title
title: Fix the title
level: easy
instruction: |
  The title says Untitled.
world:
  workspace: workspace
checks:
  - kind: file_contains
    path: about.html
    text: "<title>About</title>"
solution:
  - tool: edit_file
    args: {path: about.html, old_text: Untitled, new_text: About}
  - say: Done.
near_misses:
  - name: nothing
    steps:
      - say: I looked.
)";

TEST_F(LoaderTest, LoadsAValidTask) {
  Write(kGood);
  Task t;
  std::string err;
  ASSERT_TRUE(LoadTask(dir_, {}, &t, &err)) << err;
  EXPECT_EQ("fix-title", t.id);
  EXPECT_EQ("The title says Untitled.\n", t.instruction);
  EXPECT_EQ(Tree(dir_ / "workspace"), t.world.workspace);
  ASSERT_EQ(1u, t.checks.size());
  EXPECT_EQ("file_contains", t.checks[0].kind);
  EXPECT_EQ("<title>About</title>", t.checks[0].spec["text"]);
  EXPECT_EQ(Yaml() + ":9: checks[0]", t.checks[0].where);
  ASSERT_EQ(2u, t.solution.size());
  EXPECT_EQ("edit_file", t.solution[0].calls[0].tool);
  EXPECT_EQ("About", t.solution[0].calls[0].arguments["new_text"]);
  EXPECT_EQ("Done.", t.solution[1].say);
  ASSERT_EQ(1u, t.near_misses.size());
  EXPECT_EQ(64u, t.content_hash.size());
}

TEST_F(LoaderTest, QuotedScalarsStayStrings) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("text: \"<title>About</title>\""), 28,
               "text: \"44\"\n    count: 44");
  Write(yaml);
  Task t;
  std::string err;
  ASSERT_TRUE(LoadTask(dir_, {}, &t, &err)) << err;
  EXPECT_TRUE(t.checks[0].spec["text"].is_string());
  EXPECT_TRUE(t.checks[0].spec["count"].is_number_integer());
}

TEST_F(LoaderTest, ErrorsNameFileLineAndField) {
  Task t;
  std::string err;
  std::string yaml = kGood;
  yaml.replace(yaml.find("level: easy"), 11, "level: trivial");
  Write(yaml);
  EXPECT_FALSE(LoadTask(dir_, {}, &t, &err));
  EXPECT_EQ(Yaml() + ":3: level: expected easy, medium or hard", err);

  yaml = kGood;
  yaml.replace(yaml.find("workspace: workspace"), 20, "workspace: missing");
  Write(yaml);
  EXPECT_FALSE(LoadTask(dir_, {}, &t, &err));
  EXPECT_EQ(
      Yaml() +
          ":7: world.workspace: no such folder 'missing' in the task folder",
      err);

  yaml = kGood;
  yaml.replace(yaml.find("workspace: workspace"), 20, "workspace: ../..");
  Write(yaml);
  EXPECT_FALSE(LoadTask(dir_, {}, &t, &err));
  EXPECT_EQ(Yaml() + ":7: world.workspace: path '../..' leaves the task folder",
            err);

  yaml = kGood;
  yaml.replace(yaml.find("checks:"), 7, "chekcs:");
  Write(yaml);
  EXPECT_FALSE(LoadTask(dir_, {}, &t, &err));
  EXPECT_EQ(Yaml() +
                ":8: chekcs: unknown field (expected one of: checks, id, "
                "instruction, level, limits, near_misses, solution, title, "
                "tools, world)",
            err);

  Write("id: fix-title\ntitle: [unclosed\n");
  EXPECT_FALSE(LoadTask(dir_, {}, &t, &err));
  EXPECT_EQ(0u, err.find(Yaml() + ":"));
}

TEST_F(LoaderTest, TreesLayerTheSuitesSharedFixtures) {
  const fs::path shared = root_ / "_shared/site";
  fs::create_directories(shared);
  util::WriteFile(shared / "index.html", "<p>shared</p>\n");
  std::string yaml = kGood;
  yaml.replace(yaml.find("workspace: workspace"), 20,
               "workspace: [../_shared/site, {path: workspace, at: src}]");
  Write(yaml);
  Task t;
  std::string err;
  ASSERT_TRUE(LoadTask(dir_, {}, &t, &err)) << err;
  Tree want;
  want.layers = {{.from = shared, .at = ""},
                 {.from = dir_ / "workspace", .at = "src"}};
  EXPECT_EQ(want, t.world.workspace);
  // The shared files a task uses are part of its content hash.
  const std::string hash = t.content_hash;
  util::WriteFile(shared / "index.html", "<p>edited</p>\n");
  ASSERT_TRUE(LoadTask(dir_, {}, &t, &err)) << err;
  EXPECT_NE(hash, t.content_hash);

  struct Case {
    std::string workspace, error;
  } cases[] = {
      {"[../other]",
       ":7: world.workspace[0]: path '../other' leaves the "
       "task folder"},
      {"[]",
       ":7: world.workspace: expected a folder or a non-empty list of "
       "layers"},
      {"[{path: workspace, at: ../x}]",
       ":7: world.workspace[0].at: path '../x' leaves the workspace"},
      {"[{at: x}]", ":7: world.workspace[0].path: missing field"},
      {"[{path: workspace, into: x}]",
       ":7: world.workspace[0].into: unknown field (expected one of: at, "
       "path)"},
  };
  for (const Case& c : cases) {
    yaml = kGood;
    yaml.replace(yaml.find("workspace: workspace"), 20,
                 "workspace: " + c.workspace);
    Write(yaml);
    EXPECT_FALSE(LoadTask(dir_, {}, &t, &err)) << c.workspace;
    EXPECT_EQ(Yaml() + c.error, err) << c.workspace;
  }
}

TEST_F(LoaderTest, CheckValidatorErrorsArePrefixed) {
  Write(kGood);
  LoadOptions opts;
  opts.validate_check = [](const CheckSpec& c, std::string* err) {
    *err = "unknown check kind '" + c.kind + "'";
    return false;
  };
  Task t;
  std::string err;
  EXPECT_FALSE(LoadTask(dir_, opts, &t, &err));
  EXPECT_EQ(Yaml() + ":9: checks[0]: unknown check kind 'file_contains'", err);
}

TEST_F(LoaderTest, SuiteCollectsBrokenTasks) {
  Write(kGood);
  fs::create_directories(root_ / "broken");
  util::WriteFile(root_ / "broken/task.yaml", "id: other\n");
  std::vector<std::string> errors;
  auto tasks = LoadSuite(root_, {}, &errors);
  ASSERT_EQ(1u, tasks.size());
  EXPECT_EQ("fix-title", tasks[0].id);
  ASSERT_EQ(1u, errors.size());
  EXPECT_EQ((root_ / "broken/task.yaml").string() +
                ":1: id: must equal the folder name 'broken'",
            errors[0]);
}

}  // namespace
}  // namespace endstate::tasks
