// The html check and its assertions.
#include <gtest/gtest.h>

#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

const char kAbout[] = R"(<html><head><title>Untitled</title></head><body>
<h1>About</h1>
<ul id="team"><li>Ana</li><li>Tomas</li><li class="new">Mei</li></ul>
<a href="/docs/v2/" class="nav">Docs</a>
</body></html>)";

class HtmlCheckTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    WriteTaskFile("workspace/about.html", kAbout);
    Start();
  }
  CheckResult Html(json assertions) {
    assertions["kind"] = "html";
    assertions["path"] = "about.html";
    return Run(assertions);
  }
};

TEST_F(HtmlCheckTest, TextEquals) {
  CheckResult r = Html({{"select", "title"}, {"text_equals", "About the Lab"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("about.html: <title> text is \"Untitled\", want \"About the Lab\"",
            r.detail);
  Put("about.html", "<title>About   the\nLab</title>");
  r = Html({{"select", "title"}, {"text_equals", "About the Lab"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict);
  EXPECT_EQ("about.html: 1 match for <title>, every assertion holds", r.detail);
}

TEST_F(HtmlCheckTest, CountsAndAbsent) {
  EXPECT_EQ(Verdict::kPassed,
            Html({{"select", "#team li"}, {"count", 3}}).verdict);
  EXPECT_EQ("about.html: 3 matches for <#team li>, want 4",
            Html({{"select", "#team li"}, {"count", 4}}).detail);
  EXPECT_EQ(Verdict::kPassed,
            Html({{"select", "li"}, {"min_count", 3}}).verdict);
  EXPECT_EQ("about.html: 3 matches for <li>, want at least 5",
            Html({{"select", "li"}, {"min_count", 5}}).detail);
  EXPECT_EQ(Verdict::kPassed,
            Html({{"select", "script"}, {"absent", true}}).verdict);
  EXPECT_EQ("about.html: 1 match for <h1>, want none",
            Html({{"select", "h1"}, {"absent", true}}).detail);
  EXPECT_EQ("about.html: nothing matches <h2>",
            Html({{"select", "h2"}, {"absent", false}}).detail);
}

TEST_F(HtmlCheckTest, IndexAndTextContains) {
  EXPECT_EQ(
      Verdict::kPassed,
      Html({{"select", "li"}, {"index", -1}, {"text_equals", "Mei"}}).verdict);
  EXPECT_EQ(
      "about.html: <li>[1] text is \"Tomas\", want \"Ana\"",
      Html({{"select", "li"}, {"index", 1}, {"text_equals", "Ana"}}).detail);
  EXPECT_EQ(
      "about.html: no <li>[3], only 3 matches",
      Html({{"select", "li"}, {"index", 3}, {"text_equals", "x"}}).detail);
  EXPECT_EQ("about.html: nothing matches <h2>",
            Html({{"select", "h2"}, {"text_contains", "x"}}).detail);
  EXPECT_EQ("about.html: <h1> text \"About\" lacks \"Lab\"",
            Html({{"select", "h1"}, {"text_contains", "Lab"}}).detail);
  EXPECT_EQ(Verdict::kPassed,
            Html({{"select", "h1"}, {"text_contains", "bou"}}).verdict);
}

TEST_F(HtmlCheckTest, TextsEqual) {
  EXPECT_EQ(Verdict::kPassed,
            Html({{"select", "li"}, {"texts_equal", {"Ana", "Tomas", "Mei"}}})
                .verdict);
  EXPECT_EQ(
      "about.html: <li> texts are [\"Ana\", \"Tomas\", \"Mei\"], want "
      "[\"Ana\", \"Mei\", \"Tomas\"]",
      Html({{"select", "li"}, {"texts_equal", {"Ana", "Mei", "Tomas"}}})
          .detail);
}

TEST_F(HtmlCheckTest, Attributes) {
  EXPECT_EQ(Verdict::kPassed, Html({{"select", "a.nav"},
                                    {"attr", "href"},
                                    {"attr_equals", "/docs/v2/"}})
                                  .verdict);
  EXPECT_EQ(
      "about.html: <a.nav> href is \"/docs/v2/\", want \"/docs/v3/\"",
      Html(
          {{"select", "a.nav"}, {"attr", "href"}, {"attr_equals", "/docs/v3/"}})
          .detail);
  EXPECT_EQ(
      "about.html: <a.nav> href \"/docs/v2/\" lacks \"v3\"",
      Html({{"select", "a.nav"}, {"attr", "href"}, {"attr_contains", "v3"}})
          .detail);
  EXPECT_EQ("about.html: <a.nav> has no title attribute",
            Html({{"select", "a.nav"}, {"attr", "title"}}).detail);
}

TEST_F(HtmlCheckTest, MissingFileFails) {
  Remove("about.html");
  CheckResult r = Html({{"select", "title"}, {"text_equals", "x"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("about.html: no such file", r.detail);
}

TEST_F(HtmlCheckTest, Validation) {
  EXPECT_EQ("select: missing field (expected a CSS selector string)",
            Invalid({{"kind", "html"}, {"path", "a.html"}, {"count", 1}}));
  EXPECT_EQ("select: unsupported selector ':hover'",
            Invalid({{"kind", "html"},
                     {"path", "a.html"},
                     {"select", "a:hover"},
                     {"count", 1}}));
  EXPECT_EQ(
      "select: expected one or more assertions with it (count, min_count, "
      "absent, text_equals, text_contains, texts_equal, attr)",
      Invalid({{"kind", "html"}, {"path", "a.html"}, {"select", "title"}}));
  EXPECT_EQ("texts_equl: unknown field", Invalid({{"kind", "html"},
                                                  {"path", "a.html"},
                                                  {"select", "li"},
                                                  {"texts_equl", {"a"}}}));
  EXPECT_EQ(
      "attr: missing field (expected the attribute name that attr_equals / "
      "attr_contains read)",
      Invalid({{"kind", "html"},
               {"path", "a.html"},
               {"select", "a"},
               {"attr_equals", "x"}}));
  EXPECT_EQ("count: expected an integer >= 0, got -1",
            Invalid({{"kind", "html"},
                     {"path", "a.html"},
                     {"select", "a"},
                     {"count", -1}}));
  EXPECT_EQ("path: missing field (expected a workspace path)",
            Invalid({{"kind", "html"}, {"select", "a"}, {"count", 1}}));
  EXPECT_EQ(
      "path: must be a relative path inside the workspace, got "
      "\"../x.html\"",
      Invalid({{"kind", "html"},
               {"path", "../x.html"},
               {"select", "a"},
               {"count", 1}}));
}

}  // namespace
}  // namespace endstate::graders::testing
