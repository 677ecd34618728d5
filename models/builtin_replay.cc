// builtin replay — plays recorded assistant turns in order (see header).
#include "models/builtin_replay.h"

#include "models/openai_wire.h"
#include "util/format.h"

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
                       std::to_string(util::Ordinal(static_cast<int>(next_))) +
                       " (it has " + std::to_string(responses_.size()) + ")";
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

std::unique_ptr<Client> MakeReplayClient(
    const ModelConfig& config, std::vector<CompletionResponse> responses) {
  return std::make_unique<ReplayClient>(config, std::move(responses));
}

}  // namespace endstate::models
