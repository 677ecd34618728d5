// The registry: kinds, validation dispatch, verdict combination, and the
// guarantee that RunCheck never throws.
#include <gtest/gtest.h>

#include "graders/check_support.h"
#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

TEST(GraderRegistry, VerdictNames) {
  EXPECT_STREQ("passed", VerdictName(Verdict::kPassed));
  EXPECT_STREQ("failed", VerdictName(Verdict::kFailed));
  EXPECT_STREQ("error", VerdictName(Verdict::kError));
}

TEST(GraderRegistry, CheckKindsAreSortedAndDocumented) {
  std::vector<std::string> kinds = CheckKinds();
  EXPECT_TRUE(std::is_sorted(kinds.begin(), kinds.end()));
  for (const char* k :
       {"command", "file_contains", "file_equals", "file_exists",
        "file_matches", "git", "html", "http", "json_value", "unchanged"}) {
    EXPECT_NE(kinds.end(), std::find(kinds.begin(), kinds.end(), k)) << k;
  }
}

TEST(GraderRegistry, ValidateDispatchesByKind) {
  EXPECT_EQ("unknown check kind 'htm'",
            Invalid({{"kind", "htm"}, {"path", "a.html"}}));
  EXPECT_EQ("kind: missing field (expected one of the check kinds)",
            Invalid({{"path", "a.html"}}));
  EXPECT_EQ(
      "valid",
      Invalid({{"kind", "file_exists"}, {"path", "a"}, {"name", "a exists"}}));
  EXPECT_EQ("name: expected a label string, got 3",
            Invalid({{"kind", "file_exists"}, {"path", "a"}, {"name", 3}}));
  EXPECT_EQ("pth: unknown field",
            Invalid({{"kind", "file_exists"}, {"pth", "a"}}));
  EXPECT_EQ("path: missing field (expected a workspace path)",
            Invalid({{"kind", "file_exists"}}));
  EXPECT_EQ(
      "absent: expected true or false, got \"no\"",
      Invalid({{"kind", "file_exists"}, {"path", "a"}, {"absent", "no"}}));
  EXPECT_EQ("text: expected exactly one of text or texts",
            Invalid({{"kind", "file_contains"}, {"path", "a"}}));
  EXPECT_EQ("texts: expected a non-empty list of texts, got []",
            Invalid({{"kind", "file_contains"},
                     {"path", "a"},
                     {"texts", json::array()}}));
  EXPECT_EQ(
      "regex: invalid ECMAScript regular expression (Unmatched marking "
      "parenthesis ( or \\(.)",
      Invalid({{"kind", "file_matches"}, {"path", "a"}, {"regex", "(x"}}));
  EXPECT_EQ("normalize: expected one of none, trim, whitespace, got \"all\"",
            Invalid({{"kind", "file_equals"},
                     {"path", "a"},
                     {"text", ""},
                     {"normalize", "all"}}));
  EXPECT_EQ("text: expected exactly one of text or same_as",
            Invalid({{"kind", "file_equals"},
                     {"path", "a"},
                     {"text", ""},
                     {"same_as", "expected/a"}}));
  EXPECT_EQ(
      "same_as: must be a relative path inside the task folder, got "
      "\"../x\"",
      Invalid({{"kind", "file_equals"}, {"path", "a"}, {"same_as", "../x"}}));
  EXPECT_EQ(
      "pointer: expected an RFC 6901 JSON pointer such as /version, got "
      "\"version\"",
      Invalid({{"kind", "json_value"},
               {"path", "a.json"},
               {"pointer", "version"},
               {"equals", 1}}));
  EXPECT_EQ(
      "equals: expected exactly one of equals or one_of",
      Invalid({{"kind", "json_value"}, {"path", "a.json"}, {"pointer", "/v"}}));
  EXPECT_EQ("one_of: expected a non-empty list of values",
            Invalid({{"kind", "json_value"},
                     {"path", "a.json"},
                     {"pointer", "/v"},
                     {"one_of", 1}}));
}

class GradeTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    WriteTaskFile("workspace/a.txt", "alpha\n");
    Start();
  }
};

TEST_F(GradeTest, ZeroChecksIsAnError) {
  Grade g = GradeWorld(task_, *world_);
  EXPECT_EQ(Verdict::kError, g.overall);
  EXPECT_EQ("no checks executed", g.error);
  EXPECT_TRUE(g.checks.empty());
}

TEST_F(GradeTest, CombinesVerdicts) {
  json pass = {{"kind", "file_contains"}, {"path", "a.txt"}, {"text", "alpha"}};
  json fail = {{"kind", "file_contains"}, {"path", "a.txt"}, {"text", "beta"}};
  json error = {{"kind", "htm"}};
  task_.checks = {Spec(pass), Spec(pass)};
  Grade g = GradeWorld(task_, *world_);
  EXPECT_EQ(Verdict::kPassed, g.overall);
  EXPECT_EQ("", g.error);
  task_.checks = {Spec(pass), Spec(fail), Spec(pass)};
  g = GradeWorld(task_, *world_);
  EXPECT_EQ(Verdict::kFailed, g.overall);
  ASSERT_EQ(3u, g.checks.size());
  EXPECT_EQ("a.txt: lacks \"beta\"", g.checks[1].detail);
  task_.checks = {Spec(fail), Spec(error), Spec(pass)};
  g = GradeWorld(task_, *world_);
  EXPECT_EQ(Verdict::kError, g.overall);
  EXPECT_EQ(Verdict::kError, g.checks[1].verdict);
  EXPECT_EQ("unknown check kind 'htm'", g.checks[1].detail);
  EXPECT_EQ("htm", g.checks[1].kind);
}

// Issue 12: the sum of the checks is bounded too. With the budget spent
// after the first check, the rest are failed without running.
TEST_F(GradeTest, HostileSlowGradingStopsAtTheBudget) {
  json pass = {{"kind", "file_contains"}, {"path", "a.txt"}, {"text", "alpha"}};
  task_.checks = {Spec(pass), Spec(pass)};
  Grade g = GradeWorld(task_, *world_, std::chrono::milliseconds(0));
  EXPECT_EQ(Verdict::kFailed, g.overall);
  ASSERT_EQ(2u, g.checks.size());
  EXPECT_EQ(Verdict::kPassed, g.checks[0].verdict);
  EXPECT_EQ(Verdict::kFailed, g.checks[1].verdict);
  EXPECT_EQ("not run: grading took longer than 0 s (the limit)",
            g.checks[1].detail);
  EXPECT_EQ("file_contains", g.checks[1].kind);
}

TEST_F(GradeTest, RunCheckValidatesFirstAndNeverThrows) {
  CheckResult r = Run({{"kind", "file_contains"}, {"path", "a.txt"}});
  EXPECT_EQ(Verdict::kError, r.verdict);
  EXPECT_EQ("text: expected exactly one of text or texts", r.detail);
  // A regex that blows up at match time is caught, not propagated.
  Put("big.txt", std::string(200000, 'a'));
  r = Run(
      {{"kind", "file_matches"}, {"path", "big.txt"}, {"regex", "(a|b)*c"}});
  EXPECT_NE(Verdict::kPassed, r.verdict);
}

TEST(GraderGlobs, SegmentsAndDoubleStar) {
  EXPECT_TRUE(GlobMatch("**", "a/b/c.txt"));
  EXPECT_TRUE(GlobMatch("*.html", "index.html"));
  EXPECT_FALSE(GlobMatch("*.html", "docs/index.html"));
  EXPECT_TRUE(GlobMatch("**/*.html", "index.html"));
  EXPECT_TRUE(GlobMatch("**/*.html", "docs/v2/index.html"));
  EXPECT_TRUE(GlobMatch("docs/**", "docs/a/b"));
  EXPECT_FALSE(GlobMatch("docs/**", "doc/a"));
  EXPECT_TRUE(GlobMatch("docs/*/index.html", "docs/v2/index.html"));
  EXPECT_FALSE(GlobMatch("docs/*/index.html", "docs/v2/x/index.html"));
  EXPECT_TRUE(GlobMatch("notes/?.md", "notes/a.md"));
  EXPECT_FALSE(GlobMatch("notes/?.md", "notes/ab.md"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/b"));
}

}  // namespace
}  // namespace endstate::graders::testing
