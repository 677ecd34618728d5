// `endstate replay ATTEMPT_ID`: rebuild a recorded attempt's end state
// without the model and check that its verdict reproduces; or, with
// --from-turn N --model SPEC, continue the recorded conversation from turn N
// with another model as a new attempt. Semantics: docs/replay.md.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "cli/transcript_view.h"
#include "cli/validators.h"
#include "evaluator/attempt.h"
#include "evaluator/config.h"
#include "evaluator/replay.h"
#include "evaluator/suite.h"
#include "graders/grader.h"
#include "models/factory.h"
#include "results/browse.h"
#include "results/store.h"
#include "results/transcript.h"
#include "util/clock.h"
#include "util/format.h"

namespace endstate::cli {
namespace {

constexpr char kWho[] = "endstate replay: ";

struct ReplayOptions {
  int64_t attempt = 0;
  std::string db = "endstate.db";
  std::string tasks_dir;
  std::string config_path;
  // --from-turn N as given (turns count from 1; util::FromOrdinal gives the
  // stored index); 0 = plain replay.
  int from_turn = 0;
  std::string model;
  int64_t seed = 0;
  bool keep_world = false;
  std::string worlds_dir;
  std::vector<std::string> argv;
};

std::string PrintChecks(const std::vector<results::CheckRecord>& checks,
                        bool color) {
  int passed = 0;
  for (const auto& c : checks) passed += c.verdict == "passed";
  std::string out = "checks: " + std::to_string(passed) + " of " +
                    std::to_string(checks.size()) + " passed\n";
  for (const auto& c : checks) out += RenderCheck(c, color);
  return out;
}

std::string ReexecutionSummary(const evaluator::ReexecutionReport& r) {
  std::string out = "tool results: ";
  if (r.differing == 0) {
    out += std::to_string(r.executed) + " of " + std::to_string(r.executed) +
           " re-executed calls match the record";
  } else {
    out += std::to_string(r.differing) + " of " + std::to_string(r.executed) +
           " re-executed calls differ from the record";
  }
  if (r.skipped > 0) {
    out += " (" + std::to_string(r.skipped) +
           " leaked-markup call(s) never ran, not re-executed)";
  }
  out += "\n";
  if (r.first) {
    const evaluator::Divergence& d = *r.first;
    out += "first divergence: turn " + std::to_string(util::Ordinal(d.turn)) +
           ", call " + std::to_string(util::Ordinal(d.call)) + " (" + d.tool +
           "), at byte " + std::to_string(d.offset) + ":\n" +
           evaluator::RenderDivergence(d);
  }
  return out;
}

// Plain replay: re-execute everything, re-grade, compare the verdict.
int ReplayVerdict(const results::Transcript& t, const tasks::Task& task,
                  const sandbox::World& world, bool color) {
  evaluator::ReexecutionReport r =
      evaluator::ReexecuteToolCalls(t, task, world);
  graders::Grade grade = graders::GradeWorld(task, world);
  auto checks = evaluator::CheckRecords(task, grade);
  std::cout << ReexecutionSummary(r) << PrintChecks(checks, color);
  for (size_t i = 0; i < checks.size() && i < t.checks.size(); ++i) {
    if (checks[i].verdict != t.checks[i].verdict) {
      std::cout << "check " << util::Ordinal(static_cast<int>(i)) << " ("
                << checks[i].kind << "): recorded " << t.checks[i].verdict
                << ", now " << checks[i].verdict << '\n';
    }
  }
  const std::string verdict = graders::VerdictName(grade.overall);
  const bool same = verdict == t.attempt.outcome;
  std::cout << "verdict: " << verdict << " (recorded: "
            << (t.attempt.outcome.empty() ? "none" : t.attempt.outcome)
            << "): " << (same ? "reproduced" : "NOT reproduced") << '\n';
  return same ? kExitOk : kExitCheckFailed;
}

// --from-turn N: continue the conversation with another model as a new
// attempt of a new run, linked to the replayed attempt.
int ContinueFromTurn(const ReplayOptions& o, const evaluator::Config& config,
                     const models::ModelConfig& model,
                     const results::Transcript& t, const tasks::Task& task,
                     const sandbox::WorldOptions& world_options, bool color) {
  const int k = util::FromOrdinal(o.from_turn);  // stored turn index
  std::string err;
  auto store = results::Store::Open(o.db, &err);
  if (!store) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  std::string args;
  for (const auto& a : o.argv) args += (args.empty() ? "" : " ") + a;
  const int64_t run_id =
      store->BeginRun({.config_json = evaluator::ConfigJson(config),
                       .version = ENDSTATE_VERSION,
                       .host = util::HostName(),
                       .args = args,
                       .seed = static_cast<uint64_t>(o.seed)},
                      &err);
  const int64_t model_id =
      run_id < 0 ? -1
                 : store->AddModel(run_id, evaluator::ModelRecord(model), &err);
  const int64_t task_id =
      model_id < 0 ? -1
                   : store->AddTask(run_id,
                                    {.id = task.id,
                                     .title = task.title,
                                     .level = task.level,
                                     .content_hash = task.content_hash},
                                    &err);
  if (task_id < 0) {
    std::cerr << kWho << "cannot record the new attempt: " << err << '\n';
    return kExitInfra;
  }

  evaluator::Continuation cont{
      .transcript = &t,
      .from_turn = k,
      .prepare_world = [&](const sandbox::World& world) {
        evaluator::ReexecutionReport r =
            evaluator::ReexecuteToolCalls(t, task, world, k);
        if (k == 0) {
          std::cout << "fresh world: no turn before turn 1 to replay\n";
        } else {
          std::cout << "rebuilt the world from turns 1.." << k << '\n'
                    << ReexecutionSummary(r);
        }
        std::cout << "continuing from turn " << o.from_turn << " with "
                  << model.name << '\n';
      }};
  evaluator::AttemptReport r =
      evaluator::RunAttempt({.task = &task,
                             .model = &model,
                             .epoch = t.attempt.epoch,
                             .seed = static_cast<uint64_t>(o.seed),
                             .store = store.get(),
                             .run_id = run_id,
                             .model_id = model_id,
                             .task_id = task_id,
                             .continuation = &cont},
                            config, world_options);
  const results::AttemptOutcome& out = r.outcome;
  if (!r.checks.empty()) std::cout << PrintChecks(r.checks, color);
  const bool recorded = !r.record_failed && store->FinishRun(run_id, &err);
  if (r.record_failed) err = out.error;
  std::cout << "new attempt " << r.attempt_id << " (run " << run_id
            << ", parent " << t.attempt.id
            << "): " << results::OutcomeName(out.outcome) << ", " << out.turns
            << " turns, " << results::TerminationName(out.termination);
  if (!out.error.empty()) std::cout << ": " << out.error;
  std::cout << "\n(endstate show --db " << o.db << ' ' << r.attempt_id << ")\n";
  if (!r.world_dir.empty()) std::cout << "world kept: " << r.world_dir << '\n';
  if (!recorded) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  return out.outcome == results::Outcome::kError ? kExitInfra : kExitOk;
}

int Replay(const ReplayOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("replay", o.db, &code);
  if (!reader) return code;
  if ((o.from_turn > 0) != !o.model.empty()) {
    std::cerr << kWho << "--from-turn and --model go together\n";
    return kExitUsage;
  }
  evaluator::Config config;
  std::string err;
  if (!o.config_path.empty() &&
      !evaluator::LoadConfig(o.config_path, &config, &err)) {
    std::cerr << kWho << err << '\n';
    return kExitUsage;
  }
  auto t = results::LoadTranscript(*reader, o.attempt, &err);
  if (!t) {
    std::cerr << kWho << err << '\n';
    return err.rfind("no attempt ", 0) == 0 ? kExitUsage : kExitInfra;
  }
  if (util::FromOrdinal(o.from_turn) > static_cast<int>(t->turns.size())) {
    std::cerr << kWho << "--from-turn " << o.from_turn << ": attempt "
              << o.attempt << " has " << t->turns.size()
              << " turn(s); N must be between 1 and " << t->turns.size() + 1
              << '\n';
    return kExitUsage;
  }
  models::ModelConfig model;
  if (!o.model.empty() &&
      !evaluator::ResolveModel(config, o.model, &model, &err)) {
    std::cerr << kWho << err << '\n';
    return kExitUsage;
  }
  std::vector<tasks::Task> suite;
  if (!evaluator::LoadTasks(o.tasks_dir, {t->attempt.task}, &suite, &err)) {
    std::cerr << kWho << "attempt " << o.attempt << " ran task '"
              << t->attempt.task << "': " << err << '\n';
    return kExitUsage;
  }
  const tasks::Task& task = suite.front();
  auto hash = results::RecordedTaskHash(*reader, o.attempt, &err);
  if (hash && *hash != task.content_hash) {
    std::cerr << "endstate replay: warning: task '" << task.id
              << "' changed since attempt " << o.attempt
              << " was recorded (content hash " << hash->substr(0, 12)
              << ", now " << task.content_hash.substr(0, 12)
              << "); results may differ\n";
  }

  sandbox::WorldOptions world_options;
  world_options.keep = o.keep_world;
  world_options.shell = config.shell;
  if (!o.worlds_dir.empty()) world_options.base = o.worlds_dir;
  const bool color = UseColor("auto", STDOUT_FILENO);
  std::cout << "replaying attempt " << t->attempt.id << " (" << t->attempt.model
            << ", " << task.id << ", epoch " << util::Ordinal(t->attempt.epoch)
            << "): " << t->turns.size() << " recorded turn(s)\n";
  if (o.from_turn > 0)
    return ContinueFromTurn(o, config, model, *t, task, world_options, color);
  auto world = sandbox::World::Create(task, world_options, &err);
  if (!world) {
    std::cerr << kWho << "world set-up failed: " << err << '\n';
    return kExitInfra;
  }
  const int verdict = ReplayVerdict(*t, task, *world, color);
  if (o.keep_world)
    std::cout << "world kept: " << world->dir().string() << '\n';
  return verdict;
}

}  // namespace

Command AddReplayCommand(CLI::App& root) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* app = root.add_subcommand(
      "replay",
      "Re-execute an attempt's tool calls in a fresh world and re-grade it, "
      "or continue it from turn N with another model");
  app->add_option("ATTEMPT_ID", o->attempt, "Attempt id (endstate attempts)")
      ->required()
      ->check(AtLeast(1));
  AddDbOption(app, &o->db);
  app->add_option("--tasks", o->tasks_dir,
                  "Task suite folder holding the attempt's task (default: "
                  "the bundled tasks/)");
  app->add_option("--config", o->config_path,
                  "YAML config: model names, system prompt, limits")
      ->check(CLI::ExistingFile);
  app->add_option("--from-turn", o->from_turn,
                  "Replay turns before N (turns count from 1, as in show), "
                  "then continue with --model from turn N")
      ->type_name("N")
      ->check(AtLeast(1));
  app->add_option("--model", o->model,
                  "Model continuing from turn N (as in endstate run)");
  app->add_option("--seed", o->seed,
                  "Seed of builtin:flaky when it continues (default 0)")
      ->check(AtLeast(0));
  app->add_flag("--keep-world", o->keep_world,
                "Leave the rebuilt world on disk and print its path");
  app->add_option(
      "--worlds-dir", o->worlds_dir,
      "Where the world is created (default /var/tmp/endstate-worlds)");
  return {app, [o, app] {
            o->argv = {"endstate", "replay", std::to_string(o->attempt)};
            for (const auto* opt : app->get_options()) {
              if (opt->get_name() == "ATTEMPT_ID") continue;
              for (const auto& r : opt->results())
                o->argv.push_back(opt->get_name() + "=" + r);
            }
            return Replay(*o);
          }};
}

}  // namespace endstate::cli
