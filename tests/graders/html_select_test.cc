#include "graders/html_select.h"

#include <gtest/gtest.h>

namespace endstate::graders {
namespace {

const char kPage[] = R"(<!doctype html>
<html><head><title> About &amp; the
  Lab </title><style>p { color: red }</style></head>
<body>
  <h1 id="top" class="hero big">Results</h1>
  <p>Intro <b>bold</b><script>var x = 1;</script> text</p>
  <table id="bench">
    <thead><tr><th>model</th><th>tok/s</th></tr></thead>
    <tbody>
      <tr><td>qwen</td><td class="num">41.5</td></tr>
      <tr><td>llama</td><td class="num best">52.0</td></tr>
      <tr><td>mistral</td><td class="num">12.25</td></tr>
    </tbody>
  </table>
  <a href="/docs/" data-x="1">Docs</a>
  <a href="https://example.test/">Out</a>
  <my-widget>custom</my-widget>
</body></html>)";

std::vector<std::string> Texts(const std::string& selector) {
  std::vector<HtmlElement> out;
  std::string err;
  EXPECT_TRUE(SelectHtml(kPage, selector, &out, &err)) << err;
  std::vector<std::string> texts;
  for (const auto& e : out) texts.push_back(e.text);
  return texts;
}

std::string Error(const std::string& selector) {
  std::vector<HtmlElement> out;
  std::string err;
  if (SelectHtml(kPage, selector, &out, &err)) return "ok";
  return err;
}

using V = std::vector<std::string>;

TEST(HtmlSelect, TagWithDecodedCollapsedText) {
  EXPECT_EQ(V{"About & the Lab"}, Texts("title"));
  EXPECT_EQ(V{"Results"}, Texts("H1"));
}

TEST(HtmlSelect, TextSkipsScriptAndStyle) {
  EXPECT_EQ(V{"Intro bold text"}, Texts("p"));
  std::vector<HtmlElement> out;
  std::string err;
  ASSERT_TRUE(SelectHtml(kPage, "head", &out, &err));
  EXPECT_EQ("About & the Lab", out[0].text);
}

TEST(HtmlSelect, IdClassAndCompound) {
  EXPECT_EQ(V{"Results"}, Texts("#top"));
  EXPECT_EQ(V{"Results"}, Texts(".hero.big"));
  EXPECT_EQ(V{}, Texts(".hero.small"));
  EXPECT_EQ((V{"41.5", "52.0", "12.25"}), Texts("td.num"));
  EXPECT_EQ(V{"52.0"}, Texts("td.num.best"));
  EXPECT_EQ(V{"Results"}, Texts("h1#top.hero"));
  EXPECT_EQ(V{}, Texts("p#top"));
}

TEST(HtmlSelect, Attributes) {
  EXPECT_EQ((V{"Docs", "Out"}), Texts("a[href]"));
  EXPECT_EQ(V{"Docs"}, Texts("a[href=\"/docs/\"]"));
  EXPECT_EQ(V{"Docs"}, Texts("[data-x='1']"));
  EXPECT_EQ(V{"Docs"}, Texts("a[data-x=1]"));
  EXPECT_EQ(V{}, Texts("a[href=/nope]"));
  std::vector<HtmlElement> out;
  std::string err;
  ASSERT_TRUE(SelectHtml(kPage, "a", &out, &err));
  ASSERT_EQ(2u, out.size());
  ASSERT_NE(nullptr, out[0].Attr("href"));
  EXPECT_EQ("/docs/", *out[0].Attr("href"));
  EXPECT_EQ(nullptr, out[0].Attr("title"));
  EXPECT_EQ("a", out[0].tag);
}

TEST(HtmlSelect, DescendantAndChildCombinators) {
  EXPECT_EQ((V{"qwen", "41.5", "llama", "52.0", "mistral", "12.25"}),
            Texts("table td"));
  EXPECT_EQ(V{}, Texts("table > td"));
  EXPECT_EQ(3u, Texts("tbody > tr").size());
  EXPECT_EQ(3u, Texts("table tbody>tr").size());
  EXPECT_EQ(1u, Texts("thead > tr").size());
  EXPECT_EQ((V{"qwen", "llama", "mistral"}),
            Texts("#bench tbody td:first-child"));
}

TEST(HtmlSelect, ChildPseudoClasses) {
  EXPECT_EQ((V{"qwen 41.5"}), Texts("tbody tr:first-child"));
  EXPECT_EQ((V{"mistral 12.25"}), Texts("tbody tr:last-child"));
  EXPECT_EQ((V{"llama 52.0"}), Texts("tbody tr:nth-child(2)"));
  EXPECT_EQ((V{"41.5", "52.0", "12.25"}), Texts("tr td:last-child.num"));
  EXPECT_EQ(V{}, Texts("tbody tr:nth-child(4)"));
}

TEST(HtmlSelect, UniversalAndCustomTags) {
  EXPECT_EQ(V{"custom"}, Texts("my-widget"));
  EXPECT_EQ(V{"Results"}, Texts("*#top"));
  EXPECT_EQ(3u, Texts("thead *").size());  // tr, th, th
}

TEST(HtmlSelect, UnsupportedAndMalformed) {
  EXPECT_EQ("unsupported selector ':hover'", Error("a:hover"));
  EXPECT_EQ("unsupported selector ':not(.x)'", Error("td:not(.x)"));
  EXPECT_EQ("unsupported selector ':nth-child(2n+1)' (only a number from 1)",
            Error("tr:nth-child(2n+1)"));
  EXPECT_EQ("unsupported selector ','", Error("h1, h2"));
  EXPECT_EQ("unsupported selector '+'", Error("h1 + p"));
  EXPECT_EQ("unsupported selector '^='", Error("a[href^=http]"));
  EXPECT_EQ("malformed selector 'a[href': expected ']'", Error("a[href"));
  EXPECT_EQ("malformed selector '': empty selector", Error(""));
  EXPECT_EQ("malformed selector 'table >': nothing after '>'",
            Error("table >"));
  EXPECT_EQ("malformed selector 'td.': expected a name after '.'",
            Error("td."));
}

}  // namespace
}  // namespace endstate::graders
