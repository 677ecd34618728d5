// web_fetch's HTML rendering on pages a hostile deploy can serve (issue
// 12, finding 1): beyond util/html_parse.h's caps the page is rendered up
// to the cut and a note says why; the walk has no recursion to overflow.
#include <gtest/gtest.h>

#include <string>

#include "tools/html_text.h"

namespace endstate::tools {
namespace {

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(HostileHtmlTextTest, DeepNestingIsCutAtTheDepthCap) {
  std::string cut;
  std::string text =
      HtmlToText("<p>Intro</p>" + Repeat("<span>", 1'000'000) + "tail", &cut);
  EXPECT_EQ("Intro\n", text);
  // "<p>Intro</p>" is 12 bytes, and html/body are implied: the 513th
  // <span> starts at 12 + 512 * 6.
  EXPECT_EQ(
      "[page cut at byte 3084: it nests elements more than 512 deep (the "
      "limit)]",
      cut);
}

TEST(HostileHtmlTextTest, TagFloodIsCutAtTheTagCap) {
  std::string cut;
  std::string text = HtmlToText(Repeat("<b>x</b>", 30'000), &cut);
  EXPECT_EQ(20'000u, text.size() - 1);  // one x per tag, then "\n"
  EXPECT_EQ(
      "[page cut at byte 160000: it has more than 20000 tags (the "
      "limit)]",
      cut);
}

TEST(HostileHtmlTextTest, AnOrdinaryPageIsNotCut) {
  std::string cut = "stale";
  EXPECT_EQ("# Hi\n\n- a\n- b\n",
            HtmlToText("<h1>Hi</h1><ul><li>a<li>b</ul>", &cut));
  EXPECT_EQ("", cut);
}

}  // namespace
}  // namespace endstate::tools
