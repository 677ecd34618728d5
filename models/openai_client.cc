#include "models/openai_client.h"

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
  StreamAssembler stream;
  std::string stream_error, stream_error_data;
  const auto start = std::chrono::steady_clock::now();
  out->ttft_ms = -1;
  out->e2e_ms = -1;
  out->choice_chunks = 0;
  auto on_event = [&](const SseEvent& e) {
    if (e.event == "error") {
      stream_error = ErrorSnippet(e.data);
      stream_error_data = e.data.substr(0, 64 * 1024);
      return;
    }
    if (stream.Add(e.data) == StreamAssembler::Chunk::kChoices) {
      out->e2e_ms = util::MsSince(start);
      if (out->ttft_ms < 0) out->ttft_ms = out->e2e_ms;
      ++out->choice_chunks;
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
  // A stream cut after the finish chunk still carries a whole message.
  const bool usable_stream =
      config.stream && success_status && stream.finished();
  if (!resp.ok && !usable_stream) {
    return RetryableOutcome(resp.timed_out ? "timeout" : "connection error",
                            resp.error);
  }
  if (!success_status) return StatusOutcome(resp, ErrorSnippet(resp.body));
  if (!config.stream || (event_count == 0 && IsJsonResponse(resp))) {
    // Some servers answer stream:true with a whole JSON body.
    std::string err;
    if (!ParseCompletionBody(resp.body, turn, out, &err)) {
      return RetryableOutcome("invalid response", err, resp.status);
    }
    return TryOutcome::Ok();
  }
  if (!stream.error().empty() && !stream.finished()) {
    return StreamErrorOutcome(stream.error(), stream.error_code(),
                              stream.error_data(), resp.status);
  }
  if (!stream_error.empty() && !stream.finished()) {
    return StreamErrorOutcome(stream_error, 0, stream_error_data, resp.status);
  }
  if (!stream.finished() && !(stream.done() && stream.any_choice())) {
    return RetryableOutcome(
        stream.done() ? "empty stream" : "stream cut before [DONE]",
        std::to_string(resp.body.size()) + " bytes received, no finish_reason",
        resp.status);
  }
  stream.Finish(turn, out);
  return TryOutcome::Ok();
}

}  // namespace

OpenAiClient::OpenAiClient(ModelConfig config, RetryClock* clock)
    : config_(std::move(config)), clock_(clock ? clock : SystemRetryClock()) {}

bool OpenAiClient::Complete(const CompletionRequest& req,
                            CompletionResponse* out, ModelError* err) {
  const std::string body =
      BuildRequestBody(config_, req, config_.stream).dump();
  std::vector<std::string> headers = {"Content-Type: application/json",
                                      config_.stream
                                          ? "Accept: text/event-stream"
                                          : "Accept: application/json"};
  if (!AddApiKeyHeader(config_, "Authorization: Bearer ", body, &headers,
                       err)) {
    return false;
  }
  const std::string url = EndpointUrl(config_.base_url, "/chat/completions");
  const int turn = TurnNumber(req);
  return CompleteWithRetries(
      config_, clock_, body,
      [&](CompletionResponse* response, std::string* raw) {
        return RunTry(config_, url, headers, body, turn, response, raw);
      },
      out, err);
}

}  // namespace endstate::models
