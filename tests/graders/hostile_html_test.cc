// Pathological pages an agent can leave for the html check (issue 12,
// finding 1): each is refused by a cap of util/html_parse.h, named in the
// detail, as `failed`, in well under a second, without recursion. Before
// the caps: 20,000 unclosed <span> took > 3 GiB, 1,000,000 nested <span>
// overflowed the stack, a 30 MB page peaked near 2.1 GiB.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <string>

#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

class HostileHtmlTest : public GraderTest {
 protected:
  void SetUp() override {
    GraderTest::SetUp();
    WriteTaskFile("workspace/about.html", "<title>About</title>");
    Start();
  }
  // Runs an html check on `page`; *seconds is how long it took.
  CheckResult Check(const std::string& page, double* seconds,
                    const std::string& select = "title") {
    Put("about.html", page);
    auto start = std::chrono::steady_clock::now();
    CheckResult r = Run({{"kind", "html"},
                         {"path", "about.html"},
                         {"select", select},
                         {"text_equals", "About"}});
    *seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    return r;
  }
  // `page` fails the check with `detail` (a hang would hit the test's
  // timeout; times are measured in docs/performance.md, not asserted).
  void ExpectRefused(const std::string& page, const std::string& detail,
                     const std::string& select = "title") {
    double s = 0;
    CheckResult r = Check(page, &s, select);
    EXPECT_EQ(Verdict::kFailed, r.verdict);
    EXPECT_EQ(detail, r.detail);
  }
};

constexpr char kTooDeep[] =
    "about.html: the page nests elements more than 512 deep (the limit)";

TEST_F(HostileHtmlTest, UnclosedSpansHitTheDepthCap) {
  ExpectRefused(Repeat("<span>", 20'000), kTooDeep);
}

TEST_F(HostileHtmlTest, AMillionNestedSpansHitTheDepthCap) {
  ExpectRefused(Repeat("<span>", 1'000'000), kTooDeep);
}

TEST_F(HostileHtmlTest, ThirtyMegabytesHitTheByteCap) {
  ExpectRefused(
      "<p>" + std::string(30u << 20, 'x'),
      "about.html: the page is 31457283 bytes, over the 4194304-byte limit");
}

TEST_F(HostileHtmlTest, TooManyTagsHitTheTagCap) {
  ExpectRefused(Repeat("<p>a</p>", 25'000),
                "about.html: the page has more than 20000 tags (the limit)");
}

// 4 MB of attributes (900,000) took 188 MB of gumbo memory per parse.
TEST_F(HostileHtmlTest, AttributeFloodHitsTheAttributeCap) {
  std::string tag = "<i";
  for (int i = 0; i < 200; ++i) tag += " a" + std::to_string(i);
  ExpectRefused(Repeat(tag + ">x</i>", 4500),
                "about.html: the page has more than 50000 attributes (the "
                "limit)");
}

// gumbo re-opens formatting elements that an end tag closed, so this page
// nests about 2 elements per 15 bytes while the pre-scan sees depth 1: it
// is within the caps, the iterative walk handles the real depth, and the
// nested matches' texts hit the text cap.
TEST_F(HostileHtmlTest, ReopenedFormattingNestsDeepWithinTheCaps) {
  double s = 0;
  CheckResult r = Check(Repeat("<div><b></div>x", 9'000), &s, "b");
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  // Each re-opened <b> holds all the text after it: the text cap ends it.
  EXPECT_EQ(
      "about.html: the matching elements hold more than 16777216 bytes of "
      "text (the limit)",
      r.detail);
}

// Nested matches each hold the text of all below them: bounded in total.
TEST_F(HostileHtmlTest, NestedMatchesHitTheTextCap) {
  ExpectRefused(Repeat("<div>" + std::string(8000, 'x'), 500),
                "about.html: the matching elements hold more than 16777216 "
                "bytes of text (the limit)",
                "div");
}

// A FIFO in place of the page: refused at once, never opened for blocking.
TEST_F(HostileHtmlTest, FifoIsFailedWithoutBlocking) {
  std::filesystem::remove(world_->workspace() / "about.html");
  ASSERT_EQ(0, ::mkfifo((world_->workspace() / "about.html").c_str(), 0644));
  CheckResult r = Run({{"kind", "html"},
                       {"path", "about.html"},
                       {"select", "title"},
                       {"count", 1}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("about.html: is a fifo, not a regular file", r.detail);
}

}  // namespace
}  // namespace endstate::graders::testing
