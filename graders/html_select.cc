// The CSS selector subset of graders/html_select.h over gumbo trees.
// Selectors are parsed into compounds joined by combinators and matched
// top-down in one iterative pass over the tree (util::WalkHtml), after the
// page passed util::ScanHtml's bounds.
#include "graders/html_select.h"

#include <gumbo.h>

#include <cctype>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "graders/check_support.h"
#include "util/html_parse.h"

namespace endstate::graders {
namespace {

// Selectors are task-authored; one bit per compound in the match state.
constexpr size_t kMaxCompounds = 64;
// Bytes of text copied out of all matched elements together.
constexpr size_t kMaxSelectedText = 16 * 1024 * 1024;

enum class Pseudo { kFirstChild, kLastChild, kNthChild };

struct AttrTest {
  std::string name;
  bool has_value = false;
  std::string value;
};

struct Compound {
  std::string tag;  // empty or "*" = any
  std::vector<std::string> ids, classes;
  std::vector<AttrTest> attrs;
  std::vector<std::pair<Pseudo, int>> pseudos;
  bool child_of_previous = false;  // '>' before this compound
};

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  bool Parse(std::vector<Compound>* out, std::string* err) {
    SkipSpace();
    if (pos_ == s_.size()) return Malformed("empty selector", err);
    bool child = false;
    while (true) {
      Compound c;
      c.child_of_previous = child;
      if (!ParseCompound(&c, err)) return false;
      out->push_back(std::move(c));
      bool space = SkipSpace();
      if (pos_ == s_.size()) return true;
      char ch = s_[pos_];
      if (ch == '>') {
        ++pos_;
        SkipSpace();
        child = true;
      } else if (ch == ',' || ch == '+' || ch == '~') {
        *err = std::string("unsupported selector '") + ch + "'";
        return false;
      } else if (space) {
        child = false;
      } else {
        return Malformed(std::string("unexpected '") + ch + "'", err);
      }
      if (pos_ == s_.size()) return Malformed("nothing after '>'", err);
    }
  }

 private:
  bool Malformed(const std::string& why, std::string* err) {
    *err = "malformed selector '" + s_ + "': " + why;
    return false;
  }

  bool SkipSpace() {
    size_t start = pos_;
    while (pos_ < s_.size() &&
           std::isspace(static_cast<unsigned char>(s_[pos_]))) {
      ++pos_;
    }
    return pos_ > start;
  }

  std::string Ident() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  bool ParseCompound(Compound* c, std::string* err) {
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '*') {
      ++pos_;
      c->tag = "*";
    } else {
      c->tag = Ident();
      for (char& ch : c->tag) ch = std::tolower(static_cast<unsigned char>(ch));
    }
    while (pos_ < s_.size()) {
      char ch = s_[pos_];
      if (ch == '#' || ch == '.') {
        ++pos_;
        std::string name = Ident();
        if (name.empty()) {
          return Malformed(std::string("expected a name after '") + ch + "'",
                           err);
        }
        (ch == '#' ? c->ids : c->classes).push_back(name);
      } else if (ch == '[') {
        if (!ParseAttr(c, err)) return false;
      } else if (ch == ':') {
        if (!ParsePseudo(c, err)) return false;
      } else {
        break;
      }
    }
    if (pos_ == start) {
      if (pos_ < s_.size() &&
          !std::isspace(static_cast<unsigned char>(s_[pos_])) &&
          s_[pos_] != '>') {
        if (s_[pos_] == ',' || s_[pos_] == '+' || s_[pos_] == '~') {
          *err = std::string("unsupported selector '") + s_[pos_] + "'";
          return false;
        }
        return Malformed(std::string("unexpected '") + s_[pos_] + "'", err);
      }
      return Malformed("expected a selector", err);
    }
    return true;
  }

  bool ParseAttr(Compound* c, std::string* err) {
    ++pos_;  // '['
    SkipSpace();
    AttrTest t;
    t.name = Ident();
    for (char& ch : t.name) ch = std::tolower(static_cast<unsigned char>(ch));
    if (t.name.empty()) return Malformed("expected an attribute name", err);
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '=') {
      ++pos_;
      SkipSpace();
      t.has_value = true;
      if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
        char q = s_[pos_++];
        size_t end = s_.find(q, pos_);
        if (end == std::string::npos) return Malformed("unclosed quote", err);
        t.value = s_.substr(pos_, end - pos_);
        pos_ = end + 1;
      } else {
        size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] != ']' &&
               !std::isspace(static_cast<unsigned char>(s_[pos_]))) {
          ++pos_;
        }
        t.value = s_.substr(start, pos_ - start);
      }
      SkipSpace();
    } else if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '=' &&
               std::string("^$*~|").find(s_[pos_]) != std::string::npos) {
      *err = "unsupported selector '" + s_.substr(pos_, 2) + "'";
      return false;
    }
    if (pos_ >= s_.size() || s_[pos_] != ']') {
      return Malformed("expected ']'", err);
    }
    ++pos_;
    c->attrs.push_back(std::move(t));
    return true;
  }

  bool ParsePseudo(Compound* c, std::string* err) {
    size_t start = pos_;
    ++pos_;  // ':'
    if (pos_ < s_.size() && s_[pos_] == ':') ++pos_;
    std::string name = Ident();
    if (name == "first-child") {
      c->pseudos.push_back({Pseudo::kFirstChild, 0});
      return true;
    }
    if (name == "last-child") {
      c->pseudos.push_back({Pseudo::kLastChild, 0});
      return true;
    }
    if (name == "nth-child" && pos_ < s_.size() && s_[pos_] == '(') {
      size_t close = s_.find(')', pos_);
      if (close == std::string::npos) return Malformed("expected ')'", err);
      std::string arg = s_.substr(pos_ + 1, close - pos_ - 1);
      size_t b = arg.find_first_not_of(' '), e = arg.find_last_not_of(' ');
      arg = b == std::string::npos ? "" : arg.substr(b, e - b + 1);
      bool digits = !arg.empty() && arg.size() < 9 &&
                    arg.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoi(arg) < 1) {
        *err = "unsupported selector ':nth-child(" + arg +
               ")' (only a number from 1)";
        return false;
      }
      pos_ = close + 1;
      c->pseudos.push_back({Pseudo::kNthChild, std::stoi(arg)});
      return true;
    }
    size_t end = pos_;
    if (end < s_.size() && s_[end] == '(') {
      size_t close = s_.find(')', end);
      end = close == std::string::npos ? s_.size() : close + 1;
    }
    *err = "unsupported selector '" + s_.substr(start, end - start) + "'";
    return false;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

std::string TagName(const GumboNode* node) {
  const GumboElement& el = node->v.element;
  if (el.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(el.tag);
  GumboStringPiece piece = el.original_tag;
  gumbo_tag_from_original_text(&piece);
  std::string name(piece.data, piece.length);
  for (char& ch : name) ch = std::tolower(static_cast<unsigned char>(ch));
  return name;
}

const char* AttrValue(const GumboNode* node, const std::string& name) {
  const GumboAttribute* a =
      gumbo_get_attribute(&node->v.element.attributes, name.c_str());
  return a == nullptr ? nullptr : a->value;
}

bool HasClass(const char* value, const std::string& cls) {
  std::string v = value;
  size_t pos = 0;
  while (pos < v.size()) {
    while (pos < v.size() && std::isspace(static_cast<unsigned char>(v[pos])))
      ++pos;
    size_t end = pos;
    while (end < v.size() && !std::isspace(static_cast<unsigned char>(v[end])))
      ++end;
    if (end > pos && v.compare(pos, end - pos, cls) == 0 &&
        end - pos == cls.size()) {
      return true;
    }
    pos = end;
  }
  return false;
}

// 1-based position among element siblings, and their count.
void SiblingPosition(const GumboNode* node, int* index, int* count) {
  *index = 0;
  *count = 0;
  const GumboNode* parent = node->parent;
  if (parent == nullptr) {
    *index = *count = 1;
    return;
  }
  const GumboVector& kids = parent->type == GUMBO_NODE_DOCUMENT
                                ? parent->v.document.children
                                : parent->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) {
    const GumboNode* k = static_cast<const GumboNode*>(kids.data[i]);
    if (k->type != GUMBO_NODE_ELEMENT && k->type != GUMBO_NODE_TEMPLATE)
      continue;
    ++*count;
    if (k == node) *index = *count;
  }
}

bool IsElement(const GumboNode* n) {
  return n != nullptr &&
         (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE);
}

bool MatchCompound(const GumboNode* node, const Compound& c) {
  if (!c.tag.empty() && c.tag != "*" && TagName(node) != c.tag) return false;
  for (const auto& id : c.ids) {
    const char* v = AttrValue(node, "id");
    if (v == nullptr || id != v) return false;
  }
  for (const auto& cls : c.classes) {
    const char* v = AttrValue(node, "class");
    if (v == nullptr || !HasClass(v, cls)) return false;
  }
  for (const auto& a : c.attrs) {
    const char* v = AttrValue(node, a.name);
    if (v == nullptr || (a.has_value && a.value != v)) return false;
  }
  if (!c.pseudos.empty()) {
    int index, count;
    SiblingPosition(node, &index, &count);
    for (const auto& [kind, n] : c.pseudos) {
      if (kind == Pseudo::kFirstChild && index != 1) return false;
      if (kind == Pseudo::kLastChild && index != count) return false;
      if (kind == Pseudo::kNthChild && index != n) return false;
    }
  }
  return true;
}

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_TITLE:
      return true;
    default:
      return false;
  }
}

// Appends the visible text below `node` to *out, without recursion. Stops
// (returning false) once *budget bytes were appended in all: the texts of
// all matches together are bounded, since n nested matches would otherwise
// copy the same text n times.
bool AppendText(const GumboNode* node, std::string* out, size_t* budget) {
  bool within = true;
  util::WalkHtml(
      node,
      [&](const GumboNode* n) {
        switch (n->type) {
          case GUMBO_NODE_TEXT:
          case GUMBO_NODE_CDATA:
          case GUMBO_NODE_WHITESPACE: {
            std::string_view t = n->v.text.text;
            if (t.size() > *budget) {
              within = false;
              return util::WalkStep::kStop;
            }
            *budget -= t.size();
            *out += t;
            return util::WalkStep::kSkipChildren;
          }
          case GUMBO_NODE_ELEMENT:
          case GUMBO_NODE_TEMPLATE: {
            GumboTag tag = n->v.element.tag;
            if (tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE) {
              return util::WalkStep::kSkipChildren;
            }
            // Block boundaries separate words as a browser would ("<td>a
            // </td><td>b</td>" reads "a b"); inline elements do not.
            if (IsBlock(tag)) *out += ' ';
            return util::WalkStep::kDescend;
          }
          default:
            return util::WalkStep::kSkipChildren;
        }
      },
      [&](const GumboNode* n) {
        if (n->type != GUMBO_NODE_DOCUMENT && IsBlock(n->v.element.tag)) {
          *out += ' ';
        }
      });
  return within;
}

HtmlElement ToElement(const GumboNode* node, std::string raw) {
  HtmlElement e;
  e.tag = TagName(node);
  e.text = CollapseWhitespace(raw);
  const GumboVector& attrs = node->v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
    e.attributes.emplace_back(a->name, a->value);
  }
  return e;
}

// One bit per compound: bit j set when compounds 0..j match with this node
// as the element of compound j (`self`), or with this node or an ancestor
// as it (`below`, what a descendant combinator needs).
struct Matched {
  uint64_t self = 0;
  uint64_t below = 0;
};

Matched MatchNode(const GumboNode* node, const std::vector<Compound>& parts,
                  const Matched& parent) {
  Matched m;
  for (size_t j = 0; j < parts.size(); ++j) {
    const uint64_t bit = uint64_t{1} << j;
    bool prefix = true;
    if (j > 0) {
      const uint64_t prev = uint64_t{1} << (j - 1);
      prefix = ((parts[j].child_of_previous ? parent.self : parent.below) &
                prev) != 0;
    }
    if (prefix && MatchCompound(node, parts[j])) m.self |= bit;
  }
  m.below = parent.below | m.self;
  return m;
}

// Every element matching `parts` in document order, top-down in one pass:
// each element's match state follows from its parent's, so the work is
// (elements x compounds) whatever the depth or the selector. Returns false
// with *err when the matches' texts exceed kMaxSelectedText.
bool SelectAll(const GumboNode* root, const std::vector<Compound>& parts,
               std::vector<HtmlElement>* out, std::string* err) {
  const uint64_t last = uint64_t{1} << (parts.size() - 1);
  std::vector<Matched> states{Matched{}};  // one per open element
  size_t budget = kMaxSelectedText;
  bool within = true;
  util::WalkHtml(
      root,
      [&](const GumboNode* n) {
        if (n->type == GUMBO_NODE_DOCUMENT) return util::WalkStep::kDescend;
        if (!IsElement(n)) return util::WalkStep::kSkipChildren;
        Matched m = MatchNode(n, parts, states.back());
        if ((m.self & last) != 0) {
          std::string raw;
          if (!AppendText(n, &raw, &budget)) {
            within = false;
            return util::WalkStep::kStop;
          }
          out->push_back(ToElement(n, std::move(raw)));
        }
        states.push_back(m);
        return util::WalkStep::kDescend;
      },
      [&](const GumboNode* n) {
        if (n->type != GUMBO_NODE_DOCUMENT) states.pop_back();
      });
  if (!within) {
    *err = "the matching elements hold more than " +
           std::to_string(kMaxSelectedText) + " bytes of text (the limit)";
  }
  return within;
}

}  // namespace

const std::string* HtmlElement::Attr(const std::string& name) const {
  for (const auto& [k, v] : attributes) {
    if (k == name) return &v;
  }
  return nullptr;
}

SelectStatus SelectHtmlBounded(const std::string& html,
                               const std::string& selector,
                               std::vector<HtmlElement>* out,
                               std::string* err) {
  std::vector<Compound> parts;
  Parser parser(selector);
  if (!parser.Parse(&parts, err)) return SelectStatus::kBadSelector;
  if (parts.size() > kMaxCompounds) {
    *err = "selector '" + selector + "' has more than " +
           std::to_string(kMaxCompounds) + " parts";
    return SelectStatus::kBadSelector;
  }
  out->clear();
  util::HtmlScan scan = util::ScanHtml(html);
  if (!scan.over.empty()) {
    *err = "the page " + scan.over;
    return SelectStatus::kOverLimits;
  }
  util::HtmlDocument doc = util::ParseHtml(html);
  if (!SelectAll(doc->document, parts, out, err)) {
    out->clear();
    return SelectStatus::kOverLimits;
  }
  return SelectStatus::kOk;
}

bool SelectHtml(const std::string& html, const std::string& selector,
                std::vector<HtmlElement>* out, std::string* err) {
  return SelectHtmlBounded(html, selector, out, err) == SelectStatus::kOk;
}

}  // namespace endstate::graders
