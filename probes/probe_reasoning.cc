// The reasoning probe (evaluator/probe.h): each bundled problem once, in a
// fresh conversation, with the model's own streaming setting.
#include "models/factory.h"
#include "probes/probe.h"
#include "probes/probe_problems.h"

namespace endstate::probes {
namespace {

using nlohmann::json;

// As in the tool-call probe: two unreachable requests before any answer
// mean the endpoint is down; each already went through its retries.
constexpr int kStopAfterUnreachable = 2;

}  // namespace

ProbeResult RunReasoningProbe(const models::ModelConfig& model,
                              const ReasoningProbeOptions& options) {
  ProbeResult result;
  result.kind = "reasoning";
  const std::vector<ReasoningProblem>& problems = ReasoningProblems();
  result.settings = {{"max_tokens", options.max_tokens},
                     {"stream", model.stream},
                     {"problems", problems.size()}};

  // The probe's budget replaces the model's own max_tokens (often sized for
  // agent turns) so thinking models are not cut off mid-thought.
  models::ModelConfig config = model;
  if (options.max_tokens > 0) {
    if (!config.sampling.is_object()) config.sampling = json::object();
    config.sampling["max_tokens"] = options.max_tokens;
  }
  std::unique_ptr<models::Client> client =
      models::MakeEndpointClient(config, &result.error);
  if (!client) return result;

  json rows = json::array();
  int correct = 0, unreachable = 0;
  bool reached = false;
  for (const ReasoningProblem& p : problems) {
    models::CompletionRequest req;
    req.messages.push_back(
        {.role = "system", .content = kReasoningSystemPrompt});
    req.messages.push_back({.role = "user", .content = p.question});
    models::CompletionResponse resp;
    models::ModelError merr;
    const bool ok = client->Complete(req, &resp, &merr);
    json row = {
        {"id", p.id}, {"question", p.question}, {"expected", p.expected}};
    if (ok) {
      // Only content counts: an answer that exists only in the reasoning
      // was never given.
      ExtractedAnswer read = ExtractAnswer(resp.message.content);
      const bool right = AnswerMatches(p.expected, read.answer);
      correct += right;
      row["answer"] = read.answer;
      row["answer_line"] = read.line;
      row["correct"] = right;
      row["error"] = "";
      row["finish_reason"] = resp.finish_reason;
      row["completion_tokens"] = resp.usage.completion_tokens;
      row["duration_ms"] = resp.duration_ms;
    } else {
      row["answer"] = "";
      row["answer_line"] = "";
      row["correct"] = false;
      row["error"] = merr.message;
      row["finish_reason"] = "error";
    }
    if (options.progress) {
      std::string verdict = !ok ? "error (" + merr.message + ")"
                            : row["correct"].get<bool>()
                                ? "correct"
                                : "incorrect (answer '" +
                                      row["answer"].get<std::string>() +
                                      "', expected '" + p.expected + "')";
      options.progress("reasoning " + std::to_string(rows.size() + 1) + "/" +
                       std::to_string(problems.size()) + " " + p.id + ": " +
                       verdict);
    }
    rows.push_back(std::move(row));
    reached = reached || ok || merr.http_status != 0;
    if (!reached && ++unreachable >= kStopAfterUnreachable) {
      result.error = "endpoint unreachable: " + merr.message +
                     "; stopped after " + std::to_string(rows.size()) +
                     " requests";
      break;
    }
  }
  result.measurements["summary"] = {{"correct", correct},
                                    {"total", static_cast<int>(rows.size())}};
  result.measurements["problems"] = std::move(rows);
  return result;
}

}  // namespace endstate::probes
