// The `html` check: parses a workspace file with gumbo and runs the HTML
// assertions (shared with the http check) on the elements a selector picks.
#include <cctype>
#include <climits>

#include "graders/check_kinds.h"
#include "graders/check_support.h"
#include "graders/html_assert.h"
#include "graders/html_select.h"

namespace endstate::graders {

const char* const kHtmlAssertFields[] = {
    "select", "count",       "min_count",     "absent",
    "index",  "text_equals", "text_contains", "texts_equal",
    "attr",   "attr_equals", "attr_contains", nullptr};

bool IsHtmlAssertField(const std::string& name) {
  for (const char* const* f = kHtmlAssertFields; *f != nullptr; ++f) {
    if (name == *f) return true;
  }
  return false;
}

namespace {

std::string Matches(size_t n) {
  return std::to_string(n) + (n == 1 ? " match" : " matches");
}

std::string QuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    if (i == 8) {
      out += "... (" + std::to_string(items.size() - 8) + " more)";
      break;
    }
    out += Quote(items[i]);
  }
  return out + "]";
}

}  // namespace

bool ValidateHtmlAssertions(const json& s, std::string* err) {
  if (!NeedString(s, "select", "a CSS selector string", err)) return false;
  std::vector<HtmlElement> ignored;
  std::string why;
  if (!SelectHtml("", s["select"].get<std::string>(), &ignored, &why)) {
    return FieldError("select", why, err);
  }
  if (!OptInt(s, "count", 0, LLONG_MAX, err) ||
      !OptInt(s, "min_count", 0, LLONG_MAX, err) ||
      !OptBool(s, "absent", err) ||
      !OptInt(s, "index", LLONG_MIN, LLONG_MAX, err) ||
      !OptString(s, "text_equals", "a text", err) ||
      !OptString(s, "text_contains", "a text", err) ||
      !OptString(s, "attr", "an attribute name", err) ||
      !OptString(s, "attr_equals", "a text", err) ||
      !OptString(s, "attr_contains", "a text", err)) {
    return false;
  }
  if (s.contains("texts_equal")) {
    const json& v = s["texts_equal"];
    bool ok = v.is_array();
    for (const auto& e : v) ok = ok && e.is_string();
    if (!ok) return FieldError("texts_equal", "expected a list of texts", err);
  }
  if ((s.contains("attr_equals") || s.contains("attr_contains")) &&
      !s.contains("attr")) {
    return FieldError("attr",
                      "missing field (expected the attribute name that "
                      "attr_equals / attr_contains read)",
                      err);
  }
  for (const char* f : {"count", "min_count", "absent", "text_equals",
                        "text_contains", "texts_equal", "attr"}) {
    if (s.contains(f)) return true;
  }
  return FieldError("select",
                    "expected one or more assertions with it (count, "
                    "min_count, absent, text_equals, text_contains, "
                    "texts_equal, attr)",
                    err);
}

CheckResult RunHtmlAssertions(const std::string& html, const json& s,
                              const std::string& label) {
  std::string selector = GetString(s, "select");
  std::vector<HtmlElement> found;
  std::string err;
  switch (SelectHtmlBounded(html, selector, &found, &err)) {
    case SelectStatus::kOk:
      break;
    case SelectStatus::kBadSelector:
      return Errored(label + ": select: " + err);
    case SelectStatus::kOverLimits:  // the page is the agent's
      return Failed(label + ": " + err);
  }
  const std::string sel = "<" + selector + ">";
  const size_t n = found.size();
  if (s.contains("absent")) {
    bool want_absent = GetBool(s, "absent");
    if (want_absent && n > 0) {
      return Failed(label + ": " + Matches(n) + " for " + sel + ", want none");
    }
    if (!want_absent && n == 0) {
      return Failed(label + ": nothing matches " + sel);
    }
  }
  if (s.contains("count") && n != static_cast<size_t>(GetInt(s, "count", 0))) {
    return Failed(label + ": " + Matches(n) + " for " + sel + ", want " +
                  std::to_string(GetInt(s, "count", 0)));
  }
  if (s.contains("min_count") &&
      n < static_cast<size_t>(GetInt(s, "min_count", 0))) {
    return Failed(label + ": " + Matches(n) + " for " + sel +
                  ", want at least " +
                  std::to_string(GetInt(s, "min_count", 0)));
  }
  if (s.contains("texts_equal")) {
    std::vector<std::string> got, want;
    for (const auto& e : found) got.push_back(e.text);
    for (const auto& t : s["texts_equal"])
      want.push_back(CollapseWhitespace(t.get<std::string>()));
    if (got != want) {
      return Failed(label + ": " + sel + " texts are " + QuoteList(got) +
                    ", want " + QuoteList(want));
    }
  }
  bool per_element = s.contains("text_equals") || s.contains("text_contains") ||
                     s.contains("attr");
  if (per_element) {
    long long index = GetInt(s, "index", 0);
    long long i = index < 0 ? static_cast<long long>(n) + index : index;
    std::string el = index == 0 ? sel : sel + "[" + std::to_string(index) + "]";
    if (n == 0) return Failed(label + ": nothing matches " + sel);
    if (i < 0 || i >= static_cast<long long>(n)) {
      return Failed(label + ": no " + el + ", only " + Matches(n));
    }
    const HtmlElement& e = found[i];
    if (s.contains("text_equals")) {
      std::string want = CollapseWhitespace(GetString(s, "text_equals"));
      if (e.text != want) {
        return Failed(label + ": " + el + " text is " + Quote(e.text) +
                      ", want " + Quote(want));
      }
    }
    if (s.contains("text_contains")) {
      std::string want = GetString(s, "text_contains");
      if (e.text.find(want) == std::string::npos) {
        return Failed(label + ": " + el + " text " + Quote(e.text) + " lacks " +
                      Quote(want));
      }
    }
    if (s.contains("attr")) {
      std::string name = GetString(s, "attr");
      const std::string* value = e.Attr(name);
      if (value == nullptr) {
        return Failed(label + ": " + el + " has no " + name + " attribute");
      }
      if (s.contains("attr_equals") && *value != GetString(s, "attr_equals")) {
        return Failed(label + ": " + el + " " + name + " is " + Quote(*value) +
                      ", want " + Quote(GetString(s, "attr_equals")));
      }
      if (s.contains("attr_contains") &&
          value->find(GetString(s, "attr_contains")) == std::string::npos) {
        return Failed(label + ": " + el + " " + name + " " + Quote(*value) +
                      " lacks " + Quote(GetString(s, "attr_contains")));
      }
    }
  }
  return Passed(label + ": " + Matches(n) + " for " + sel +
                ", every assertion holds");
}

bool ValidateHtml(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!s.is_object()) return FieldError("check", "expected a mapping", err);
  for (const auto& [key, value] : s.items()) {
    if (key != "kind" && key != "name" && key != "path" &&
        !IsHtmlAssertField(key)) {
      return FieldError(key.c_str(), "unknown field", err);
    }
  }
  return WorkspacePathField(s, "path", true, err) &&
         ValidateHtmlAssertions(s, err);
}

CheckResult RunHtml(const tasks::CheckSpec& check,
                    const sandbox::World& world) {
  std::string rel = GetString(check.spec, "path");
  std::string detail;
  auto html = ReadInside(world.workspace(), rel, &detail);
  if (!html) return Failed(detail);
  return RunHtmlAssertions(*html, check.spec, rel);
}

}  // namespace endstate::graders
