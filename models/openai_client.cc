#include "models/openai_client.h"

#include <chrono>
#include <cstdlib>

#include "models/openai_wire.h"
#include "models/sse_parser.h"
#include "util/http.h"

namespace endstate::models {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

TryOutcome Retryable(std::string what, std::string detail, long status = 0) {
  TryOutcome o;
  o.kind = TryOutcome::Kind::kRetryable;
  o.what = std::move(what);
  o.detail = std::move(detail);
  o.http_status = status;
  return o;
}

// What one try produced, kept for the error report of the last try.
struct TryRecord {
  std::string raw_response;
};

class TryRunner {
 public:
  TryRunner(const ModelConfig& config, const std::string& url,
            const std::vector<std::string>& headers, const std::string& body,
            int turn)
      : config_(config),
        url_(url),
        headers_(headers),
        body_(body),
        turn_(turn) {}

  TryOutcome Run(CompletionResponse* out, TryRecord* rec) {
    util::HttpRequest hr;
    hr.method = "POST";
    hr.url = url_;
    hr.headers = headers_;
    hr.body = body_;
    hr.total_timeout = config_.request_timeout;
    hr.stall_timeout = config_.stall_timeout;
    SseParser parser;
    StreamAssembler stream;
    std::vector<SseEvent> events;
    size_t event_count = 0;
    std::string stream_error;
    const auto start = Clock::now();
    out->ttft_ms = -1;
    auto handle = [&] {
      for (const SseEvent& e : events) {
        ++event_count;
        if (e.event == "error") {
          stream_error = ErrorSnippet(e.data);
          continue;
        }
        if (stream.Add(e.data) == StreamAssembler::Chunk::kChoices &&
            out->ttft_ms < 0) {
          out->ttft_ms = MsSince(start);
        }
      }
      events.clear();
    };
    if (config_.stream) {
      hr.on_data = [&](std::string_view bytes) {
        parser.Feed(bytes, &events);
        handle();
        return true;
      };
    }
    util::HttpResponse resp = util::Fetch(hr);
    out->duration_ms = MsSince(start);
    rec->raw_response = resp.body;
    if (config_.stream) {
      parser.Finish(&events);
      handle();
    }
    const bool success_status = resp.status >= 200 && resp.status < 300;
    // A stream cut after the finish chunk still carries a whole message.
    const bool usable_stream =
        config_.stream && success_status && stream.finished();
    if (!resp.ok && !usable_stream) {
      return Retryable(resp.timed_out ? "timeout" : "connection error",
                       resp.error);
    }
    if (!success_status) return StatusFailure(resp);
    std::string err;
    auto content_type = resp.headers.find("content-type");
    bool json_body = content_type != resp.headers.end() &&
                     content_type->second.find("json") != std::string::npos;
    if (!config_.stream || (event_count == 0 && json_body)) {
      // Some servers answer stream:true with a whole JSON body.
      if (!ParseCompletionBody(resp.body, turn_, out, &err)) {
        return Retryable("invalid response", err, resp.status);
      }
      return TryOutcome::Ok();
    }
    if (!stream.error().empty() && !stream.finished()) {
      return Retryable("stream error", stream.error(), resp.status);
    }
    if (!stream_error.empty() && !stream.finished()) {
      return Retryable("stream error", stream_error, resp.status);
    }
    if (!stream.finished() && !(stream.done() && stream.any_choice())) {
      return Retryable(
          stream.done() ? "empty stream" : "stream cut before [DONE]",
          std::to_string(resp.body.size()) +
              " bytes received, no finish_reason",
          resp.status);
    }
    stream.Finish(turn_, out);
    return TryOutcome::Ok();
  }

 private:
  static TryOutcome StatusFailure(const util::HttpResponse& resp) {
    TryOutcome o;
    o.kind = IsRetryableStatus(resp.status) ? TryOutcome::Kind::kRetryable
                                            : TryOutcome::Kind::kFinal;
    o.what = "HTTP " + std::to_string(resp.status);
    o.detail = ErrorSnippet(resp.body);
    o.http_status = resp.status;
    if (auto it = resp.headers.find("retry-after"); it != resp.headers.end()) {
      o.retry_after = ParseRetryAfter(it->second);
    }
    return o;
  }

  const ModelConfig& config_;
  const std::string& url_;
  const std::vector<std::string>& headers_;
  const std::string& body_;
  int turn_;
};

}  // namespace

OpenAiClient::OpenAiClient(ModelConfig config, RetryClock* clock)
    : config_(std::move(config)), clock_(clock ? clock : SystemRetryClock()) {}

bool OpenAiClient::Complete(const CompletionRequest& req,
                            CompletionResponse* out, ModelError* err) {
  const std::string body =
      BuildRequestBody(config_, req, config_.stream).dump();
  std::string url = config_.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/chat/completions";
  std::vector<std::string> headers = {"Content-Type: application/json",
                                      config_.stream
                                          ? "Accept: text/event-stream"
                                          : "Accept: application/json"};
  if (!config_.api_key_env.empty()) {
    const char* key = std::getenv(config_.api_key_env.c_str());
    if (key == nullptr || *key == '\0') {
      *err = ModelError{};
      err->message = "model '" + config_.name + "': environment variable " +
                     config_.api_key_env + " (api_key_env) is not set";
      err->raw_request = body;
      return false;
    }
    headers.push_back(std::string("Authorization: Bearer ") + key);
  }
  TryRunner runner(config_, url, headers, body, TurnNumber(req));
  CompletionResponse response;
  TryRecord record;
  RetryResult result = RunWithRetries(config_.retry, clock_, [&](int) {
    response = CompletionResponse{};
    record = TryRecord{};
    return runner.Run(&response, &record);
  });
  if (!result.ok) {
    *err = ModelError{};
    err->message = result.message;
    err->http_status = result.last.http_status;
    err->tries = result.tries;
    err->raw_request = body;
    err->raw_response = record.raw_response;
    return false;
  }
  response.raw_request = body;
  response.raw_response = std::move(record.raw_response);
  response.retries = result.tries - 1;
  *out = std::move(response);
  return true;
}

}  // namespace endstate::models
