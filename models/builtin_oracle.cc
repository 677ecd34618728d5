// builtin:oracle — plays the reference solution (or given steps) one step
// per turn, stateless: the next step is read from the conversation.
#include "models/builtins.h"

namespace endstate::models {
namespace {

class OracleClient final : public Client {
 public:
  OracleClient(ModelConfig config, std::vector<ScriptedStep> steps)
      : config_(std::move(config)), steps_(std::move(steps)) {}

  bool Complete(const CompletionRequest& req, CompletionResponse* out,
                ModelError*) override {
    size_t n = static_cast<size_t>(builtin::CountPlayedSteps(req));
    if (n >= steps_.size()) {
      Message done;
      done.role = "assistant";
      done.content = builtin::kFinalMessage;
      builtin::Respond(config_, req, std::move(done), "stop", out);
      return true;
    }
    const ScriptedStep& step = steps_[n];
    builtin::Respond(config_, req, builtin::StepMessage(step, n),
                     step.calls.empty() ? "stop" : "tool_calls", out);
    return true;
  }

 private:
  ModelConfig config_;
  std::vector<ScriptedStep> steps_;
};

}  // namespace

std::unique_ptr<Client> MakeOracleClient(const ModelConfig& config,
                                         std::vector<ScriptedStep> steps) {
  return std::make_unique<OracleClient>(config, std::move(steps));
}

}  // namespace endstate::models
