// The http check against a real fixture server on loopback.
#include <gtest/gtest.h>

#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

class HttpCheckTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    WriteTaskFile("site/index.html",
                  "<html><head><title>Lab</title></head><body>"
                  "<h1>Benchmarks</h1><p class=\"v\">v1.4.2</p></body></html>");
    WriteTaskFile("site/api/version.json", R"({"version": "1.4.2"})");
    WriteTaskFile("workspace/index.html",
                  "<html><head><title>Lab</title></head><body>"
                  "<h1>Benchmarks</h1><p class=\"v\">v1.4.2</p></body></html>");
    task_.world.sites["site.test"] = task_.dir / "site";
    Start();
  }
};

TEST_F(HttpCheckTest, StatusAndBody) {
  CheckResult r = Run({{"kind", "http"}, {"url", "http://site.test/"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  EXPECT_EQ("http://site.test/: status 200, every assertion holds", r.detail);
  r = Run({{"kind", "http"}, {"url", "http://site.test/missing.html"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("http://site.test/missing.html: status 404, want 200", r.detail);
  r = Run({{"kind", "http"},
           {"url", "http://site.test/missing.html"},
           {"status", 404}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  r = Run({{"kind", "http"},
           {"url", "http://site.test/"},
           {"body_contains", {"Benchmarks", "v1.5"}}});
  EXPECT_EQ("http://site.test/: body lacks \"v1.5\"", r.detail);
  r = Run({{"kind", "http"},
           {"url", "http://site.test/"},
           {"body_not_contains", "v1.4"}});
  EXPECT_EQ("http://site.test/: body contains \"v1.4\"", r.detail);
}

TEST_F(HttpCheckTest, SameAsWorkspace) {
  json check = {{"kind", "http"},
                {"url", "http://site.test:80/index.html"},
                {"same_as_workspace", "index.html"}};
  EXPECT_EQ(Verdict::kPassed, Run(check).verdict) << Run(check).detail;
  Put("index.html", "<html>\nnew\n</html>");
  EXPECT_EQ(
      "http://site.test:80/index.html: body differs from index.html at line 1",
      Run(check).detail);
}

TEST_F(HttpCheckTest, JsonPointer) {
  json check = {{"kind", "http"},
                {"url", "http://site.test/api/version.json"},
                {"json_pointer", "/version"},
                {"json_equals", "1.4.2"}};
  EXPECT_EQ(Verdict::kPassed, Run(check).verdict) << Run(check).detail;
  check["json_equals"] = "1.5.0";
  EXPECT_EQ(
      "http://site.test/api/version.json /version: got \"1.4.2\", want "
      "\"1.5.0\"",
      Run(check).detail);
}

TEST_F(HttpCheckTest, HtmlAssertions) {
  json check = {{"kind", "http"},
                {"url", "http://site.test/"},
                {"html", {{"select", "p.v"}, {"text_equals", "v1.4.2"}}}};
  EXPECT_EQ(Verdict::kPassed, Run(check).verdict) << Run(check).detail;
  check["html"]["text_equals"] = "v1.5.0";
  CheckResult r = Run(check);
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("http://site.test/: <p.v> text is \"v1.4.2\", want \"v1.5.0\"",
            r.detail);
}

TEST_F(HttpCheckTest, UnknownHostIsAnError) {
  CheckResult r = Run({{"kind", "http"}, {"url", "http://other.test/"}});
  EXPECT_EQ(Verdict::kError, r.verdict);
  EXPECT_EQ("http://other.test/: host 'other.test' is not part of this world",
            r.detail);
}

TEST(HttpValidation, Messages) {
  EXPECT_EQ("url: missing field (expected an http:// URL of a world host)",
            Invalid({{"kind", "http"}}));
  EXPECT_EQ(
      "url: expected an http:// URL of a world host, got "
      "\"https://site.test/\"",
      Invalid({{"kind", "http"}, {"url", "https://site.test/"}}));
  EXPECT_EQ(
      "json_equals: missing field (json_pointer and json_equals go "
      "together)",
      Invalid({{"kind", "http"},
               {"url", "http://a.test/"},
               {"json_pointer", "/v"}}));
  EXPECT_EQ("html.select: missing field (expected a CSS selector string)",
            Invalid({{"kind", "http"},
                     {"url", "http://a.test/"},
                     {"html", {{"count", 1}}}}));
  EXPECT_EQ("html.path: unknown field",
            Invalid({{"kind", "http"},
                     {"url", "http://a.test/"},
                     {"html", {{"select", "a"}, {"path", "x"}}}}));
  EXPECT_EQ(
      "status: expected an integer from 100 to 599, got 42",
      Invalid({{"kind", "http"}, {"url", "http://a.test/"}, {"status", 42}}));
}

}  // namespace
}  // namespace endstate::graders::testing
