// A small CSS selector engine over gumbo trees, shared by the `html` check
// and the `http` check. Supported: tag, #id, .class, tag.class#id
// compounds, [attr] and [attr=value], descendant (space) and child (>)
// combinators, :first-child, :last-child, :nth-child(N), comma-free.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace endstate::graders {

struct HtmlElement {
  std::string tag;                // lower case
  std::string text;               // visible text, whitespace collapsed and
                                  // trimmed, script/style skipped
  std::string inner_html_approx;  // unused by checks; may be empty
  std::vector<std::pair<std::string, std::string>> attributes;
  const std::string* Attr(const std::string& name) const;  // nullptr if none
};

enum class SelectStatus {
  kOk,
  kBadSelector,  // unsupported or malformed selector (the task's fault)
  kOverLimits,   // the page is beyond util::HtmlLimits, or the matches'
                 // texts exceed 16 MiB together (the page's fault)
};

// Parses `html` (bounded by util::ScanHtml first, walked without recursion)
// and returns the elements matching `selector` in document order. Sets
// *err unless kOk: "unsupported selector ':hover'", "the page nests
// elements more than 512 deep (the limit)", "the matching elements hold
// more than 16777216 bytes of text (the limit)". Thread-safe.
SelectStatus SelectHtmlBounded(const std::string& html,
                               const std::string& selector,
                               std::vector<HtmlElement>* out, std::string* err);

// SelectHtmlBounded, false unless kOk.
bool SelectHtml(const std::string& html, const std::string& selector,
                std::vector<HtmlElement>* out, std::string* err);

}  // namespace endstate::graders
