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

// Parses `html` and returns the elements matching `selector` in document
// order. Returns false and sets *err for an unsupported or malformed
// selector ("unsupported selector ':hover'").
bool SelectHtml(const std::string& html, const std::string& selector,
                std::vector<HtmlElement>* out, std::string* err);

}  // namespace endstate::graders
