// builtin:null — refuses at once and calls no tool. Every valid task must
// fail with it (a task the null model passes checks nothing).
#include "models/builtins.h"

namespace endstate::models {
namespace {

class NullClient final : public Client {
 public:
  explicit NullClient(ModelConfig config) : config_(std::move(config)) {}

  bool Complete(const CompletionRequest& req, CompletionResponse* out,
                ModelError*) override {
    Message m;
    m.role = "assistant";
    m.content = "I can't help with that.";
    builtin::Respond(config_, req, std::move(m), "stop", out);
    return true;
  }

 private:
  ModelConfig config_;
};

}  // namespace

std::unique_ptr<Client> MakeNullClient(const ModelConfig& config) {
  return std::make_unique<NullClient>(config);
}

}  // namespace endstate::models
