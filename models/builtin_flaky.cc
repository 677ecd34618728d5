// builtin:flaky[:RATE] — the oracle with seeded faults, to exercise the
// harness's handling of bad model output and to calibrate reports.
//
// The fault model, per turn t (t = number of assistant messages already in
// the conversation), drawn from std::mt19937_64 seeded with
// FNV-1a(seed, t) where seed mixes run seed, epoch and task id:
//  - Normally, before a tool step, a fault happens with probability RATE.
//  - After a fault, the next turn recovers (plays the step) with
//    probability 0.7, else faults again. After 3 consecutive faults the
//    model gives up with a final message (the task then likely fails).
//  - A fault is, with equal odds: broken argument JSON (the step's
//    arguments cut in half), an unknown tool (the step's tool name + "s",
//    e.g. "write_files"), or the call leaked as text
//    `<tool_call>{"name":..,"arguments":..}</tool_call>` in content with no
//    tool_calls and finish "stop" (the agent loop counts leaked markup as a
//    malformed call and continues).
//  - When a step is played, with probability RATE/4 the step is silently
//    skipped first and the following one played instead.
//  - `say` steps and the final "Done." are never faulted.
// Faulty calls have ids "flaky_<t>"; played steps look exactly like the
// oracle's ("oracle_<n>"), so flaky:0 behaves exactly like the oracle.
//
// The state (next step, consecutive faults) is recomputed by replaying the
// decisions of turns 0..t-1, so the client is a pure function of the seed
// and the turn number: the same seed gives the same faults.
#include <random>
#include <set>

#include "models/builtins.h"

namespace endstate::models {
namespace {

constexpr double kRecoverProbability = 0.7;
constexpr int kMaxConsecutiveFaults = 3;
constexpr char kGiveUp[] =
    "I could not get the tool calls right, so I am stopping here.";

enum class Action { kPlay, kFault, kGiveUp, kFinal };

struct Decision {
  Action action = Action::kPlay;
  size_t step = 0;     // kPlay: step played; kFault: step attempted
  int fault_kind = 0;  // 0 broken JSON, 1 unknown tool, 2 leaked markup
};

class FlakyClient final : public Client {
 public:
  FlakyClient(ModelConfig config, std::vector<ScriptedStep> steps, double rate,
              uint64_t seed)
      : config_(std::move(config)),
        steps_(std::move(steps)),
        rate_(rate),
        seed_(seed) {}

  bool Complete(const CompletionRequest& req, CompletionResponse* out,
                ModelError*) override {
    int turn = 0;
    for (const Message& m : req.messages) turn += m.role == "assistant";
    Decision d = Decide(turn);
    Message m;
    m.role = "assistant";
    switch (d.action) {
      case Action::kFinal:
        m.content = builtin::kFinalMessage;
        builtin::Respond(config_, req, std::move(m), "stop", out);
        return true;
      case Action::kGiveUp:
        m.content = kGiveUp;
        builtin::Respond(config_, req, std::move(m), "stop", out);
        return true;
      case Action::kPlay: {
        const ScriptedStep& step = steps_[d.step];
        builtin::Respond(config_, req,
                         builtin::StepMessage(step, static_cast<int>(d.step)),
                         step.calls.empty() ? "stop" : "tool_calls", out);
        return true;
      }
      case Action::kFault:
        break;
    }
    const ScriptedCall& call = steps_[d.step].calls.front();
    std::string args = call.arguments.is_null() ? "{}" : call.arguments.dump();
    if (d.fault_kind == 2) {
      nlohmann::json leaked = {{"name", call.tool},
                               {"arguments", nlohmann::json::parse(args)}};
      m.content = "<tool_call>\n" + leaked.dump() + "\n</tool_call>";
      builtin::Respond(config_, req, std::move(m), "stop", out);
      return true;
    }
    ToolCall c;
    c.id = "flaky_" + std::to_string(turn);
    c.name = call.tool;
    c.arguments = args;
    if (d.fault_kind == 0) {
      c.arguments = args.substr(0, std::max<size_t>(1, args.size() / 2));
    } else {
      c.name = UnknownName(call.tool, req);
    }
    m.tool_calls.push_back(std::move(c));
    builtin::Respond(config_, req, std::move(m), "tool_calls", out);
    return true;
  }

 private:
  static std::string UnknownName(const std::string& tool,
                                 const CompletionRequest& req) {
    std::set<std::string> offered;
    for (const ToolSchema& t : req.tools) offered.insert(t.name);
    std::string name = tool + "s";
    while (offered.count(name)) name += "_x";
    return name;
  }

  // Replays the decisions of turns 0..turn and returns the last one.
  Decision Decide(int turn) const {
    size_t next = 0;
    int consecutive = 0;
    Decision d;
    for (int t = 0; t <= turn; ++t) {
      std::mt19937_64 rng(builtin::Fnv1a("turn:" + std::to_string(t), seed_));
      // [0, 1) from 53 random bits: std::uniform_real_distribution is not
      // the same across standard libraries, mt19937_64 is.
      auto unit = [](std::mt19937_64& g) {
        return static_cast<double>(g() >> 11) * 0x1.0p-53;
      };
      // Always draw the same number of values so turns stay independent.
      const double fault_draw = unit(rng);
      const int kind = static_cast<int>(rng() % 3);
      const double skip_draw = unit(rng);
      d = Decision{};
      if (next >= steps_.size()) {
        d.action = Action::kFinal;
        continue;
      }
      if (consecutive >= kMaxConsecutiveFaults) {
        d.action = Action::kGiveUp;
        continue;
      }
      const bool tool_step = !steps_[next].calls.empty();
      const bool fault =
          tool_step && (consecutive > 0 ? fault_draw >= kRecoverProbability
                                        : fault_draw < rate_);
      if (fault) {
        d.action = Action::kFault;
        d.step = next;
        d.fault_kind = kind;
        ++consecutive;
        continue;
      }
      consecutive = 0;
      if (tool_step && skip_draw < rate_ / 4) ++next;  // silently skipped
      if (next >= steps_.size()) {
        d.action = Action::kFinal;
        continue;
      }
      d.action = Action::kPlay;
      d.step = next++;
    }
    return d;
  }

  ModelConfig config_;
  std::vector<ScriptedStep> steps_;
  double rate_;
  uint64_t seed_;
};

}  // namespace

std::unique_ptr<Client> MakeFlakyClient(const ModelConfig& config,
                                        std::vector<ScriptedStep> steps,
                                        double rate, uint64_t seed) {
  return std::make_unique<FlakyClient>(config, std::move(steps), rate, seed);
}

}  // namespace endstate::models
