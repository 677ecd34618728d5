// file_exists, file_contains, file_matches, file_equals, json_value.
#include <gtest/gtest.h>

#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

class FileChecksTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    WriteTaskFile("workspace/notes.md",
                  "# Release notes  \nversion: 1.4.2\n\nFixed the parser.\n");
    WriteTaskFile("workspace/release.json",
                  R"({"version": "1.5.0-rc1", "count": 44, "tags": ["a"]})");
    WriteTaskFile("expected/notes.md",
                  "# Release notes\nversion: 1.4.2\n\nFixed the parser.\n\n");
    Start();
  }
};

TEST_F(FileChecksTest, FileExists) {
  CheckResult r = Run({{"kind", "file_exists"}, {"path", "notes.md"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("file_exists", r.kind);
  EXPECT_EQ("notes.md: exists", r.detail);
  r = Run({{"kind", "file_exists"}, {"path", "new.md"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("new.md: missing", r.detail);
  r = Run({{"kind", "file_exists"}, {"path", "notes.md"}, {"absent", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("notes.md: exists, want absent", r.detail);
  Remove("notes.md");
  r = Run({{"kind", "file_exists"}, {"path", "notes.md"}, {"absent", true}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("notes.md: absent", r.detail);
}

TEST_F(FileChecksTest, SymlinkOutOfWorkspaceIsRefused) {
  std::filesystem::create_symlink("/etc", world_->workspace() / "etc");
  CheckResult r = Run({{"kind", "file_exists"}, {"path", "etc/passwd"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("etc/passwd: leads outside the workspace", r.detail);
  r = Run(
      {{"kind", "file_contains"}, {"path", "etc/passwd"}, {"text", "root"}});
  EXPECT_EQ("etc/passwd: leads outside the workspace", r.detail);
  // A link that stays inside is fine.
  std::filesystem::create_symlink("notes.md", world_->workspace() / "n.md");
  r = Run({{"kind", "file_contains"}, {"path", "n.md"}, {"text", "1.4.2"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
}

TEST_F(FileChecksTest, FileContains) {
  CheckResult r = Run({{"kind", "file_contains"},
                       {"path", "notes.md"},
                       {"texts", {"version: 1.4.2", "parser"}}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("notes.md: contains all 2 texts", r.detail);
  r = Run({{"kind", "file_contains"},
           {"path", "notes.md"},
           {"texts", {"version: 1.4.2", "lexer", "1.5"}}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("notes.md: lacks \"lexer\", \"1.5\"", r.detail);
  r = Run({{"kind", "file_contains"},
           {"path", "notes.md"},
           {"text", "parser"},
           {"absent", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("notes.md: contains \"parser\"", r.detail);
  r = Run({{"kind", "file_contains"},
           {"path", "notes.md"},
           {"text", "TODO"},
           {"absent", true}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("notes.md: contains none of 1 text", r.detail);
  r = Run({{"kind", "file_contains"}, {"path", "gone.md"}, {"text", "x"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("gone.md: no such file", r.detail);
}

TEST_F(FileChecksTest, FileMatches) {
  CheckResult r = Run({{"kind", "file_matches"},
                       {"path", "notes.md"},
                       {"regex", "^version: \\d+\\.\\d+\\.\\d+$"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ(
      "notes.md: /^version: \\d+\\.\\d+\\.\\d+$/ matches "
      "\"version: 1.4.2\"",
      r.detail);
  r = Run({{"kind", "file_matches"},
           {"path", "notes.md"},
           {"regex", "^version: 2\\."}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("notes.md: no match for /^version: 2\\./", r.detail);
  r = Run({{"kind", "file_matches"},
           {"path", "notes.md"},
           {"regex", "Fix(ed)?"},
           {"absent", true}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("notes.md: /Fix(ed)?/ matches \"Fixed\"", r.detail);
}

TEST_F(FileChecksTest, FileEqualsText) {
  std::string exact =
      "# Release notes  \nversion: 1.4.2\n\nFixed the parser.\n";
  CheckResult r =
      Run({{"kind", "file_equals"}, {"path", "notes.md"}, {"text", exact}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("notes.md: equals the expected text", r.detail);
  r = Run(
      {{"kind", "file_equals"},
       {"path", "notes.md"},
       {"text", "# Release notes  \nversion: 1.4.3\n\nFixed the parser.\n"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ(
      "notes.md: differs at line 2: got \"version: 1.4.2\", want "
      "\"version: 1.4.3\"",
      r.detail);
  r = Run({{"kind", "file_equals"},
           {"path", "notes.md"},
           {"text", exact + "more\n"}});
  EXPECT_EQ("notes.md: differs at line 5: got end of file, want \"more\"",
            r.detail);
}

TEST_F(FileChecksTest, FileEqualsNormalize) {
  json trim = {{"kind", "file_equals"},
               {"path", "notes.md"},
               {"text", "# Release notes\nversion: 1.4.2\n\nFixed the parser."},
               {"normalize", "trim"}};
  EXPECT_EQ(Verdict::kPassed, Run(trim).verdict);
  trim["normalize"] = "none";
  EXPECT_EQ(
      "notes.md: differs at line 1: got \"# Release notes  \", want "
      "\"# Release notes\"",
      Run(trim).detail);
  json ws = {{"kind", "file_equals"},
             {"path", "notes.md"},
             {"text", "# Release notes version: 1.4.2 Fixed the parser."},
             {"normalize", "whitespace"}};
  EXPECT_EQ(Verdict::kPassed, Run(ws).verdict);
  ws["text"] = "# Release notes version: 1.4.2 Fixed the lexer.";
  CheckResult r = Run(ws);
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ(
      "notes.md: differs at character 42: got \"on: 1.4.2 Fixed the "
      "parser.\", want \"on: 1.4.2 Fixed the lexer.\"",
      r.detail);
}

TEST_F(FileChecksTest, FileEqualsSameAsThroughGradeWorld) {
  task_.checks = {Spec({{"kind", "file_equals"},
                        {"path", "notes.md"},
                        {"same_as", "expected/notes.md"},
                        {"normalize", "trim"}}),
                  Spec({{"kind", "file_equals"},
                        {"path", "notes.md"},
                        {"same_as", "expected/notes.md"}})};
  Grade g = GradeWorld(task_, *world_);
  ASSERT_EQ(2u, g.checks.size());
  EXPECT_EQ(Verdict::kPassed, g.checks[0].verdict) << g.checks[0].detail;
  EXPECT_EQ(Verdict::kFailed, g.checks[1].verdict);
  EXPECT_EQ(Verdict::kFailed, g.overall);
  // Without the task folder a relative same_as cannot be read.
  CheckResult r = Run({{"kind", "file_equals"},
                       {"path", "notes.md"},
                       {"same_as", "expected/notes.md"}});
  EXPECT_EQ(Verdict::kError, r.verdict);
  EXPECT_EQ(
      "same_as: expected/notes.md is relative and the task folder is "
      "unknown",
      r.detail);
}

// A symlink in the task folder must not let a check read host files: the
// check errors and its detail does not carry the file's text.
TEST_F(FileChecksTest, SameAsThroughASymlinkOutIsAnError) {
  fs::create_directories(task_.dir / "expected");
  fs::create_symlink("/etc/passwd", task_.dir / "expected/host");
  task_.checks = {Spec({{"kind", "file_equals"},
                        {"path", "notes.md"},
                        {"same_as", "expected/host"}})};
  Grade g = GradeWorld(task_, *world_);
  ASSERT_EQ(1u, g.checks.size());
  EXPECT_EQ(Verdict::kError, g.checks[0].verdict) << g.checks[0].detail;
  EXPECT_NE(std::string::npos,
            g.checks[0].detail.find("leaves the task folder"))
      << g.checks[0].detail;
  // The same file reached without the link is read (the check can pass).
  fs::copy_file("/etc/passwd", task_.dir / "expected/host-copy");
  Put("notes.md", util::ReadFile("/etc/passwd").value_or("?"));
  task_.checks = {Spec({{"kind", "file_equals"},
                        {"path", "notes.md"},
                        {"same_as", "expected/host-copy"}})};
  EXPECT_EQ(Verdict::kPassed, GradeWorld(task_, *world_).overall);
}

TEST_F(FileChecksTest, JsonValue) {
  CheckResult r = Run({{"kind", "json_value"},
                       {"path", "release.json"},
                       {"pointer", "/version"},
                       {"equals", "1.4.2"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("release.json /version: got \"1.5.0-rc1\", want \"1.4.2\"",
            r.detail);
  r = Run({{"kind", "json_value"},
           {"path", "release.json"},
           {"pointer", "/version"},
           {"one_of", {"1.4.2", "1.5.0-rc1"}}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("release.json /version: \"1.5.0-rc1\"", r.detail);
  r = Run({{"kind", "json_value"},
           {"path", "release.json"},
           {"pointer", "/version"},
           {"one_of", {"1.4.2", "1.4.3"}}});
  EXPECT_EQ(
      "release.json /version: got \"1.5.0-rc1\", want one of [\"1.4.2\", "
      "\"1.4.3\"]",
      r.detail);
  r = Run({{"kind", "json_value"},
           {"path", "release.json"},
           {"pointer", "/tags/1"},
           {"equals", "b"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("release.json: /tags/1: missing", r.detail);
}

TEST_F(FileChecksTest, JsonValueLoose) {
  json strict = {{"kind", "json_value"},
                 {"path", "release.json"},
                 {"pointer", "/count"},
                 {"equals", "44"}};
  EXPECT_EQ("release.json /count: got 44, want \"44\"", Run(strict).detail);
  strict["loose"] = true;
  EXPECT_EQ(Verdict::kPassed, Run(strict).verdict);
  json loose = {{"kind", "json_value"},
                {"path", "release.json"},
                {"pointer", "/version"},
                {"equals", " 1.5.0-RC1 "},
                {"loose", true}};
  EXPECT_EQ(Verdict::kPassed, Run(loose).verdict);
  loose["equals"] = "1.5.0";
  EXPECT_EQ(Verdict::kFailed, Run(loose).verdict);
  EXPECT_EQ(Verdict::kPassed, Run({{"kind", "json_value"},
                                   {"path", "release.json"},
                                   {"pointer", "/count"},
                                   {"equals", 44.0}})
                                  .verdict);
}

TEST_F(FileChecksTest, JsonValueBrokenFile) {
  Put("release.json", "{\"version\": ");
  CheckResult r = Run({{"kind", "json_value"},
                       {"path", "release.json"},
                       {"pointer", "/version"},
                       {"equals", "1.4.2"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ(
      "release.json: not valid JSON (parse error at line 1, column 13: "
      "syntax error while parsing value - unexpected end of input; expected "
      "'[', '{', or a literal)",
      r.detail);
}

}  // namespace
}  // namespace endstate::graders::testing
