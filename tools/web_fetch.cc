// web_fetch: GET a page of one of the world's hosts. Only http:// URLs whose
// host the world serves are fetched; connections go to the world's loopback
// server, and redirects are followed here so that each hop is checked.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "tools/builtin_tools.h"
#include "tools/html_text.h"
#include "tools/text_limits.h"
#include "util/http.h"

namespace endstate::tools {
using nlohmann::json;
namespace {

constexpr int kMaxRedirects = 5;
constexpr size_t kMaxBodyBytes = 2 * 1024 * 1024;

struct Url {
  std::string host;  // lower case, no port
  int port = 80;
  std::string normalized;  // the URL with the host in lower case
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string HostList(const sandbox::World& world) {
  std::string list;
  for (const auto& h : world.HttpHosts()) {
    if (!list.empty()) list += ", ";
    list += h;
  }
  return list.empty() ? "(none)" : list;
}

// Checks that `url` may be fetched in `world` and parses it. On refusal
// returns false with a message for the model.
bool CheckUrl(const std::string& url, const sandbox::World& world, Url* out,
              std::string* err) {
  const std::string kScheme = "http://";
  if (Lower(url.substr(0, kScheme.size())) != kScheme) {
    *err = "only http:// URLs of this world's hosts can be fetched (hosts: " +
           HostList(world) + ")";
    return false;
  }
  std::string rest = url.substr(kScheme.size());
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string::npos) {
    *err = "URLs with user information are not supported";
    return false;
  }
  std::string host = authority;
  int port = 80;
  if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    std::string digits = authority.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 ||
        !std::all_of(digits.begin(), digits.end(),
                     [](unsigned char c) { return std::isdigit(c); }) ||
        std::stoi(digits) == 0 || std::stoi(digits) > 65535) {
      *err = "invalid port in URL '" + url + "'";
      return false;
    }
    port = std::stoi(digits);
  }
  host = Lower(host);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) {
    *err = "URL '" + url + "' has no host";
    return false;
  }
  const std::vector<std::string> hosts = world.HttpHosts();
  if (std::find(hosts.begin(), hosts.end(), host) == hosts.end() ||
      !world.HttpAddress(host)) {
    *err = "host '" + host +
           "' is not part of this world; hosts: " + HostList(world);
    return false;
  }
  out->host = host;
  out->port = port;
  // The fixture server picks the site by Host header: send it normalized.
  out->normalized =
      kScheme + host +
      (authority.find(':') != std::string::npos ? ":" + std::to_string(port)
                                                : std::string()) +
      rest.substr(authority.size());
  return true;
}

bool IsHtml(const util::HttpResponse& res) {
  auto it = res.headers.find("content-type");
  if (it == res.headers.end()) return false;
  std::string type = Lower(it->second);
  return type.find("text/html") != std::string::npos ||
         type.find("application/xhtml") != std::string::npos;
}

ToolResult WebFetch(const json& args, const ToolContext& ctx) {
  if (ctx.world == nullptr) return ErrorResult("no world is attached");
  const sandbox::World& world = *ctx.world;
  std::string url = args.at("url").get<std::string>();
  const bool raw = args.value("raw", false);
  util::HttpResponse res;
  for (int hop = 0;; ++hop) {
    Url parsed;
    std::string err;
    if (!CheckUrl(url, world, &parsed, &err)) {
      if (hop > 0) err = "redirect to " + url + " refused: " + err;
      return ErrorResult(err);
    }
    url = parsed.normalized;
    util::HttpRequest req;
    req.url = url;
    req.connect_timeout = std::chrono::seconds(5);
    req.total_timeout = std::chrono::seconds(30);
    req.max_body_bytes = kMaxBodyBytes;
    req.connect_to[parsed.host + ":" + std::to_string(parsed.port)] =
        *world.HttpAddress(parsed.host);
    res = util::Fetch(req);
    if (!res.ok) {
      return ErrorResult(
          "could not fetch " + url + ": " +
          (res.timed_out ? std::string("timed out") : res.error));
    }
    if (res.status < 300 || res.status >= 400 || res.redirect_url.empty()) {
      break;
    }
    if (hop == kMaxRedirects) {
      return ErrorResult("too many redirects (more than " +
                         std::to_string(kMaxRedirects) + ") at " + url);
    }
    url = res.redirect_url;
  }
  std::string cut;  // the page was beyond util::HtmlLimits
  std::string body =
      raw || !IsHtml(res) ? SanitizeUtf8(res.body) : HtmlToText(res.body, &cut);
  std::string text =
      "HTTP " + std::to_string(res.status) + " " + url + "\n\n" + body;
  if (!cut.empty()) text += cut + "\n";
  if (res.body_truncated) {
    if (!text.empty() && text.back() != '\n') text += "\n";
    text += "[body cut at " + std::to_string(kMaxBodyBytes) + " bytes]\n";
  }
  ToolResult r;
  r.content = CapWithMarker(text, ctx.max_result_bytes);
  r.is_error = res.status < 200 || res.status >= 300;
  return r;
}

}  // namespace

std::unique_ptr<Tool> MakeWebFetchTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "web_fetch",
          "Fetch a web page of this task's hosts (http:// only, e.g. "
          "http://site.test/). Returns the status line, then the page as "
          "readable text (headings '#', list items '-', links 'text [url]', "
          "table rows with ' | '), or the body unchanged when raw is true.",
          {{"type", "object"},
           {"properties",
            {{"url",
              {{"type", "string"},
               {"minLength", 1},
               {"description", "Absolute http:// URL"}}},
             {"raw",
              {{"type", "boolean"},
               {"description",
                "Return the body exactly as served (HTML source) instead of "
                "readable text; default false"},
               {"default", false}}}}},
           {"required", {"url"}},
           {"additionalProperties", false}}},
      &WebFetch);
}

}  // namespace endstate::tools
