// The life of an attempt, in order:
//  1. record it (a first try, a retry of an errored try, or a continuation
//     linked to the attempt it continues);
//  2. make the model client (builtins play the task's script);
//  3. build a fresh world; a continuation then rebuilds turns 0..K-1 in it
//     and copies those recorded turns into the new attempt;
//  4. run the agent loop, every turn recorded as it ends;
//  5. grade the end state (skipped when the endpoint or the harness failed:
//     that end state says nothing about the model) and record the checks;
//  6. finish the attempt row; the world is torn down when it goes out of
//     scope.
#include "evaluator/attempt.h"

#include <algorithm>

#include "evaluator/replay.h"
#include "evaluator/script.h"
#include "models/factory.h"
#include "util/clock.h"
#include "util/format.h"

namespace endstate::evaluator {

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

std::vector<results::CheckRecord> CheckRecords(const tasks::Task& task,
                                               const graders::Grade& grade) {
  std::vector<results::CheckRecord> out;
  for (size_t i = 0; i < grade.checks.size(); ++i) {
    const auto& c = grade.checks[i];
    out.push_back({.index = static_cast<int>(i),
                   .kind = c.kind,
                   .spec_json = i < task.checks.size()
                                    ? task.checks[i].spec.dump()
                                    : "{}",
                   .verdict = graders::VerdictName(c.verdict),
                   .detail = c.detail,
                   .duration_ms = c.duration_ms});
  }
  return out;
}

namespace {

// Step 1: the attempt row. Returns its id, or -1 with *err.
int64_t BeginRecord(const AttemptSpec& spec, std::string* err) {
  if (spec.parent_attempt_id > 0)
    return spec.store->BeginRetry(spec.parent_attempt_id, err);
  const int64_t id = spec.store->BeginAttempt(spec.run_id, spec.model_id,
                                              spec.task_id, spec.epoch, err);
  if (id >= 0 && spec.continuation &&
      !spec.store->SetParentAttempt(
          id, spec.continuation->transcript->attempt.id, err)) {
    return -1;
  }
  return id;
}

// The reason an errored grade gives: its first errored check, else the
// grade's own error, else that nothing ran.
std::string GradeError(const graders::Grade& grade) {
  for (const auto& c : grade.checks) {
    if (c.verdict == graders::Verdict::kError)
      return "check " + c.kind + ": " + c.detail;
  }
  return grade.error.empty() ? "no checks executed" : grade.error;
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
  const auto start = util::SteadyClock::now();
  std::string err;
  auto fail = [&](results::Termination termination, const std::string& why) {
    out.outcome = results::Outcome::kError;
    out.termination = termination;
    out.error = why;
  };
  auto record_failure = [&](const std::string& what, const std::string& why) {
    report.record_failed = true;
    fail(results::Termination::kRecordError,
         "cannot record " + what + ": " + why);
  };
  auto finish = [&]() {
    out.wall_ms = util::MsSince(start);
    std::string ferr;
    if (spec.store && report.attempt_id >= 0 &&
        !spec.store->FinishAttempt(report.attempt_id, out, &ferr)) {
      record_failure("the attempt's end", ferr);
    }
    return report;
  };

  if (spec.store) {
    report.attempt_id = BeginRecord(spec, &err);
    if (report.attempt_id < 0) {
      record_failure("the attempt", err);
      return report;
    }
  }

  std::unique_ptr<models::Client> client =
      models::MakeClient(*spec.model, ScriptFor(*spec.task, spec.steps),
                         {.run_seed = spec.seed, .epoch = spec.epoch}, &err);
  if (client && spec.gate) {
    client = std::make_unique<models::GatedClient>(std::move(client), spec.gate,
                                                   spec.model->retry);
  }
  if (!client) {
    fail(results::Termination::kModelError, err);
    return finish();
  }

  std::unique_ptr<sandbox::World> world =
      sandbox::World::Create(*spec.task, world_options, &err);
  if (!world) {
    fail(results::Termination::kSandboxError, "world set-up failed: " + err);
    return finish();
  }
  if (world_options.keep) report.world_dir = world->dir().string();

  // A continuation starts from the recorded history: the world as it stood
  // before turn K, and the recorded turns 0..K-1 as this attempt's own.
  LoopStart from;
  const Continuation* cont = spec.continuation;
  if (cont) {
    if (cont->prepare_world) cont->prepare_world(*world);
    const int k = cont->from_turn;
    for (const auto& turn : cont->transcript->turns) {
      if (turn.index >= k) break;
      if (spec.store &&
          !spec.store->RecordTurn(report.attempt_id, turn, &err)) {
        record_failure("turn " + std::to_string(util::Ordinal(turn.index)),
                       err);
        return finish();
      }
      if (turn.prompt_tokens > 0) out.prompt_tokens += turn.prompt_tokens;
      if (turn.completion_tokens > 0)
        out.completion_tokens += turn.completion_tokens;
    }
    from = {
        .messages = RecordedHistory(*cont->transcript, k, config.system_prompt,
                                    spec.task->instruction),
        .first_turn = k};
  }

  std::string sink_err;
  TurnSink sink = [&](const results::TurnRecord& turn) {
    if (!spec.store) return true;
    return spec.store->RecordTurn(report.attempt_id, turn, &sink_err);
  };
  LoopResult loop = RunAgentLoop(*spec.task, config.system_prompt, *client,
                                 *world, EffectiveLimits(*spec.task, config),
                                 sink, cont ? &from : nullptr);
  out.termination = loop.termination;
  out.turns = loop.turns;
  out.prompt_tokens += loop.prompt_tokens;
  out.completion_tokens += loop.completion_tokens;
  out.reasoning_tokens = loop.reasoning_tokens;
  out.truncated_turns = loop.truncated_turns;
  out.model_ms = loop.model_ms;
  out.tool_ms = loop.tool_ms;
  if (!sink_err.empty()) {
    record_failure("a turn", sink_err);
    return finish();
  }
  if (auto fixed = results::FixedOutcome(loop.termination)) {
    // The endpoint or the harness failed: the end state says nothing about
    // the model. Error, kept out of the completion rate.
    out.outcome = *fixed;
    out.error = loop.error;
    return finish();
  }

  const auto grade_start = util::SteadyClock::now();
  report.grade = graders::GradeWorld(*spec.task, *world);
  out.grade_ms = util::MsSince(grade_start);
  out.outcome = GradeOutcome(report.grade.overall);
  if (report.grade.overall == graders::Verdict::kError)
    out.error = GradeError(report.grade);
  report.checks = CheckRecords(*spec.task, report.grade);
  if (spec.store &&
      !spec.store->RecordChecks(report.attempt_id, report.checks, &err)) {
    record_failure("the checks", err);
  }
  return finish();
}

AttemptReport RecordUnrunAttempt(const AttemptSpec& spec,
                                 results::Termination termination,
                                 const std::string& error) {
  AttemptReport report;
  report.outcome.outcome = results::Outcome::kError;
  report.outcome.termination = termination;
  report.outcome.error = error;
  if (!spec.store) return report;
  std::string err;
  report.attempt_id = BeginRecord(spec, &err);
  if (report.attempt_id < 0 ||
      !spec.store->FinishAttempt(report.attempt_id, report.outcome, &err)) {
    report.record_failed = true;
    report.outcome.termination = results::Termination::kRecordError;
    report.outcome.error = "cannot record the attempt: " + err;
  }
  return report;
}

}  // namespace endstate::evaluator
