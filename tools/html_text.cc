#include "tools/html_text.h"

#include <gumbo.h>

#include <string>
#include <vector>

#include "util/html_parse.h"

namespace endstate::tools {
namespace {

class Renderer {
 public:
  std::string Finish() {
    size_t start = out_.find_first_not_of('\n');
    if (start == std::string::npos) return "";
    size_t end = out_.find_last_not_of(" \n");
    return out_.substr(start, end - start + 1) + "\n";
  }

  // Called by util::WalkHtml before a node's children.
  util::WalkStep Enter(const GumboNode* node) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        Text(node->v.text.text);
        return util::WalkStep::kSkipChildren;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        return EnterElement(node) ? util::WalkStep::kDescend
                                  : util::WalkStep::kSkipChildren;
      case GUMBO_NODE_DOCUMENT:
        return util::WalkStep::kDescend;
      default:
        return util::WalkStep::kSkipChildren;  // comments
    }
  }

  // Called by util::WalkHtml after the children of a node Enter descended
  // into.
  void Leave(const GumboNode* node) {
    if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
      LeaveElement(node);
    }
  }

 private:
  struct List {
    bool ordered = false;
    int next = 1;
  };

  static const char* Attr(const GumboNode* node, const char* name) {
    const GumboAttribute* a =
        gumbo_get_attribute(&node->v.element.attributes, name);
    return a ? a->value : nullptr;
  }

  void StripTrailingSpaces() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }

  // Ends the current line and makes sure `n` newlines end the output (2 =
  // a blank line). Inside a table cell a break is only a space.
  void Break(int n) {
    if (in_cell_ > 0) {
      pending_space_ = true;
      return;
    }
    pending_space_ = false;
    if (out_.size() == item_start_) return;  // right after "- "
    if (in_item_ > 0) n = 1;  // blocks inside a list item stay compact
    StripTrailingSpaces();
    if (out_.empty()) return;
    int have = 0;
    for (auto it = out_.rbegin(); it != out_.rend() && *it == '\n'; ++it) {
      ++have;
    }
    for (; have < n; ++have) out_ += '\n';
  }

  // Appends inline text, collapsing whitespace (U+00A0 included).
  void Text(std::string_view s) {
    if (in_pre_ > 0) {
      out_ += s;
      return;
    }
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      bool nbsp = c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0';
      if (nbsp || c == ' ' || c == '\n' || c == '\t' || c == '\r' ||
          c == '\f') {
        if (nbsp) ++i;
        pending_space_ = true;
        continue;
      }
      if (pending_space_ && !out_.empty() && out_.back() != '\n' &&
          out_.back() != ' ') {
        out_ += ' ';
      }
      pending_space_ = false;
      out_ += c;
    }
  }

  static bool IsPlainBlock(GumboTag tag) {
    switch (tag) {
      case GUMBO_TAG_TABLE:
      case GUMBO_TAG_P:
      case GUMBO_TAG_DIV:
      case GUMBO_TAG_SECTION:
      case GUMBO_TAG_ARTICLE:
      case GUMBO_TAG_HEADER:
      case GUMBO_TAG_FOOTER:
      case GUMBO_TAG_MAIN:
      case GUMBO_TAG_NAV:
      case GUMBO_TAG_ASIDE:
      case GUMBO_TAG_BLOCKQUOTE:
      case GUMBO_TAG_FORM:
      case GUMBO_TAG_FIGURE:
      case GUMBO_TAG_FIGCAPTION:
      case GUMBO_TAG_DL:
      case GUMBO_TAG_ADDRESS:
      case GUMBO_TAG_FIELDSET:
      case GUMBO_TAG_DETAILS:
      case GUMBO_TAG_SUMMARY:
      case GUMBO_TAG_CENTER:
        return true;
      default:
        return false;
    }
  }

  // What an element writes before its children; false: skip them (and
  // LeaveElement is not called).
  bool EnterElement(const GumboNode* node) {
    const GumboTag tag = node->v.element.tag;
    switch (tag) {
      case GUMBO_TAG_SCRIPT:
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_NOSCRIPT:
      case GUMBO_TAG_TEMPLATE:
      case GUMBO_TAG_SVG:
        return false;
      case GUMBO_TAG_TITLE:
        Break(2);
        out_ += "Title: ";
        return true;
      case GUMBO_TAG_H1:
      case GUMBO_TAG_H2:
      case GUMBO_TAG_H3:
      case GUMBO_TAG_H4:
      case GUMBO_TAG_H5:
      case GUMBO_TAG_H6:
        Break(2);
        out_ += std::string(1 + (tag - GUMBO_TAG_H1), '#') + " ";
        item_start_ = out_.size();
        return true;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
        lists_.push_back(List{tag == GUMBO_TAG_OL, 1});
        Break(2);
        return true;
      case GUMBO_TAG_LI: {
        Break(1);
        std::string marker = "- ";
        size_t depth = lists_.size();
        if (depth > 0 && lists_.back().ordered) {
          marker = std::to_string(lists_.back().next++) + ". ";
        }
        if (in_cell_ == 0) {
          out_ += std::string(depth > 1 ? 2 * (depth - 1) : 0, ' ') + marker;
          item_start_ = out_.size();
        }
        ++in_item_;
        return true;
      }
      case GUMBO_TAG_TR:
        Break(1);
        cells_.push_back(0);
        return true;
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH:
        if (!cells_.empty() && cells_.back()++ > 0) {
          StripTrailingSpaces();
          out_ += " | ";
        }
        pending_space_ = false;
        ++in_cell_;
        return true;
      case GUMBO_TAG_A:
        links_.push_back(out_.size());
        return true;
      case GUMBO_TAG_IMG: {
        const char* alt = Attr(node, "alt");
        if (alt != nullptr && alt[0] != '\0') {
          Text("[image:");
          out_ += ' ';
          out_ += alt;
          out_ += ']';
        }
        return false;
      }
      case GUMBO_TAG_BR:
        if (in_cell_ > 0) {
          pending_space_ = true;
        } else {
          StripTrailingSpaces();
          out_ += '\n';
          pending_space_ = false;
        }
        return false;
      case GUMBO_TAG_HR:
        Break(2);
        return false;
      case GUMBO_TAG_PRE:
        Break(2);
        ++in_pre_;
        return true;
      case GUMBO_TAG_DT:
      case GUMBO_TAG_DD:
      case GUMBO_TAG_CAPTION:
        Break(1);
        return true;
      default:
        if (IsPlainBlock(tag)) Break(2);
        return true;
    }
  }

  // What an element writes after its children.
  void LeaveElement(const GumboNode* node) {
    const GumboTag tag = node->v.element.tag;
    if (tag == GUMBO_TAG_TITLE ||
        (tag >= GUMBO_TAG_H1 && tag <= GUMBO_TAG_H6)) {  // consecutive
      Break(2);
      return;
    }
    switch (tag) {
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
        lists_.pop_back();
        Break(2);  // compact again when still inside an item
        return;
      case GUMBO_TAG_LI:
        --in_item_;
        Break(1);
        return;
      case GUMBO_TAG_TR:
        cells_.pop_back();
        Break(1);
        return;
      case GUMBO_TAG_TD:
      case GUMBO_TAG_TH:
        --in_cell_;
        StripTrailingSpaces();
        return;
      case GUMBO_TAG_A: {
        size_t before = links_.back();
        links_.pop_back();
        const char* href = Attr(node, "href");
        if (href == nullptr || href[0] == '\0' || href[0] == '#' ||
            std::string_view(href).starts_with("javascript:")) {
          return;
        }
        if (out_.size() != before) pending_space_ = true;
        Text("[");
        out_ += href;
        out_ += ']';
        return;
      }
      case GUMBO_TAG_PRE:
        --in_pre_;
        Break(2);
        return;
      case GUMBO_TAG_DT:
      case GUMBO_TAG_DD:
      case GUMBO_TAG_CAPTION:
        Break(1);
        return;
      default:
        if (IsPlainBlock(tag)) Break(2);
        return;
    }
  }

  std::string out_;
  bool pending_space_ = false;
  size_t item_start_ = std::string::npos;  // output size right after a marker
  std::vector<List> lists_;
  std::vector<int> cells_;     // cells seen in each open row
  std::vector<size_t> links_;  // output size at each open <a>
  int in_cell_ = 0;
  int in_item_ = 0;  // open <li> elements
  int in_pre_ = 0;
};

}  // namespace

std::string HtmlToText(std::string_view html, std::string* cut) {
  util::HtmlScan scan = util::ScanHtml(html);
  if (cut != nullptr) cut->clear();
  if (!scan.over.empty()) {
    html = html.substr(0, scan.usable_bytes);
    if (cut != nullptr) {
      *cut = "[page cut at byte " + std::to_string(scan.usable_bytes) +
             ": it " + scan.over + "]";
    }
  }
  util::HtmlDocument output = util::ParseHtml(html);
  Renderer renderer;
  util::WalkHtml(
      output->document, [&](const GumboNode* n) { return renderer.Enter(n); },
      [&](const GumboNode* n) { renderer.Leave(n); });
  return renderer.Finish();
}

}  // namespace endstate::tools
