// The pre-scan reads tags as the HTML tokenizer would, roughly: comments,
// doctypes and processing instructions are skipped, raw-text elements
// (script, style, textarea, ...) are skipped up to their end tag, attribute
// values may hold '>' inside quotes. It keeps a stack of open element names
// (void and self-closed elements are not pushed; an end tag pops up to its
// match when there is one, else it is ignored) and takes the stack's height
// as the depth. That is an estimate, not gumbo's tree: gumbo also closes
// elements implicitly (so the estimate is usually higher) and re-opens
// formatting elements (so a hostile page can nest deeper than estimated);
// the tag limit bounds that case, and WalkHtml does not care about depth.
#include "util/html_parse.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace endstate::util {
namespace {

bool IsVoid(std::string_view tag) {
  static constexpr std::array<std::string_view, 14> kVoid = {
      "area",  "base", "br",   "col",   "embed",  "hr",    "img",
      "input", "link", "meta", "param", "source", "track", "wbr"};
  return std::find(kVoid.begin(), kVoid.end(), tag) != kVoid.end();
}

bool IsRawText(std::string_view tag) {
  static constexpr std::array<std::string_view, 9> kRaw = {
      "script", "style",   "textarea", "title",    "xmp",
      "iframe", "noembed", "noframes", "plaintext"};
  return std::find(kRaw.begin(), kRaw.end(), tag) != kRaw.end();
}

// Tags that close an open sibling of their group on the top of the stack
// ("<li>a<li>b" is two items, not nested ones).
int ImpliedGroup(std::string_view tag) {
  if (tag == "p") return 1;
  if (tag == "li") return 2;
  if (tag == "dt" || tag == "dd") return 3;
  if (tag == "td" || tag == "th") return 4;
  if (tag == "tr") return 5;
  if (tag == "option") return 6;
  return 0;
}

char Lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool IsTagNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Position just past the '>' that ends a tag whose attributes start at
// `pos` (quoted values may contain '>'), or html.size(). Sets *self_closing
// when the tag ends with "/>"; adds the attributes seen (words after a
// space, outside quotes) to *attributes.
size_t EndOfTag(std::string_view html, size_t pos, bool* self_closing,
                size_t* attributes) {
  *self_closing = false;
  char quote = 0;
  for (; pos < html.size(); ++pos) {
    char c = html[pos];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (IsSpace(html[pos - 1]) && !IsSpace(c) && c != '=' && c != '/' &&
               c != '>' && c != '"' && c != '\'' &&
               (pos < 2 || html[pos - 2] != '=')) {
      ++*attributes;
    } else if (c == '"' || c == '\'') {
      // Only a value's quote: after '=' (possibly with spaces).
      size_t b = pos;
      while (b > 0 && IsSpace(html[b - 1])) --b;
      if (b > 0 && html[b - 1] == '=') quote = c;
    } else if (c == '>') {
      *self_closing = pos > 0 && html[pos - 1] == '/';
      return pos + 1;
    }
  }
  return html.size();
}

// Position of the end tag "</name" (case-insensitive) at or after `pos`,
// or html.size().
size_t FindEndTag(std::string_view html, size_t pos, std::string_view name) {
  while (true) {
    size_t lt = html.find("</", pos);
    if (lt == std::string_view::npos) return html.size();
    size_t i = 0;
    while (i < name.size() && lt + 2 + i < html.size() &&
           Lower(html[lt + 2 + i]) == name[i]) {
      ++i;
    }
    if (i == name.size()) return lt;
    pos = lt + 2;
  }
}

}  // namespace

HtmlScan ScanHtml(std::string_view html, const HtmlLimits& limits) {
  HtmlScan scan;
  std::string_view input = html;
  if (input.size() > limits.max_bytes) {
    scan.over = "is " + std::to_string(html.size()) + " bytes, over the " +
                std::to_string(limits.max_bytes) + "-byte limit";
    input = input.substr(0, limits.max_bytes);
  }
  std::vector<std::pair<std::string, int>> open;  // name, implied group
  size_t tags = 0, attributes = 0;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t lt = input.find('<', pos);
    if (lt == std::string_view::npos || lt + 1 >= input.size()) break;
    const size_t tag_start = lt;
    char next = input[lt + 1];
    if (input.substr(lt, 4) == "<!--") {
      size_t end = input.find("-->", lt + 4);
      pos = end == std::string_view::npos ? input.size() : end + 3;
      continue;
    }
    if (next == '!' || next == '?') {
      size_t end = input.find('>', lt + 2);
      pos = end == std::string_view::npos ? input.size() : end + 1;
      continue;
    }
    const bool closing = next == '/';
    size_t name_at = lt + (closing ? 2 : 1);
    if (name_at >= input.size() || !IsTagNameStart(input[name_at])) {
      pos = lt + 1;  // a literal '<'
      continue;
    }
    size_t name_end = name_at;
    while (name_end < input.size() && !IsSpace(input[name_end]) &&
           input[name_end] != '/' && input[name_end] != '>') {
      ++name_end;
    }
    std::string name(input.substr(name_at, name_end - name_at));
    for (char& c : name) c = Lower(c);
    bool self_closing = false;
    pos = EndOfTag(input, name_end, &self_closing, &attributes);
    if (closing) {
      for (size_t i = open.size(); i > 0; --i) {
        if (open[i - 1].first == name) {
          open.resize(i - 1);
          break;
        }
      }
      continue;
    }
    if (++tags > limits.max_tags) {
      scan.over = "has more than " + std::to_string(limits.max_tags) +
                  " tags (the limit)";
      scan.usable_bytes = tag_start;
      return scan;
    }
    if (attributes > limits.max_attributes) {
      scan.over = "has more than " + std::to_string(limits.max_attributes) +
                  " attributes (the limit)";
      scan.usable_bytes = tag_start;
      return scan;
    }
    if (IsRawText(name)) {
      pos = FindEndTag(input, pos, name);
      continue;  // its end tag is read as an unmatched one: ignored
    }
    if (self_closing || IsVoid(name)) continue;
    const int group = ImpliedGroup(name);
    if (group == 5) {  // <tr> also ends the open cell of the previous row
      while (!open.empty() && open.back().second == 4) open.pop_back();
    }
    if (group != 0 && !open.empty() && open.back().second == group) {
      open.pop_back();
    }
    open.emplace_back(std::move(name), group);
    if (open.size() > limits.max_depth) {
      scan.over = "nests elements more than " +
                  std::to_string(limits.max_depth) + " deep (the limit)";
      scan.usable_bytes = tag_start;
      return scan;
    }
  }
  scan.usable_bytes = input.size();
  return scan;
}

void GumboOutputDeleter::operator()(GumboOutput* p) const {
  gumbo_destroy_output(&kGumboDefaultOptions, p);
}

HtmlDocument ParseHtml(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // error records copy the open-element stack
  return HtmlDocument(
      gumbo_parse_with_options(&options, html.data(), html.size()));
}

void WalkHtml(const GumboNode* root,
              const std::function<WalkStep(const GumboNode*)>& enter,
              const std::function<void(const GumboNode*)>& leave) {
  struct Frame {
    const GumboNode* node;
    unsigned next_child;
  };
  auto children = [](const GumboNode* n) -> const GumboVector* {
    if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) {
      return &n->v.element.children;
    }
    return nullptr;
  };
  std::vector<Frame> stack;
  auto visit = [&](const GumboNode* n) {
    WalkStep step = enter(n);
    if (step == WalkStep::kDescend) stack.push_back({n, 0});
    return step != WalkStep::kStop;
  };
  if (!visit(root)) return;
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector* kids = children(top.node);
    if (kids != nullptr && top.next_child < kids->length) {
      const auto* child =
          static_cast<const GumboNode*>(kids->data[top.next_child++]);
      if (!visit(child)) return;
      continue;
    }
    const GumboNode* done = top.node;
    stack.pop_back();
    if (leave) leave(done);
  }
}

}  // namespace endstate::util
