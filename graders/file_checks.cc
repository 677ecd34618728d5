// Workspace file checks: file_exists, file_contains, file_matches,
// file_equals.
#include <algorithm>
#include <boost/regex.hpp>
#include <cctype>

#include "graders/check_kinds.h"
#include "graders/check_support.h"
#include "util/files.h"

namespace endstate::graders {
namespace fs = std::filesystem;

namespace {

// Boost.Regex rather than std::regex: libstdc++'s matcher recurses per
// character and overflows the stack on files of a few tens of KiB, while
// Boost's is iterative and throws when a match gets too costly. In its
// ECMAScript/Perl syntax `^` and `$` match at line boundaries.
constexpr auto kRegexFlags = boost::regex::ECMAScript;

// "Unmatched ( ...  The error occurred while parsing ..." -> first sentence.
std::string RegexMessage(const std::exception& e) {
  std::string msg = e.what();
  size_t cut = msg.find("  The error occurred");
  return cut == std::string::npos ? msg : msg.substr(0, cut);
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Strips trailing whitespace of every line and trailing blank lines.
std::string NormalizeTrim(const std::string& s) {
  std::string out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    std::string line = s.substr(start, nl - start);
    size_t end = line.find_last_not_of(" \t\r\f\v");
    out += end == std::string::npos ? "" : line.substr(0, end + 1);
    out += '\n';
    start = nl + 1;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The line holding byte `pos` (a '\n' at pos ends that line).
std::string LineAt(const std::string& s, size_t pos) {
  size_t b = pos == 0 ? std::string::npos : s.rfind('\n', pos - 1);
  b = b == std::string::npos ? 0 : b + 1;
  size_t e = s.find('\n', pos);
  return s.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

}  // namespace

bool ValidateFileExists(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  return OnlyFields(s, {"path", "absent"}, err) &&
         WorkspacePathField(s, "path", true, err) && OptBool(s, "absent", err);
}

CheckResult RunFileExists(const tasks::CheckSpec& check,
                          const sandbox::World& world) {
  std::string rel = GetString(check.spec, "path");
  bool want_absent = GetBool(check.spec, "absent");
  fs::path p;
  PathState st = ResolveInside(world.workspace(), rel, &p);
  if (st == PathState::kOutside) {
    return Failed(rel + ": leads outside the workspace");
  }
  bool exists = st != PathState::kMissing;
  if (want_absent) {
    return exists ? Failed(rel + ": exists, want absent")
                  : Passed(rel + ": absent");
  }
  return exists ? Passed(rel + ": exists") : Failed(rel + ": missing");
}

bool ValidateFileContains(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s, {"path", "text", "texts", "absent"}, err) ||
      !WorkspacePathField(s, "path", true, err) ||
      !OptString(s, "text", "a text", err) ||
      !OptStringList(s, "texts", "a non-empty list of texts", err) ||
      !OptBool(s, "absent", err)) {
    return false;
  }
  if (s.contains("text") == s.contains("texts")) {
    return FieldError("text", "expected exactly one of text or texts", err);
  }
  return true;
}

CheckResult RunFileContains(const tasks::CheckSpec& check,
                            const sandbox::World& world) {
  std::string rel = GetString(check.spec, "path");
  std::string detail;
  auto content = ReadInside(world.workspace(), rel, &detail);
  if (!content) return Failed(detail);
  std::vector<std::string> texts = GetStrings(check.spec, "text");
  if (texts.empty()) texts = GetStrings(check.spec, "texts");
  bool want_absent = GetBool(check.spec, "absent");
  std::vector<std::string> wrong;  // texts that break the expectation
  for (const auto& t : texts) {
    bool found = content->find(t) != std::string::npos;
    if (found == want_absent) wrong.push_back(Quote(t));
  }
  if (!wrong.empty()) {
    return Failed(rel + (want_absent ? ": contains " : ": lacks ") +
                  JoinNames(wrong));
  }
  return Passed(rel +
                (want_absent ? ": contains none of " : ": contains all ") +
                Plural(texts.size(), "text"));
}

bool ValidateFileMatches(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s, {"path", "regex", "absent"}, err) ||
      !WorkspacePathField(s, "path", true, err) ||
      !NeedString(s, "regex", "an ECMAScript regular expression", err) ||
      !OptBool(s, "absent", err)) {
    return false;
  }
  try {
    boost::regex re(s["regex"].get<std::string>(), kRegexFlags);
  } catch (const boost::regex_error& e) {
    return FieldError(
        "regex",
        "invalid ECMAScript regular expression (" + RegexMessage(e) + ")", err);
  }
  return true;
}

CheckResult RunFileMatches(const tasks::CheckSpec& check,
                           const sandbox::World& world) {
  std::string rel = GetString(check.spec, "path");
  std::string pattern = GetString(check.spec, "regex");
  std::string detail;
  auto content = ReadInside(world.workspace(), rel, &detail);
  if (!content) return Failed(detail);
  boost::smatch m;
  bool found = false;
  try {
    boost::regex re(pattern, kRegexFlags);
    found = boost::regex_search(*content, m, re);
  } catch (const std::exception& e) {
    return Errored(rel + ": regex search failed: " + RegexMessage(e));
  }
  std::string shown = "/" + pattern + "/";
  bool want_absent = GetBool(check.spec, "absent");
  if (found) {
    std::string d = rel + ": " + shown + " matches " + Quote(m.str(0));
    return want_absent ? Failed(d) : Passed(d);
  }
  std::string d = rel + ": no match for " + shown;
  return want_absent ? Passed(d) : Failed(d);
}

bool ValidateFileEquals(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s, {"path", "text", "same_as", "normalize"}, err) ||
      !WorkspacePathField(s, "path", true, err) ||
      !OptString(s, "text", "a text", err) ||
      !OptString(s, "same_as", "a file of the task folder", err) ||
      !OptEnum(s, "normalize", {"none", "trim", "whitespace"}, err)) {
    return false;
  }
  if (s.contains("text") == s.contains("same_as")) {
    return FieldError("text", "expected exactly one of text or same_as", err);
  }
  if (s.contains("same_as") &&
      !IsConfinedPath(s["same_as"].get<std::string>())) {
    return FieldError("same_as",
                      "must be a relative path inside the task folder, got " +
                          Quote(s["same_as"].get<std::string>()),
                      err);
  }
  return true;
}

CheckResult RunFileEquals(const tasks::CheckSpec& check,
                          const sandbox::World& world) {
  const json& s = check.spec;
  std::string rel = GetString(s, "path");
  std::string want;
  if (s.contains("same_as")) {
    fs::path expected = GetString(s, "same_as");
    if (!expected.is_absolute()) {
      return Errored("same_as: " + expected.string() +
                     " is relative and the task folder is unknown");
    }
    std::string err;
    auto content = util::ReadFile(expected, &err);
    if (!content) return Errored("same_as: " + err);
    want = *content;
  } else {
    want = GetString(s, "text");
  }
  std::string detail;
  auto got = ReadInside(world.workspace(), rel, &detail);
  if (!got) return Failed(detail);
  std::string mode = GetString(s, "normalize", "none");
  std::string a = *got, b = want;
  if (mode == "trim") {
    a = NormalizeTrim(a);
    b = NormalizeTrim(b);
  } else if (mode == "whitespace") {
    a = CollapseWhitespace(a);
    b = CollapseWhitespace(b);
  }
  if (a == b) return Passed(rel + ": equals the expected text");
  size_t pos = 0;
  while (pos < a.size() && pos < b.size() && a[pos] == b[pos]) ++pos;
  auto snippet = [&](const std::string& t) {
    if (pos >= t.size()) return std::string("end of file");
    if (mode == "whitespace") {
      size_t from = pos > 20 ? pos - 20 : 0;
      return Quote(t.substr(from, 60));
    }
    return Quote(LineAt(t, pos));
  };
  std::string where =
      mode == "whitespace"
          ? "character " + std::to_string(pos + 1)
          : "line " + std::to_string(
                          1 + std::count(a.begin(), a.begin() + pos, '\n'));
  return Failed(rel + ": differs at " + where + ": got " + snippet(a) +
                ", want " + snippet(b));
}

}  // namespace endstate::graders
