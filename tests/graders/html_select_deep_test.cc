// Descendant selectors over deeply nested HTML. A selector whose chain
// fails ("span div div div div div" with no span) once retried every choice
// of ancestors, exponential in the number of compounds: 120 nested divs ran
// for minutes (fuzz/html_select_fuzz). Each (element, compound) pair is now
// tried once, so these finish in milliseconds; the bound below is ~1000x
// that, and the unfixed engine needs over 100 s for the first case.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "graders/html_select.h"

namespace endstate::graders {
namespace {

std::string Nested(const std::string& open, int depth,
                   const std::string& inner) {
  std::string html;
  for (int i = 0; i < depth; ++i) html += open;
  return html + inner;
}

double SecondsToSelect(const std::string& html, const std::string& selector,
                       size_t* matches) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<HtmlElement> out;
  std::string err;
  EXPECT_TRUE(SelectHtml(html, selector, &out, &err)) << err;
  *matches = out.size();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

TEST(HtmlSelectDeepTest, FailingDescendantChainIsNotExponential) {
  size_t matches = 99;
  double s = SecondsToSelect(Nested("<div>", 120, "x"),
                             "span div div div div div", &matches);
  EXPECT_EQ(0u, matches);
  EXPECT_LT(s, 10.0);
}

TEST(HtmlSelectDeepTest, DeepMatchesAreStillFound) {
  // A span at the top, 120 divs below: every div with at least four div
  // ancestors below the span matches "span div div div div div".
  size_t matches = 0;
  double s = SecondsToSelect("<span>" + Nested("<div>", 120, "x"),
                             "span div div div div div", &matches);
  EXPECT_EQ(116u, matches);
  EXPECT_LT(s, 10.0);
  // The child combinator and the memo together: only the fifth div is a
  // span > div > div > div > div > div chain's end.
  EXPECT_LT(SecondsToSelect("<span>" + Nested("<div>", 120, "x"),
                            "span > div > div > div > div > div", &matches),
            10.0);
  EXPECT_EQ(1u, matches);
}

}  // namespace
}  // namespace endstate::graders
