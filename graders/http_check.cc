// The `http` check: a fresh GET through the world's fixture server. The URL
// keeps its stable host name (Host header) while the connection goes to the
// loopback address the world maps that name to.
#include <algorithm>
#include <climits>

#include "graders/check_kinds.h"
#include "graders/check_support.h"
#include "graders/html_assert.h"
#include "graders/json_match.h"
#include "util/http.h"

namespace endstate::graders {

namespace {

struct UrlParts {
  std::string host;
  int port = 80;
};

// Splits "http://host[:port][/...]"; false for anything else.
bool ParseUrl(const std::string& url, UrlParts* out) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return false;
  size_t start = scheme.size();
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(
      start, end == std::string::npos ? std::string::npos : end - start);
  if (authority.empty() || authority.find('@') != std::string::npos) {
    return false;
  }
  size_t colon = authority.find(':');
  out->host = authority.substr(0, colon);
  if (out->host.empty()) return false;
  if (colon != std::string::npos) {
    std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    out->port = std::stoi(port);
    if (out->port < 1 || out->port > 65535) return false;
  }
  return true;
}

size_t LineOf(const std::string& a, const std::string& b) {
  size_t pos = 0;
  while (pos < a.size() && pos < b.size() && a[pos] == b[pos]) ++pos;
  return 1 + std::count(a.begin(), a.begin() + pos, '\n');
}

}  // namespace

bool ValidateHttp(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (!OnlyFields(s,
                  {"url", "status", "body_contains", "body_not_contains",
                   "same_as_workspace", "json_pointer", "json_equals", "html"},
                  err) ||
      !NeedString(s, "url", "an http:// URL of a world host", err) ||
      !OptInt(s, "status", 100, 599, err) ||
      !OptStringOrList(s, "body_contains", "a text or a list of texts", err) ||
      !OptStringOrList(s, "body_not_contains", "a text or a list of texts",
                       err) ||
      !WorkspacePathField(s, "same_as_workspace", false, err) ||
      !OptString(s, "json_pointer", "an RFC 6901 JSON pointer", err)) {
    return false;
  }
  UrlParts url;
  if (!ParseUrl(s["url"].get<std::string>(), &url)) {
    return FieldError("url",
                      "expected an http:// URL of a world host, got " +
                          Quote(s["url"].get<std::string>()),
                      err);
  }
  if (!ValidateJsonPointerPair(s, err)) return false;
  if (s.contains("html")) {
    const json& h = s["html"];
    if (!h.is_object()) {
      return FieldError("html", "expected a mapping with select and assertions",
                        err);
    }
    for (const auto& [key, value] : h.items()) {
      if (!IsHtmlAssertField(key)) {
        return FieldError(("html." + key).c_str(), "unknown field", err);
      }
    }
    std::string why;
    if (!ValidateHtmlAssertions(h, &why)) {
      *err = "html." + why;
      return false;
    }
  }
  return true;
}

CheckResult RunHttp(const tasks::CheckSpec& check,
                    const sandbox::World& world) {
  const json& s = check.spec;
  const std::string url = GetString(s, "url");
  UrlParts parts;
  if (!ParseUrl(url, &parts)) return Errored(url + ": not an http:// URL");
  std::optional<std::string> address = world.HttpAddress(parts.host);
  if (!address) {
    return Errored(url + ": host '" + parts.host +
                   "' is not part of this world");
  }
  util::HttpRequest req;
  req.url = url;
  req.connect_to[parts.host + ":" + std::to_string(parts.port)] = *address;
  req.connect_timeout = std::chrono::seconds(5);
  req.total_timeout = std::chrono::seconds(30);
  util::HttpResponse resp = util::Fetch(req);
  if (!resp.ok) return Errored(url + ": " + resp.error);

  long want_status = GetInt(s, "status", 200);
  if (resp.status != want_status) {
    return Failed(url + ": status " + std::to_string(resp.status) + ", want " +
                  std::to_string(want_status));
  }
  std::vector<std::string> wrong;
  for (const auto& t : GetStrings(s, "body_contains")) {
    if (resp.body.find(t) == std::string::npos) wrong.push_back(Quote(t));
  }
  if (!wrong.empty()) return Failed(url + ": body lacks " + JoinNames(wrong));
  for (const auto& t : GetStrings(s, "body_not_contains")) {
    if (resp.body.find(t) != std::string::npos) wrong.push_back(Quote(t));
  }
  if (!wrong.empty()) {
    return Failed(url + ": body contains " + JoinNames(wrong));
  }
  if (s.contains("same_as_workspace")) {
    std::string rel = GetString(s, "same_as_workspace");
    std::string detail;
    auto want = ReadInside(world.workspace(), rel, &detail);
    if (!want) return Failed(url + ": " + detail);
    if (resp.body != *want) {
      return Failed(url + ": body differs from " + rel + " at line " +
                    std::to_string(LineOf(resp.body, *want)));
    }
  }
  if (s.contains("json_pointer")) {
    std::string pointer = GetString(s, "json_pointer");
    json got;
    std::string why;
    if (!JsonAt(resp.body, pointer, &got, &why)) {
      return Failed(url + ": " + why);
    }
    if (!JsonMatches(got, {s["json_equals"]}, false, &why)) {
      return Failed(url + " " + pointer + ": " + why);
    }
  }
  if (s.contains("html")) {
    CheckResult r = RunHtmlAssertions(resp.body, s["html"], url);
    if (r.verdict != Verdict::kPassed) return r;
  }
  return Passed(url + ": status " + std::to_string(resp.status) +
                ", every assertion holds");
}

}  // namespace endstate::graders
