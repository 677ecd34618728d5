#include "util/http.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>

#include "util/curl_handles.h"
#include "util/stop.h"

namespace endstate::util {
namespace {

struct Transfer {
  const HttpRequest* req;
  HttpResponse* resp;
  bool aborted_by_callback = false;
  std::chrono::steady_clock::time_point last_byte;
  bool stalled = false;
  bool stopped = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  t->last_byte = std::chrono::steady_clock::now();
  std::string_view chunk(data, len);
  size_t room = t->req->max_body_bytes > t->resp->body.size()
                    ? t->req->max_body_bytes - t->resp->body.size()
                    : 0;
  if (chunk.size() > room) {
    t->resp->body.append(chunk.substr(0, room));
    t->resp->body_truncated = true;
    return 0;  // abort: the cap is reached
  }
  t->resp->body.append(chunk);
  if (t->req->on_data && !t->req->on_data(chunk)) {
    t->aborted_by_callback = true;
    return 0;
  }
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  t->last_byte = std::chrono::steady_clock::now();
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (after 100-continue)
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() &&
         std::isspace(static_cast<unsigned char>(value.front())))
    value.remove_prefix(1);
  while (!value.empty() &&
         std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  t->resp->headers[name] = std::string(value);
  return len;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->req->abort_on_stop && StopRequested()) {
    t->stopped = true;
    return 1;  // abort: the run is being stopped
  }
  if (t->req->stall_timeout.count() > 0 &&
      std::chrono::steady_clock::now() - t->last_byte > t->req->stall_timeout) {
    t->stalled = true;
    return 1;  // abort
  }
  return 0;
}

}  // namespace

void EnsureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpResponse Fetch(const HttpRequest& req) {
  EnsureCurlGlobalInit();
  HttpResponse resp;
  CurlEasy curl(curl_easy_init());
  if (!curl) {
    resp.error = "curl_easy_init failed";
    return resp;
  }
  Transfer t;
  t.req = &req;
  t.resp = &resp;
  t.last_byte = std::chrono::steady_clock::now();
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // Only plain and TLS HTTP; redirects are the caller's decision.
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(req.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(req.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "endstate/" ENDSTATE_VERSION);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");

  CurlList headers;
  // curl adds "Expect: 100-continue" to POST bodies over 1 KiB and waits up
  // to 1 s for a "100 Continue" that many servers never send: a stall in
  // every model request, and in every TTFT measured. An empty Expect header
  // turns it off.
  std::vector<std::string> all_headers = {"Expect:"};
  all_headers.insert(all_headers.end(), req.headers.begin(), req.headers.end());
  for (const auto& h : all_headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next) {
      headers.release();
      headers.reset(next);
    }
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  CurlList connect_to;
  for (const auto& [from, to] : req.connect_to) {
    // CONNECT_TO syntax: HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT
    std::string entry = from + ":" + to;
    curl_slist* next = curl_slist_append(connect_to.get(), entry.c_str());
    if (next) {
      connect_to.release();
      connect_to.reset(next);
    }
  }
  if (connect_to) curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to.get());

  if (req.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(req.body.size()));
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(c);
  resp.total_ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  char* redirect = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK &&
      redirect) {
    resp.redirect_url = redirect;
  }
  if (rc == CURLE_OK) {
    resp.ok = true;
  } else if (rc == CURLE_WRITE_ERROR && resp.body_truncated) {
    resp.ok = resp.status != 0;  // cap reached: keep what was read
  } else if (rc == CURLE_WRITE_ERROR && t.aborted_by_callback) {
    resp.ok = resp.status != 0;
    resp.error = "aborted by the reader";
  } else if (t.stopped) {
    resp.ok = false;
    resp.stopped = true;
    resp.error = "stopped";
  } else {
    resp.ok = false;
    resp.timed_out = rc == CURLE_OPERATION_TIMEDOUT || t.stalled;
    resp.error = t.stalled
                     ? "stalled: no data for " +
                           std::to_string(req.stall_timeout.count()) + " ms"
                     : curl_easy_strerror(rc);
  }
  return resp;
}

}  // namespace endstate::util
