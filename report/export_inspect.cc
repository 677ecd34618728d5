#include "report/export_inspect.h"

#include <cmath>

#include "util/format.h"

namespace endstate::report {
namespace {

using nlohmann::json;

constexpr size_t kMaxParseErrorChars = 500;  // of the raw arguments quoted

json Usage(int64_t in, int64_t out) {
  return {
      {"input_tokens", in}, {"output_tokens", out}, {"total_tokens", in + out}};
}

json Messages(const results::Transcript& t, const std::string& model_name) {
  const results::FirstRequest first = results::ReadFirstRequest(t);
  json messages = json::array();
  if (!first.system.empty()) {
    messages.push_back(
        {{"role", "system"}, {"content", first.system}, {"source", "input"}});
  }
  messages.push_back(
      {{"role", "user"}, {"content", first.user}, {"source", "input"}});
  for (const results::TurnRecord& turn : t.turns) {
    json content = turn.content;
    if (!turn.reasoning.empty()) {
      content =
          json::array({{{"type", "reasoning"}, {"reasoning", turn.reasoning}},
                       {{"type", "text"}, {"text", turn.content}}});
    }
    json calls = nullptr;
    if (!turn.tool_calls.empty()) {
      calls = json::array();
      for (const results::ToolCallRecord& c : turn.tool_calls) {
        json args = json::parse(c.arguments_raw, nullptr, false);
        json parse_error = nullptr;
        if (!args.is_object()) {
          parse_error = "arguments are not a JSON object: " +
                        c.arguments_raw.substr(0, kMaxParseErrorChars);
          args = json::object();
        }
        calls.push_back({{"id", c.call_id},
                         {"function", c.name},
                         {"arguments", args},
                         {"parse_error", parse_error}});
      }
    }
    messages.push_back({{"role", "assistant"},
                        {"content", content},
                        {"source", "generate"},
                        {"tool_calls", calls},
                        {"model", model_name}});
    for (const results::ToolCallRecord& c : turn.tool_calls) {
      json error = nullptr;
      if (c.is_error) {
        error = {
            {"type", c.error_kind == "invalid_json" ? "parsing" : "unknown"},
            {"message", c.result}};
      }
      messages.push_back({{"role", "tool"},
                          {"content", c.result},
                          {"source", "generate"},
                          {"tool_call_id", c.call_id},
                          {"function", c.name},
                          {"error", error}});
    }
  }
  return messages;
}

json Sample(const results::Transcript& t, const std::string& model_name) {
  const results::AttemptHeader& a = t.attempt;
  json messages = Messages(t, model_name);
  json last = nullptr;
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if ((*it)["role"] == "assistant") {
      last = *it;
      break;
    }
  }
  json checks = json::array();
  for (const results::CheckRecord& c : t.checks) {
    checks.push_back(
        {{"kind", c.kind}, {"verdict", c.verdict}, {"detail", c.detail}});
  }
  json sample = {
      {"id", a.task},
      {"epoch", util::Ordinal(a.epoch)},
      {"input", results::ReadFirstRequest(t).user},
      {"target", ""},
      {"messages", messages},
      {"output",
       {{"model", model_name},
        {"choices",
         last.is_null()
             ? json::array()
             : json::array(
                   {{{"message", last},
                     {"stop_reason",
                      a.termination == "agent_stop" ? "stop" : "unknown"}}})},
        {"usage", Usage(a.prompt_tokens, a.completion_tokens)}}},
      {"scores", nullptr},
      {"metadata",
       {{"attempt_id", a.id},
        {"run_id", a.run_id},
        {"task_title", a.task_title},
        {"try", a.try_number},
        {"outcome", a.outcome},
        {"termination", a.termination},
        {"turns", a.turns},
        {"checks", checks}}},
      {"store", json::object()},
      {"events", json::array()},
      {"model_usage",
       {{model_name, Usage(a.prompt_tokens, a.completion_tokens)}}},
      {"total_time", a.wall_ms / 1000},
      {"working_time", (a.model_ms + a.tool_ms) / 1000},
      {"attachments", json::object()}};
  if (!a.started_at.empty())
    sample["started_at"] = results::IsoWithOffset(a.started_at);
  if (!a.finished_at.empty()) {
    sample["completed_at"] = results::IsoWithOffset(a.finished_at);
  }
  if (a.outcome == "passed" || a.outcome == "failed") {
    const std::string problem = results::FirstProblemOf(t);
    sample["scores"] = {
        {"end_state",
         {{"value", a.outcome == "passed" ? "C" : "I"},
          {"answer", nullptr},
          {"explanation", problem.empty() ? json("every end-state check passed")
                                          : json(problem)},
          {"metadata", {{"checks", checks}}}}}};
  } else {
    sample["error"] = {
        {"message",
         a.error.empty()
             ? "attempt " +
                   std::string(a.outcome.empty() ? "unfinished" : a.outcome)
             : a.error},
        {"traceback", ""},
        {"traceback_ansi", ""}};
  }
  return sample;
}

}  // namespace

nlohmann::json InspectEvalLog(
    const results::ExportRunInfo& run, const std::string& model,
    const std::vector<results::Transcript>& attempts) {
  std::string model_id = model, base_url;
  if (auto it = run.models.find(model); it != run.models.end()) {
    model_id = it->second.provider + "/" + it->second.model;
    base_url = it->second.base_url;
  }
  json samples = json::array();
  int passed = 0, graded = 0, errored = 0;
  int64_t in = 0, out = 0;
  for (const results::Transcript& t : attempts) {
    samples.push_back(Sample(t, model_id));
    in += t.attempt.prompt_tokens;
    out += t.attempt.completion_tokens;
    if (t.attempt.outcome == "passed") ++passed;
    if (t.attempt.outcome == "passed" || t.attempt.outcome == "failed") {
      ++graded;
    } else {
      ++errored;
    }
  }
  const double accuracy = graded > 0 ? static_cast<double>(passed) / graded : 0;
  // Binomial standard error over graded samples (Inspect's stderr metric;
  // endstate's own task-clustered interval is in `report`).
  const double stderr_value =
      graded > 1 ? std::sqrt(accuracy * (1 - accuracy) / (graded - 1)) : 0;
  const std::string run_tag = "endstate-run-" + std::to_string(run.id);
  json log = {
      {"version", 2},
      {"status", run.status == "finished" ? "success" : "started"},
      {"eval",
       {{"eval_id", run_tag + "-" + model},
        {"run_id", run_tag},
        {"created", results::IsoWithOffset(run.started_at)},
        {"task", "endstate"},
        {"task_id", run_tag},
        {"task_version", 0},
        {"task_attribs", json::object()},
        {"task_args", json::object()},
        {"dataset",
         {{"name", "endstate suite"},
          {"samples", run.task_ids.size()},
          {"sample_ids", run.task_ids}}},
        {"model", model_id},
        {"model_base_url", base_url.empty() ? json(nullptr) : json(base_url)},
        {"model_args", json::object()},
        {"config", {{"epochs", run.max_epochs}}},
        {"packages", {{"endstate", run.version}}},
        {"metadata",
         {{"endstate_run", run.id},
          {"endstate_model", model},
          {"host", run.host},
          {"args", run.args},
          {"labels", run.labels},
          {"note", run.note}}}}},
      {"plan",
       {{"name", "plan"},
        {"steps", json::array({{{"solver", "endstate_agent_loop"},
                                {"params", json::object()}}})},
        {"config", json::object()}}},
      {"results",
       {{"total_samples", attempts.size()},
        {"completed_samples", graded},
        {"scores", json::array({{{"name", "end_state"},
                                 {"scorer", "end_state"},
                                 {"params", json::object()},
                                 {"metrics",
                                  {{"accuracy",
                                    {{"name", "accuracy"},
                                     {"value", accuracy},
                                     {"params", json::object()}}},
                                   {"stderr",
                                    {{"name", "stderr"},
                                     {"value", stderr_value},
                                     {"params", json::object()}}}}}}})},
        {"metadata", {{"errored_samples", errored}}}}},
      {"stats",
       {{"started_at", results::IsoWithOffset(run.started_at)},
        {"completed_at", results::IsoWithOffset(run.finished_at)},
        {"model_usage", {{model_id, Usage(in, out)}}}}},
      {"samples", samples}};
  return log;
}

}  // namespace endstate::report
