// The json_value check and the JSON matching it shares with http.
#include <algorithm>
#include <cctype>

#include "graders/check_kinds.h"
#include "graders/check_support.h"
#include "graders/json_match.h"

namespace endstate::graders {

namespace {

std::string Compact(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string LooseForm(const json& v) {
  std::string s = v.is_string()
                      ? v.get<std::string>()
                      : v.dump(-1, ' ', false, json::error_handler_t::replace);
  s = Trim(s);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

bool IsJsonPointer(const std::string& pointer) {
  try {
    json::json_pointer p(pointer);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

bool JsonAt(const std::string& text, const std::string& pointer, json* out,
            std::string* why) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    // Parse again with exceptions only to say where it broke.
    try {
      json again = json::parse(text);
      (void)again;
    } catch (const json::parse_error& e) {
      std::string msg = e.what();
      size_t at = msg.find("parse error");
      *why = "not valid JSON (" + msg.substr(at == std::string::npos ? 0 : at) +
             ")";
      return false;
    }
    *why = "not valid JSON";
    return false;
  }
  try {
    json::json_pointer p(pointer);
    if (!doc.contains(p)) {
      *why =
          (pointer.empty() ? std::string("(document)") : pointer) + ": missing";
      return false;
    }
    *out = doc.at(p);
    return true;
  } catch (const json::exception& e) {
    *why = pointer + ": " + e.what();
    return false;
  }
}

bool JsonMatches(const json& got, const std::vector<json>& wants, bool loose,
                 std::string* why) {
  for (const auto& want : wants) {
    if (loose ? LooseForm(got) == LooseForm(want) : got == want) return true;
  }
  if (wants.size() == 1) {
    *why = "got " + Compact(got) + ", want " + Compact(wants[0]);
  } else {
    std::string list;
    for (const auto& w : wants) list += (list.empty() ? "" : ", ") + Compact(w);
    *why = "got " + Compact(got) + ", want one of [" + list + "]";
  }
  return false;
}

bool ValidateJsonValue(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s, {"path", "pointer", "equals", "one_of", "loose"}, err) ||
      !WorkspacePathField(s, "path", true, err) ||
      !NeedString(s, "pointer", "an RFC 6901 JSON pointer such as /version",
                  err) ||
      !OptBool(s, "loose", err)) {
    return false;
  }
  if (!IsJsonPointer(s["pointer"].get<std::string>())) {
    return FieldError("pointer",
                      "expected an RFC 6901 JSON pointer such as /version, "
                      "got " +
                          Quote(s["pointer"].get<std::string>()),
                      err);
  }
  if (s.contains("equals") == s.contains("one_of")) {
    return FieldError("equals", "expected exactly one of equals or one_of",
                      err);
  }
  if (s.contains("one_of") &&
      (!s["one_of"].is_array() || s["one_of"].empty())) {
    return FieldError("one_of", "expected a non-empty list of values", err);
  }
  return true;
}

CheckResult RunJsonValue(const tasks::CheckSpec& check,
                         const sandbox::World& world) {
  const json& s = check.spec;
  std::string rel = GetString(s, "path");
  std::string pointer = GetString(s, "pointer");
  std::string detail;
  auto text = ReadInside(world.workspace(), rel, &detail);
  if (!text) return Failed(detail);
  json got;
  std::string why;
  if (!JsonAt(*text, pointer, &got, &why)) return Failed(rel + ": " + why);
  std::vector<json> wants;
  if (s.contains("equals")) {
    wants.push_back(s["equals"]);
  } else {
    wants.assign(s["one_of"].begin(), s["one_of"].end());
  }
  std::string label = rel + " " + (pointer.empty() ? "(document)" : pointer);
  if (!JsonMatches(got, wants, GetBool(s, "loose"), &why)) {
    return Failed(label + ": " + why);
  }
  return Passed(label + ": " + Compact(got));
}

bool ValidateJsonPointerPair(const nlohmann::json& s, std::string* err) {
  if (s.contains("json_pointer") != s.contains("json_equals")) {
    return FieldError(
        s.contains("json_pointer") ? "json_equals" : "json_pointer",
        "missing field (json_pointer and json_equals go together)", err);
  }
  if (s.contains("json_pointer") &&
      !IsJsonPointer(s["json_pointer"].get<std::string>())) {
    return FieldError("json_pointer",
                      "expected an RFC 6901 JSON pointer such as /version, "
                      "got " +
                          Quote(s["json_pointer"].get<std::string>()),
                      err);
  }
  return true;
}

}  // namespace endstate::graders
