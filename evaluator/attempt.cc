#include "evaluator/attempt.h"

#include <algorithm>
#include <chrono>

#include "evaluator/agent_loop.h"
#include "models/factory.h"

namespace endstate::evaluator {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

LoopLimits EffectiveLimits(const tasks::Task& task, const Config& config) {
  LoopLimits l;
  l.max_turns = task.limits.max_turns;
  l.max_tokens = task.limits.max_tokens;
  l.timeout = task.limits.timeout;
  if (config.limits.max_turns)
    l.max_turns = std::min(l.max_turns, *config.limits.max_turns);
  if (config.limits.max_tokens)
    l.max_tokens = std::min(l.max_tokens, *config.limits.max_tokens);
  if (config.limits.timeout_s) {
    l.timeout = std::min<std::chrono::milliseconds>(
        l.timeout, std::chrono::seconds(*config.limits.timeout_s));
  }
  return l;
}

}  // namespace

results::Outcome GradeOutcome(graders::Verdict v) {
  switch (v) {
    case graders::Verdict::kPassed:
      return results::Outcome::kPassed;
    case graders::Verdict::kFailed:
      return results::Outcome::kFailed;
    case graders::Verdict::kError:
      break;
  }
  return results::Outcome::kError;
}

AttemptReport RunAttempt(const AttemptSpec& spec, const Config& config,
                         const sandbox::WorldOptions& world_options) {
  AttemptReport report;
  results::AttemptOutcome& out = report.outcome;
  const auto start = Clock::now();
  std::string err;
  if (spec.store) {
    report.attempt_id =
        spec.parent_attempt_id > 0
            ? spec.store->BeginRetry(spec.parent_attempt_id, &err)
            : spec.store->BeginAttempt(spec.run_id, spec.model_id, spec.task_id,
                                       spec.epoch, &err);
    if (report.attempt_id < 0) {
      out.outcome = results::Outcome::kError;
      out.termination = results::Termination::kRecordError;
      out.error = "cannot record attempt: " + err;
      return report;
    }
  }
  auto finish = [&]() {
    out.wall_ms = MsSince(start);
    if (spec.store && report.attempt_id >= 0) {
      std::string ferr;
      spec.store->FinishAttempt(report.attempt_id, out, &ferr);
    }
  };

  std::unique_ptr<models::Client> client = models::MakeClient(
      *spec.model, *spec.task, {.run_seed = spec.seed, .epoch = spec.epoch},
      &err, spec.steps);
  if (client && spec.gate) {
    client = std::make_unique<models::GatedClient>(std::move(client), spec.gate,
                                                   spec.model->retry);
  }
  if (!client) {
    out.outcome = results::Outcome::kError;
    out.termination = results::Termination::kModelError;
    out.error = err;
    finish();
    return report;
  }

  std::unique_ptr<sandbox::World> world =
      sandbox::World::Create(*spec.task, world_options, &err);
  if (!world) {
    out.outcome = results::Outcome::kError;
    out.termination = results::Termination::kSandboxError;
    out.error = "world set-up failed: " + err;
    finish();
    return report;
  }
  if (world_options.keep) report.world_dir = world->dir().string();

  TurnSink sink = [&](const results::TurnRecord& turn) {
    if (!spec.store) return true;
    std::string terr;
    return spec.store->RecordTurn(report.attempt_id, turn, &terr);
  };
  LoopResult loop =
      RunAgentLoop(*spec.task, config.system_prompt, *client, *world,
                   EffectiveLimits(*spec.task, config), sink);
  out.termination = loop.termination;
  out.turns = loop.turns;
  out.prompt_tokens = loop.prompt_tokens;
  out.completion_tokens = loop.completion_tokens;
  out.reasoning_tokens = loop.reasoning_tokens;
  out.truncated_turns = loop.truncated_turns;
  out.model_ms = loop.model_ms;
  out.tool_ms = loop.tool_ms;

  if (auto fixed = results::FixedOutcome(loop.termination)) {
    // The endpoint or the harness failed: the end state says nothing about
    // the model. Error, kept out of the completion rate.
    out.outcome = *fixed;
    out.error = loop.error;
    finish();
    return report;
  }

  const auto grade_start = Clock::now();
  report.grade = graders::GradeWorld(*spec.task, *world);
  out.grade_ms = MsSince(grade_start);
  out.outcome = GradeOutcome(report.grade.overall);
  if (report.grade.overall == graders::Verdict::kError) {
    for (const auto& c : report.grade.checks) {
      if (c.verdict == graders::Verdict::kError) {
        out.error = "check " + c.kind + ": " + c.detail;
        break;
      }
    }
    if (out.error.empty()) out.error = "no checks executed";
  }
  if (spec.store) {
    std::vector<results::CheckRecord> records;
    for (size_t i = 0; i < report.grade.checks.size(); ++i) {
      const auto& c = report.grade.checks[i];
      records.push_back({.index = static_cast<int>(i),
                         .kind = c.kind,
                         .spec_json = spec.task->checks[i].spec.dump(),
                         .verdict = graders::VerdictName(c.verdict),
                         .detail = c.detail,
                         .duration_ms = c.duration_ms});
    }
    spec.store->RecordChecks(report.attempt_id, records, &err);
  }
  finish();
  return report;
}

}  // namespace endstate::evaluator
