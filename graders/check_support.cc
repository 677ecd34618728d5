#include "graders/check_support.h"

#include <cctype>
#include <climits>

#include "sandbox/confine.h"
#include "sandbox/world.h"
#include "util/files.h"

namespace endstate::graders {
namespace fs = std::filesystem;

namespace {

std::string Shown(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

bool WrongType(const char* field, const char* expect, const json& got,
               std::string* err) {
  *err = std::string(field) + ": expected " + expect + ", got " + Shown(got);
  return false;
}

}  // namespace

bool FieldError(const char* field, const std::string& expectation,
                std::string* err) {
  *err = std::string(field) + ": " + expectation;
  return false;
}

bool OnlyFields(const json& spec, std::initializer_list<const char*> allowed,
                std::string* err) {
  if (!spec.is_object()) {
    *err = "check: expected a mapping";
    return false;
  }
  for (const auto& [key, value] : spec.items()) {
    if (key == "kind" || key == "name") continue;
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      *err = key + ": unknown field";
      return false;
    }
  }
  if (spec.contains("name") && !spec["name"].is_string()) {
    return WrongType("name", "a label string", spec["name"], err);
  }
  return true;
}

bool NeedString(const json& spec, const char* field, const char* expect,
                std::string* err) {
  if (!spec.contains(field)) {
    *err = std::string(field) + ": missing field (expected " + expect + ")";
    return false;
  }
  if (!spec[field].is_string()) {
    return WrongType(field, expect, spec[field], err);
  }
  return true;
}

bool OptString(const json& spec, const char* field, const char* expect,
               std::string* err) {
  if (!spec.contains(field)) return true;
  return NeedString(spec, field, expect, err);
}

bool OptBool(const json& spec, const char* field, std::string* err) {
  if (!spec.contains(field) || spec[field].is_boolean()) return true;
  return WrongType(field, "true or false", spec[field], err);
}

bool OptInt(const json& spec, const char* field, long long min, long long max,
            std::string* err) {
  if (!spec.contains(field)) return true;
  const json& v = spec[field];
  if (!v.is_number_integer() || v.get<long long>() < min ||
      v.get<long long>() > max) {
    std::string expect = "an integer";
    if (min == 0 && max == LLONG_MAX) {
      expect = "an integer >= 0";
    } else if (max != LLONG_MAX) {
      expect += " from " + std::to_string(min) + " to " + std::to_string(max);
    } else if (min != LLONG_MIN) {
      expect += " >= " + std::to_string(min);
    }
    return WrongType(field, expect.c_str(), v, err);
  }
  return true;
}

bool OptStringOrList(const json& spec, const char* field, const char* expect,
                     std::string* err) {
  if (!spec.contains(field)) return true;
  const json& v = spec[field];
  if (v.is_string()) return true;
  if (v.is_array() && !v.empty()) {
    for (const auto& e : v) {
      if (!e.is_string()) return WrongType(field, expect, v, err);
    }
    return true;
  }
  return WrongType(field, expect, v, err);
}

bool OptStringList(const json& spec, const char* field, const char* expect,
                   std::string* err) {
  if (!spec.contains(field)) return true;
  const json& v = spec[field];
  if (!v.is_array() || v.empty()) return WrongType(field, expect, v, err);
  for (const auto& e : v) {
    if (!e.is_string()) return WrongType(field, expect, v, err);
  }
  return true;
}

bool WorkspacePathField(const json& spec, const char* field, bool required,
                        std::string* err) {
  if (!required && !spec.contains(field)) return true;
  if (!NeedString(spec, field, "a workspace path", err)) return false;
  std::string p = spec[field].get<std::string>();
  if (!IsConfinedPath(p)) {
    *err = std::string(field) +
           ": must be a relative path inside the workspace, got " + Quote(p);
    return false;
  }
  return true;
}

bool OptEnum(const json& spec, const char* field,
             std::initializer_list<const char*> values, std::string* err) {
  if (!spec.contains(field)) return true;
  std::string expect = "one of";
  bool first = true;
  for (const char* v : values) {
    expect += first ? " " : ", ";
    expect += v;
    first = false;
  }
  const json& v = spec[field];
  if (v.is_string()) {
    for (const char* allowed : values) {
      if (v.get<std::string>() == allowed) return true;
    }
  }
  return WrongType(field, expect.c_str(), v, err);
}

std::string GetString(const json& spec, const char* field,
                      const std::string& fallback) {
  auto it = spec.find(field);
  return it != spec.end() && it->is_string() ? it->get<std::string>()
                                             : fallback;
}

bool GetBool(const json& spec, const char* field, bool fallback) {
  auto it = spec.find(field);
  return it != spec.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

long long GetInt(const json& spec, const char* field, long long fallback) {
  auto it = spec.find(field);
  return it != spec.end() && it->is_number_integer() ? it->get<long long>()
                                                     : fallback;
}

std::vector<std::string> GetStrings(const json& spec, const char* field) {
  std::vector<std::string> out;
  auto it = spec.find(field);
  if (it == spec.end()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const auto& e : *it) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

bool IsConfinedPath(const std::string& rel) {
  // The one confinement rule, lexically (host side: no absolute path).
  fs::path unused;
  std::string err;
  return util::ResolveBelow({.root = {}, .inside = "", .name = "the world"},
                            rel, &unused, &err) == util::ConfineError::kNone;
}

namespace {

sandbox::ConfinedTree Workspace(const fs::path& root) {
  return {root, sandbox::kWorkspaceInside, "the workspace"};
}

}  // namespace

PathState ResolveInside(const fs::path& root, const std::string& rel,
                        fs::path* out) {
  std::string err;
  sandbox::ConfineError e =
      sandbox::ResolveBelow(Workspace(root), rel, out, &err);
  if (e == sandbox::ConfineError::kSpecial) return PathState::kFile;
  if (e != sandbox::ConfineError::kNone) return PathState::kOutside;
  std::error_code ec;
  fs::file_status st = fs::symlink_status(*out, ec);
  if (ec || !fs::exists(st)) return PathState::kMissing;
  return fs::is_directory(st) ? PathState::kDirectory : PathState::kFile;
}

std::optional<std::string> ReadInside(const fs::path& root,
                                      const std::string& rel,
                                      std::string* detail) {
  std::string content, why;
  if (sandbox::ReadBelow(Workspace(root), rel, sandbox::kMaxGradedFileBytes,
                         &content, &why) != sandbox::ReadState::kRead) {
    *detail = rel + ": " + why;
    return std::nullopt;
  }
  return content;
}

namespace {

// Matches one segment against a pattern segment with `*` and `?`.
bool SegmentMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == '?' || pat[p] == s[i])) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) slash = s.size();
    if (slash > start) parts.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool MatchParts(const std::vector<std::string_view>& pat, size_t pi,
                const std::vector<std::string_view>& path, size_t si) {
  if (pi == pat.size()) return si == path.size();
  if (pat[pi] == "**") {
    for (size_t k = si; k <= path.size(); ++k) {
      if (MatchParts(pat, pi + 1, path, k)) return true;
    }
    return false;
  }
  return si < path.size() && SegmentMatch(pat[pi], path[si]) &&
         MatchParts(pat, pi + 1, path, si + 1);
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return MatchParts(Split(pattern), 0, Split(path), 0);
}

bool AnyGlobMatches(const std::vector<std::string>& patterns,
                    std::string_view path) {
  for (const auto& p : patterns) {
    if (GlobMatch(p, path)) return true;
  }
  return false;
}

std::string Quote(std::string_view text) {
  std::string s(text);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string JoinNames(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > max) {
    out += ", ... (" + std::to_string(names.size() - max) + " more)";
  }
  return out;
}

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

std::string CollapseWhitespace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
    } else {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

CheckResult Passed(std::string detail) {
  CheckResult r;
  r.verdict = Verdict::kPassed;
  r.detail = std::move(detail);
  return r;
}
CheckResult Failed(std::string detail) {
  CheckResult r;
  r.verdict = Verdict::kFailed;
  r.detail = std::move(detail);
  return r;
}
CheckResult Errored(std::string detail) {
  CheckResult r;
  r.verdict = Verdict::kError;
  r.detail = std::move(detail);
  return r;
}

}  // namespace endstate::graders
