// builtin replay — plays recorded assistant turns in order (see header).
#include "models/builtin_replay.h"

#include "models/openai_wire.h"
#include "tools/tool.h"

namespace endstate::models {
namespace {

class ReplayClient final : public Client {
 public:
  ReplayClient(ModelConfig config, std::vector<CompletionResponse> responses)
      : config_(std::move(config)), responses_(std::move(responses)) {}

  bool Complete(const CompletionRequest& req, CompletionResponse* out,
                ModelError* err) override {
    const std::string body = BuildRequestBody(config_, req, false).dump();
    if (next_ >= responses_.size()) {
      if (err) {
        err->message = "replay: the record has no turn " +
                       std::to_string(next_) + " (it has " +
                       std::to_string(responses_.size()) + ")";
        err->http_status = 0;
        err->tries = 1;
        err->raw_request = body;
        err->raw_response.clear();
      }
      ++next_;
      return false;
    }
    *out = responses_[next_++];
    out->raw_request = body;
    return true;
  }

 private:
  ModelConfig config_;
  std::vector<CompletionResponse> responses_;
  size_t next_ = 0;
};

}  // namespace

std::vector<CompletionResponse> RecordedResponses(
    const results::Transcript& transcript) {
  std::vector<CompletionResponse> out;
  for (const results::TurnRecord& turn : transcript.turns) {
    if (turn.finish_reason == "error") continue;
    CompletionResponse r;
    r.message.role = "assistant";
    r.message.content = turn.content;
    r.message.reasoning = turn.reasoning;
    for (const results::ToolCallRecord& call : turn.tool_calls) {
      if (call.error_kind ==
          tools::CallErrorKindName(tools::CallErrorKind::kLeakedMarkup))
        continue;
      r.message.tool_calls.push_back({.id = call.call_id,
                                      .name = call.name,
                                      .arguments = call.arguments_raw});
    }
    r.finish_reason = turn.finish_reason;
    r.usage.prompt_tokens = turn.prompt_tokens;
    r.usage.completion_tokens = turn.completion_tokens;
    r.ttft_ms = turn.ttft_ms;
    r.duration_ms = turn.duration_ms;
    r.raw_response = turn.raw_response;
    out.push_back(std::move(r));
  }
  return out;
}

std::unique_ptr<Client> MakeReplayClient(
    const ModelConfig& config, std::vector<CompletionResponse> responses) {
  return std::make_unique<ReplayClient>(config, std::move(responses));
}

}  // namespace endstate::models
