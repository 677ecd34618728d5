#include "tools/html_text.h"

#include <gtest/gtest.h>

namespace endstate::tools {
namespace {

TEST(HtmlToText, RendersPageStructure) {
  const char* html = R"(<!doctype html>
<html><head><title>Lab  Prices</title>
<style>body { color: red }</style>
<script>var x = "<p>not text</p>";</script></head>
<body>
  <nav><a href="/">Home</a> <a href="#top">Top</a></nav>
  <h1>Price   list</h1>
  <p>Our <b>current</b>
     prices, see <a href="/terms.html">the terms</a>.</p>
  <h2>Plans</h2>
  <table>
    <tr><th>Plan</th><th>Price</th></tr>
    <tr><td>Basic</td><td>&euro;10</td></tr>
    <tr><td><a href="pro.html">Pro</a></td><td> 25 </td></tr>
  </table>
  <ul>
    <li>Fast</li>
    <li>Cheap<ul><li>really</li></ul></li>
  </ul>
  <ol><li><p>first</p></li><li>second</li></ol>
  <p>Line one<br>Line two <img src="x.png" alt="logo"></p>
  <pre>  keep
    this</pre>
  <noscript>enable js</noscript>
</body></html>)";
  EXPECT_EQ(
      "Title: Lab Prices\n"
      "\n"
      "Home [/] Top\n"
      "\n"
      "# Price list\n"
      "\n"
      "Our current prices, see the terms [/terms.html].\n"
      "\n"
      "## Plans\n"
      "\n"
      "Plan | Price\n"
      "Basic | \xE2\x82\xAC"
      "10\n"
      "Pro [pro.html] | 25\n"
      "\n"
      "- Fast\n"
      "- Cheap\n"
      "  - really\n"
      "\n"
      "1. first\n"
      "2. second\n"
      "\n"
      "Line one\n"
      "Line two [image: logo]\n"
      "\n"
      "  keep\n"
      "    this\n",
      HtmlToText(html));
}

TEST(HtmlToText, EmptyAndPlain) {
  EXPECT_EQ("", HtmlToText(""));
  EXPECT_EQ("", HtmlToText("<script>x()</script>"));
  EXPECT_EQ("hello world\n", HtmlToText("hello\n\n   world"));
}

}  // namespace
}  // namespace endstate::tools
