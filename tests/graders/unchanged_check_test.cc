// The unchanged check (tree and one-file modes) and the line diff.
#include <gtest/gtest.h>

#include "graders/line_diff.h"
#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

TEST(LineDiff, CountsAddedAndRemovedLines) {
  LineDiffStats s = DiffLines("a\nb\nc\n", "a\nb\nc\n");
  EXPECT_EQ(0u, s.added);
  EXPECT_EQ(0u, s.removed);
  EXPECT_EQ(0u, s.first_change_line);
  s = DiffLines("a\nb\nc\n", "a\nB\nc\n");
  EXPECT_EQ(1u, s.added);
  EXPECT_EQ(1u, s.removed);
  EXPECT_EQ(2u, s.first_change_line);
  s = DiffLines("a\nb\nc\nd\n", "x\na\nc\nd\ny\nz");
  EXPECT_EQ(3u, s.added);
  EXPECT_EQ(1u, s.removed);
  EXPECT_EQ(1u, s.first_change_line);
  s = DiffLines("", "one\ntwo\n");
  EXPECT_EQ(2u, s.added);
  EXPECT_EQ(0u, s.removed);
  s = DiffLines("a\nb\na\nb\n", "b\na\nb\na\n");  // shift by one
  EXPECT_EQ(1u, s.added);
  EXPECT_EQ(1u, s.removed);
}

TEST(LineDiff, SplitLines) {
  EXPECT_EQ(0u, SplitLines("").size());
  EXPECT_EQ(1u, SplitLines("a").size());
  EXPECT_EQ(1u, SplitLines("a\n").size());
  EXPECT_EQ(3u, SplitLines("a\n\nb").size());
}

class UnchangedTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    WriteTaskFile("workspace/index.html", "<h1>Lab</h1>\n");
    WriteTaskFile("workspace/benchmarks.html", "one\ntwo\nthree\n");
    WriteTaskFile("workspace/notes/todo.md", "- x\n");
    WriteTaskFile("workspace/notes/deep/log.txt", "log\n");
    Start();
  }
};

TEST_F(UnchangedTest, TreePassesWhenUntouched) {
  CheckResult r = Run({{"kind", "unchanged"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("unchanged: 4 files identical", r.detail);
}

TEST_F(UnchangedTest, TreeReportsModifiedDeletedAndNew) {
  Put("benchmarks.html", "one\ntwo\n3\n");
  Put("a.txt", "a");
  Put("b.txt", "b");
  CheckResult r = Run({{"kind", "unchanged"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("unchanged: benchmarks.html modified; 2 new files: a.txt, b.txt",
            r.detail);
  Remove("notes");
  Put("index.html", "<h1>Lab!</h1>\n");
  r = Run({{"kind", "unchanged"}, {"new_files", "allow"}});
  EXPECT_EQ(
      "unchanged: 2 files modified: benchmarks.html, index.html; 2 files "
      "deleted: notes/deep/log.txt, notes/todo.md",
      r.detail);
}

TEST_F(UnchangedTest, GlobsSelectAndExcept) {
  Put("benchmarks.html", "changed\n");
  Put("notes/deep/new.txt", "new\n");
  EXPECT_EQ(Verdict::kPassed, Run({{"kind", "unchanged"},
                                   {"paths", {"notes/*.md", "index.html"}}})
                                  .verdict);
  EXPECT_EQ("unchanged: 1 new file: notes/deep/new.txt",
            Run({{"kind", "unchanged"}, {"paths", {"notes/**"}}}).detail);
  CheckResult r =
      Run({{"kind", "unchanged"}, {"except", {"*.html", "notes/deep/**"}}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("unchanged: 1 file identical", r.detail);
  EXPECT_EQ("unchanged: benchmarks.html modified",
            Run({{"kind", "unchanged"}, {"paths", {"**/*.html"}}}).detail);
}

// A workspace whose initial tree has a repository's .git directory.
class UnchangedRepoTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    WriteTaskFile("workspace/index.html", "<h1>Lab</h1>\n");
    WriteTaskFile("workspace/.git/HEAD", "ref: refs/heads/main\n");
    Start();
  }
};

TEST_F(UnchangedRepoTest, TheWorldsGitFolderIsIgnored) {
  Put(".git/HEAD", "ref: refs/heads/x\n");
  Put(".git/refs/heads/x", "0123\n");
  CheckResult r = Run({{"kind", "unchanged"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  EXPECT_EQ("unchanged: 1 file identical", r.detail);
}

// Issue 12: every path component named .git used to be skipped, so files
// hidden in a new `.git` anywhere were invisible.
TEST_F(UnchangedRepoTest, HostileGitNamedFilesAreCompared) {
  Put("blog/.git", "gitdir: /etc\n");
  Put("docs/.git/leak.txt", "x");
  CheckResult r = Run({{"kind", "unchanged"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("unchanged: 2 new files: blog/.git, docs/.git/leak.txt", r.detail);
}

TEST_F(UnchangedTest, OneFileLineBudget) {
  json check = {{"kind", "unchanged"},
                {"path", "benchmarks.html"},
                {"max_added_lines", 1},
                {"max_removed_lines", 1}};
  Put("benchmarks.html", "one\n2\nthree\n");
  CheckResult r = Run(check);
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("benchmarks.html: +1 -1 lines, allowed +1 -1", r.detail);
  Put("benchmarks.html", "one\n2\n3\nfour\n");
  r = Run(check);
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("benchmarks.html: +3 -2 lines from line 2, allowed +1 -1",
            r.detail);
  EXPECT_EQ("benchmarks.html: +3 -2 lines from line 2, allowed +0 -0",
            Run({{"kind", "unchanged"}, {"path", "benchmarks.html"}}).detail);
  Remove("benchmarks.html");
  EXPECT_EQ("benchmarks.html: deleted", Run(check).detail);
  r = Run({{"kind", "unchanged"}, {"path", "new.html"}});
  EXPECT_EQ(Verdict::kError, r.verdict);
  EXPECT_EQ("new.html: not in the initial workspace", r.detail);
}

TEST(UnchangedValidation, Messages) {
  auto invalid = [](json spec) {
    spec["kind"] = "unchanged";
    return Invalid(spec);
  };
  EXPECT_EQ("valid", invalid(json::object()));
  EXPECT_EQ("new_files: expected one of forbid, allow, got \"yes\"",
            invalid({{"new_files", "yes"}}));
  EXPECT_EQ("paths: expected a non-empty list of globs, got \"**\"",
            invalid({{"paths", "**"}}));
  EXPECT_EQ("except: globs must be relative to the workspace, got \"/etc/**\"",
            invalid({{"except", {"/etc/**"}}}));
  EXPECT_EQ("max_added_lines: expected an integer >= 0, got \"2\"",
            invalid({{"path", "a.txt"}, {"max_added_lines", "2"}}));
  EXPECT_EQ("paths: unknown field",
            invalid({{"path", "a.txt"}, {"paths", {"**"}}}));
}

}  // namespace
}  // namespace endstate::graders::testing
