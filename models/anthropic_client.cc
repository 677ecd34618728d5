#include "models/anthropic_client.h"

#include "models/anthropic_wire.h"
#include "models/http_try.h"
#include "models/openai_wire.h"

namespace endstate::models {
namespace {

// One try of one request: the POST, the stream folded into a message, and
// the verdict for the retry loop.
TryOutcome RunTry(const ModelConfig& config, const std::string& url,
                  const std::vector<std::string>& headers,
                  const std::string& body, int turn, CompletionResponse* out,
                  std::string* raw) {
  AnthropicStreamAssembler stream;
  const auto start = std::chrono::steady_clock::now();
  out->ttft_ms = -1;
  out->e2e_ms = -1;
  out->choice_chunks = 0;
  auto on_event = [&](const SseEvent& e) {
    switch (stream.Add(e)) {
      case AnthropicStreamAssembler::Event::kDelta:
        out->e2e_ms = util::MsSince(start);
        if (out->ttft_ms < 0) out->ttft_ms = out->e2e_ms;
        ++out->choice_chunks;
        break;
      case AnthropicStreamAssembler::Event::kContentStart:
        if (out->ttft_ms < 0) out->ttft_ms = util::MsSince(start);
        break;
      default:
        break;
    }
  };
  int event_count = 0;
  util::HttpResponse resp =
      PostModelRequest(config, url, headers, body, on_event, &event_count);
  out->duration_ms = util::MsSince(start);
  TryOutcome too_large;
  if (TooLargeOutcome(config, resp, &too_large, raw)) return too_large;
  *raw = resp.body;
  const bool success_status = resp.status >= 200 && resp.status < 300;
  // A stream cut after message_delta still carries a whole message.
  const bool usable_stream =
      config.stream && success_status && stream.finished();
  if (!resp.ok && !usable_stream) {
    return RetryableOutcome(resp.timed_out ? "timeout" : "connection error",
                            resp.error);
  }
  if (!success_status) {
    return StatusOutcome(resp, AnthropicErrorText(resp.body));
  }
  if (!config.stream || (event_count == 0 && IsJsonResponse(resp))) {
    // Proxies may answer stream:true with one whole JSON message.
    std::string err;
    if (!ParseAnthropicBody(resp.body, turn, out, &err)) {
      return RetryableOutcome("invalid response", err, resp.status);
    }
    return TryOutcome::Ok();
  }
  if (!stream.finished()) {
    // overloaded_error and api_error arrive as in-stream error events after
    // HTTP 200; like a cut stream they are worth another try.
    if (!stream.error().empty()) {
      return RetryableOutcome("stream error", stream.error(), resp.status);
    }
    return RetryableOutcome(
        stream.stopped() ? "stream without stop_reason"
                         : "stream cut before message_stop",
        std::to_string(resp.body.size()) + " bytes received, no stop_reason",
        resp.status);
  }
  stream.Finish(turn, out);
  return TryOutcome::Ok();
}

}  // namespace

AnthropicClient::AnthropicClient(ModelConfig config, RetryClock* clock)
    : config_(std::move(config)), clock_(clock ? clock : SystemRetryClock()) {}

bool AnthropicClient::Complete(const CompletionRequest& req,
                               CompletionResponse* out, ModelError* err) {
  const std::string body =
      BuildAnthropicBody(config_, req, config_.stream).dump();
  std::vector<std::string> headers = {
      "Content-Type: application/json",
      std::string("anthropic-version: ") + kAnthropicVersion,
      config_.stream ? "Accept: text/event-stream"
                     : "Accept: application/json"};
  if (!AddApiKeyHeader(config_, "x-api-key: ", body, &headers, err)) {
    return false;
  }
  const std::string url = EndpointUrl(config_.base_url, "/messages");
  const int turn = TurnNumber(req);
  return CompleteWithRetries(
      config_, clock_, body,
      [&](CompletionResponse* response, std::string* raw) {
        return RunTry(config_, url, headers, body, turn, response, raw);
      },
      out, err);
}

}  // namespace endstate::models
