#include "models/http_try.h"

#include <cstdlib>

namespace endstate::models {

TryOutcome StreamErrorOutcome(std::string detail, long code,
                              const std::string& data, long http_status) {
  TryOutcome o =
      RetryableOutcome("stream error", std::move(detail), http_status);
  o.error_class = ClassifyServerError(code, data);
  if (o.error_class != ErrorClass::kOther) o.kind = TryOutcome::Kind::kFinal;
  return o;
}

TryOutcome RetryableOutcome(std::string what, std::string detail,
                            long http_status) {
  TryOutcome o;
  o.kind = TryOutcome::Kind::kRetryable;
  o.what = std::move(what);
  o.detail = std::move(detail);
  o.http_status = http_status;
  return o;
}

TryOutcome StatusOutcome(const util::HttpResponse& resp, std::string detail) {
  TryOutcome o;
  o.kind = IsRetryableStatus(resp.status) ? TryOutcome::Kind::kRetryable
                                          : TryOutcome::Kind::kFinal;
  o.what = "HTTP " + std::to_string(resp.status);
  o.detail = std::move(detail);
  o.http_status = resp.status;
  if (auto it = resp.headers.find("retry-after"); it != resp.headers.end()) {
    o.retry_after = ParseRetryAfter(it->second);
  }
  o.error_class = ClassifyServerError(resp.status, resp.body);
  if (o.error_class != ErrorClass::kOther) o.kind = TryOutcome::Kind::kFinal;
  return o;
}

util::HttpResponse PostModelRequest(
    const ModelConfig& config, const std::string& url,
    const std::vector<std::string>& headers, const std::string& body,
    const std::function<void(const SseEvent&)>& on_event, int* event_count) {
  util::HttpRequest hr;
  hr.method = "POST";
  hr.url = url;
  hr.headers = headers;
  hr.body = body;
  hr.total_timeout = config.request_timeout;
  hr.stall_timeout = config.stall_timeout;
  hr.abort_on_stop = true;  // a stopped run cuts its requests short
  hr.max_body_bytes = config.max_response_bytes + 1;
  SseParser parser;
  std::vector<SseEvent> events;
  *event_count = 0;
  auto deliver = [&] {
    for (const SseEvent& e : events) {
      ++*event_count;
      on_event(e);
    }
    events.clear();
  };
  if (config.stream) {
    hr.on_data = [&](std::string_view bytes) {
      parser.Feed(bytes, &events);
      deliver();
      return true;
    };
  }
  util::HttpResponse resp = util::Fetch(hr);
  if (config.stream) {
    // A last event without its closing blank line (a server that closes
    // early) still counts.
    parser.Finish(&events);
    deliver();
  }
  return resp;
}

bool TooLargeOutcome(const ModelConfig& config, const util::HttpResponse& resp,
                     TryOutcome* outcome, std::string* raw_response) {
  if (!resp.body_truncated) return false;
  // Keep the record bounded: the head of the body says what it was.
  *raw_response = resp.body.substr(0, 64 * 1024);
  *outcome = TryOutcome{};
  outcome->kind = TryOutcome::Kind::kFinal;
  outcome->what = "response too large";
  outcome->detail = "more than " +
                    std::to_string(config.max_response_bytes >> 20) +
                    " MiB (max_response_mb)";
  outcome->http_status = resp.status;
  return true;
}

bool IsJsonResponse(const util::HttpResponse& resp) {
  auto it = resp.headers.find("content-type");
  return it != resp.headers.end() &&
         it->second.find("json") != std::string::npos;
}

bool AddApiKeyHeader(const ModelConfig& config,
                     const std::string& header_prefix, const std::string& body,
                     std::vector<std::string>* headers, ModelError* err) {
  if (config.api_key_env.empty()) return true;
  const char* value = std::getenv(config.api_key_env.c_str());
  if (value == nullptr || *value == '\0') {
    *err = ModelError{};
    err->message = "model '" + config.name + "': environment variable " +
                   config.api_key_env + " (api_key_env) is not set";
    err->raw_request = body;
    return false;
  }
  headers->push_back(header_prefix + value);
  return true;
}

std::string EndpointUrl(const std::string& base_url, const std::string& path) {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + path;
}

bool CompleteWithRetries(const ModelConfig& config, RetryClock* clock,
                         const std::string& body, const TryFunction& try_once,
                         CompletionResponse* out, ModelError* err) {
  CompletionResponse response;
  std::string raw;
  std::string down;  // why the managed server is gone, once it is
  RetryResult result = RunWithRetries(config.retry, clock, [&](int) {
    response = CompletionResponse{};
    raw.clear();
    if (config.endpoint_down) down = config.endpoint_down();
    if (!down.empty()) {
      TryOutcome gone;
      gone.kind = TryOutcome::Kind::kFinal;
      gone.what = "server exited";
      return gone;
    }
    return try_once(&response, &raw);
  });
  if (!result.ok && down.empty() && config.endpoint_down) {
    down = config.endpoint_down();  // the try failed because it died
  }
  if (!result.ok) {
    *err = ModelError{};
    err->message = down.empty() ? result.message : down;
    err->http_status = result.last.http_status;
    err->tries = result.tries;
    err->error_class =
        down.empty() ? result.last.error_class : ErrorClass::kServerExited;
    err->raw_request = body;
    err->raw_response = std::move(raw);
    return false;
  }
  response.raw_request = body;
  response.raw_response = std::move(raw);
  response.retries = result.tries - 1;
  *out = std::move(response);
  return true;
}

}  // namespace endstate::models
