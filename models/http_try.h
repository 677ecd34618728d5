// The transport shared by the HTTP model clients (models/openai_client.h,
// models/anthropic_client.h): one POST with the model's timeouts and size
// cap, SSE events handed over as they arrive, the classification of HTTP
// failures for models/retry.h, the API key from the environment, and the
// retry loop that turns tries into one CompletionResponse or ModelError.
// Each provider keeps its own wire format and stream checks.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "models/client.h"
#include "models/model_config.h"
#include "models/retry.h"
#include "models/sse_parser.h"
#include "util/clock.h"
#include "util/http.h"

namespace endstate::models {

// A retryable outcome ("connection error", "stream cut ...", ...).
TryOutcome RetryableOutcome(std::string what, std::string detail,
                            long http_status = 0);

// An in-stream error event after HTTP 200 (`data` = its raw payload, `code`
// = its error code, 0 when none): "stream error", retryable unless
// ClassifyServerError names it (then final, with error_class set).
TryOutcome StreamErrorOutcome(std::string detail, long code,
                              const std::string& data, long http_status);

// The outcome of a non-2xx answer: retryable for 408, 429 and 5xx (529
// "overloaded" included), else final; what = "HTTP <status>", detail =
// `detail` (the server's error text), retry_after from Retry-After,
// error_class from ClassifyServerError (final when not kOther).
TryOutcome StatusOutcome(const util::HttpResponse& resp, std::string detail);

// POSTs `body` to `url` with config.request_timeout, config.stall_timeout
// and config.max_response_bytes (+1, so an over-size body is seen as
// body_truncated). When config.stream, every SSE event of the body is
// passed to `on_event` as it is parsed, the last one (without closing
// blank line) included; `on_event` is not called otherwise. Sets
// *event_count to the number of events. Never throws.
util::HttpResponse PostModelRequest(
    const ModelConfig& config, const std::string& url,
    const std::vector<std::string>& headers, const std::string& body,
    const std::function<void(const SseEvent&)>& on_event, int* event_count);

// When resp.body_truncated: a final "response too large" outcome (a
// runaway generation would only repeat) and *raw_response = the body's
// first 64 KiB. Returns false (and changes nothing) otherwise.
bool TooLargeOutcome(const ModelConfig& config, const util::HttpResponse& resp,
                     TryOutcome* outcome, std::string* raw_response);

// Whether the response declares a JSON content type (a server answering a
// streaming request with one whole JSON body).
bool IsJsonResponse(const util::HttpResponse& resp);

// Reads config.api_key_env and appends `header_prefix` + key to *headers
// (nothing when no variable is configured). Returns false with the model
// error "model 'NAME': environment variable X (api_key_env) is not set"
// (raw_request = body) when it is unset or empty.
bool AddApiKeyHeader(const ModelConfig& config,
                     const std::string& header_prefix, const std::string& body,
                     std::vector<std::string>* headers, ModelError* err);

// `base_url` without trailing slashes, then `path` ("/messages").
std::string EndpointUrl(const std::string& base_url, const std::string& path);

// One try: fills *out (a fresh response) and *raw_response (the body of
// this try, kept for the error report) and says how it went.
using TryFunction =
    std::function<TryOutcome(CompletionResponse* out, std::string* raw)>;

// Runs `try_once` under config.retry with `clock`. On success *out is the
// last try's response with raw_request = body, raw_response and retries
// (= tries - 1) set; returns true. Otherwise fills *err (message, status,
// tries, raw request and the last raw response) and returns false.
bool CompleteWithRetries(const ModelConfig& config, RetryClock* clock,
                         const std::string& body, const TryFunction& try_once,
                         CompletionResponse* out, ModelError* err);

}  // namespace endstate::models
