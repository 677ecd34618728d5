// HTML to readable text for web_fetch: what a person would read on the
// page, with enough structure (headings, lists, links, tables) for a model.
#pragma once

#include <string>
#include <string_view>

namespace endstate::tools {

// Renders `html` (parsed with gumbo, so any tag soup works):
//   <title>            "Title: T" as the first block
//   <h1>..<h6>         "# T" .. "###### T"
//   <p>, <div>, ...    blocks separated by one blank line
//   <li>               "- item" ("1. item" in <ol>), nested lists indented
//                      by two spaces per level
//   <a href=U>T</a>    "T [U]" (fragment-only and javascript: links: "T")
//   <img alt=A>        "[image: A]" when alt is not empty
//   <tr>               one line, cells separated by " | "
//   <pre>              kept verbatim
//   <br>               a line break
// Whitespace in text collapses to single spaces; <script>, <style>,
// <noscript>, <template> and <svg> are skipped. The result ends with one
// newline (or is empty).
// Bounded (util/html_parse.h): a page beyond util::HtmlLimits is rendered
// up to the tag that broke a limit, and *cut (when given) is set to
// "[page cut at byte N: it has more than 20000 tags (the limit)]" (else
// cleared). The tree is walked without recursion. Thread-safe.
std::string HtmlToText(std::string_view html, std::string* cut = nullptr);

}  // namespace endstate::tools
