// The pre-scan bounds of util/html_parse.h: exact cut positions and
// reasons, no false alarm on ordinary HTML with omitted end tags, and a
// walk without recursion over a tree deeper than any stack frame budget.
#include "util/html_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace endstate::util {
namespace {

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(HtmlParseTest, OmittedEndTagsDoNotNest) {
  // 5,000 list items, rows and cells, paragraphs: all legal without their
  // end tags, none deeper than a few levels.
  std::string page = "<ul>" + Repeat("<li>item", 5000) + "</ul><table>" +
                     Repeat("<tr><td>a<td>b", 3000) + "</table>" +
                     Repeat("<p>para", 3000);
  HtmlScan scan = ScanHtml(page);
  EXPECT_EQ("", scan.over);
  EXPECT_EQ(page.size(), scan.usable_bytes);
}

TEST(HtmlParseTest, RawTextAndCommentsHideTags) {
  std::string page = "<script>" + Repeat("<span>", 2000) + "</script><!-- " +
                     Repeat("<div>", 2000) + " --><style>" +
                     Repeat("<b>", 2000) + "</style><p title='<a>'>x</p>";
  EXPECT_EQ("", ScanHtml(page).over);
}

TEST(HtmlParseTest, LimitsCutBeforeTheTagThatBrokeThem) {
  HtmlLimits limits{.max_bytes = 100, .max_tags = 3, .max_depth = 2};
  HtmlScan scan = ScanHtml("<a><b><c>", limits);
  EXPECT_EQ("nests elements more than 2 deep (the limit)", scan.over);
  EXPECT_EQ(6u, scan.usable_bytes);
  scan = ScanHtml("<br><br><br><br>", limits);
  EXPECT_EQ("has more than 3 tags (the limit)", scan.over);
  EXPECT_EQ(12u, scan.usable_bytes);
  scan = ScanHtml("<i a b=1 c = 'x y'><i d e>", {.max_attributes = 4});
  EXPECT_EQ("has more than 4 attributes (the limit)", scan.over);
  EXPECT_EQ(19u, scan.usable_bytes);
  EXPECT_EQ("",
            ScanHtml("<i a b=1 c = 'x y'><i d>", {.max_attributes = 4}).over);
  scan = ScanHtml(std::string(150, 'x'), limits);
  EXPECT_EQ("is 150 bytes, over the 100-byte limit", scan.over);
  EXPECT_EQ(100u, scan.usable_bytes);
}

TEST(HtmlParseTest, WalkHasNoRecursion) {
  // gumbo re-opens <b> after each </div>: ~20,000 levels deep.
  HtmlDocument doc = ParseHtml(Repeat("<div><b></div>x", 10'000));
  size_t depth = 0, max_depth = 0, nodes = 0;
  WalkHtml(
      doc->document,
      [&](const GumboNode*) {
        ++nodes;
        max_depth = std::max(max_depth, ++depth);
        return WalkStep::kDescend;
      },
      [&](const GumboNode*) { --depth; });
  EXPECT_GT(max_depth, 10'000u);
  EXPECT_EQ(0u, depth);
  size_t seen = 0;
  WalkHtml(
      doc->document,
      [&](const GumboNode*) {
        return ++seen == 5 ? WalkStep::kStop : WalkStep::kDescend;
      },
      nullptr);
  EXPECT_EQ(5u, seen);
}

}  // namespace
}  // namespace endstate::util
