// A blocking HTTP client on libcurl, shared by the model clients, the
// web_fetch tool and the http grader. Each call uses its own easy handle, so
// calls are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace endstate::util {

struct HttpRequest {
  std::string method = "GET";        // GET or POST
  std::string url;                   // absolute http(s) URL
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent for POST
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{300'000};  // whole exchange
  // Abort when no byte arrives for this long (0 = no stall detection).
  std::chrono::milliseconds stall_timeout{0};
  size_t max_body_bytes = 64 * 1024 * 1024;  // then the body is cut
  // "host:port" -> "127.0.0.1:port2": connections to the left side go to the
  // right side while the Host header keeps the left (curl CONNECT_TO).
  std::map<std::string, std::string> connect_to;
  bool follow_redirects = false;  // callers that follow check each hop
  // Called with each received body fragment as it arrives (streaming).
  // Returning false aborts the transfer. The body is still accumulated.
  std::function<bool(std::string_view)> on_data;
  // Abort when util::StopRequested() (util/stop.h: the run is being stopped),
  // checked by libcurl's progress callback, at least about once a second;
  // the response then has ok = false, stopped = true, error "stopped".
  bool abort_on_stop = false;
};

struct HttpResponse {
  // Transport outcome: true when an HTTP response (any status) was read.
  bool ok = false;
  std::string error;  // transport error text when !ok (curl's message)
  bool timed_out = false;
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, last wins
  std::string body;
  bool body_truncated = false;  // max_body_bytes reached
  std::string redirect_url;     // Location of a 3xx, resolved absolute
  bool stopped = false;         // aborted by HttpRequest::abort_on_stop
  double total_ms = 0;
};

// Performs `req`. Never throws; transport failures are reported in the
// result. Thread-safe.
HttpResponse Fetch(const HttpRequest& req);

}  // namespace endstate::util
