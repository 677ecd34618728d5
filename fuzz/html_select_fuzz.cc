// Fuzz target for graders::SelectHtml (graders/html_select.h), the CSS
// selector engine of the `html` and `http` checks.
//
// Input: the first line is the selector, the rest the HTML document. An
// unsupported or malformed selector must be refused with a message; an
// accepted one must match deterministically and never more elements than
// "*" does, and every match of a selector ending in a plain tag name must
// carry that tag.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "graders/html_select.h"

namespace {

using endstate::graders::HtmlElement;
using endstate::graders::SelectHtml;

void Require(bool ok, const char* what) {
  if (ok) return;
  __builtin_printf("html_select_fuzz: invariant failed: %s\n", what);
  std::abort();
}

// The last compound's tag when the selector ends in a bare lower-case tag
// name ("div", "ul > li"), else "".
std::string TrailingTag(const std::string& selector) {
  size_t end = selector.find_last_not_of(" \t\r\n\f\v");
  if (end == std::string::npos) return "";
  size_t begin = end + 1;
  while (begin > 0) {
    char c = selector[begin - 1];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) break;
    --begin;
  }
  if (begin > end) return "";
  if (begin > 0 && selector[begin - 1] != ' ' && selector[begin - 1] != '>') {
    return "";  // part of a longer compound (".x", "#y", "a-b")
  }
  return selector.substr(begin, end + 1 - begin);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string selector = input.substr(0, nl);
  const std::string html = nl == std::string::npos ? "" : input.substr(nl + 1);

  std::vector<HtmlElement> found;
  std::string err;
  if (!SelectHtml(html, selector, &found, &err)) {
    Require(!err.empty(), "refused selector without a message");
    return 0;
  }
  std::vector<HtmlElement> again, all;
  std::string err2;
  Require(SelectHtml(html, selector, &again, &err2), "second run refused");
  Require(again.size() == found.size(), "matches are not deterministic");
  Require(SelectHtml(html, "*", &all, &err2), "'*' refused");
  Require(found.size() <= all.size(), "more matches than '*'");
  const std::string tag = TrailingTag(selector);
  if (!tag.empty()) {
    for (const HtmlElement& e : found) {
      Require(e.tag == tag, "match does not carry the selector's tag");
    }
  }
  return 0;
}
