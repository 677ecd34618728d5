// `endstate run`: the main job. Plans models x tasks x epochs, runs the
// attempts concurrently in fresh worlds, records everything, prints the
// per-model report.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/report_output.h"
#include "cli/stop_signals.h"
#include "cli/validators.h"
#include "evaluator/attempt.h"
#include "evaluator/overrides.h"
#include "evaluator/preflight.h"
#include "evaluator/resume.h"
#include "evaluator/run_state.h"
#include "evaluator/scheduler.h"
#include "evaluator/server_fleet.h"
#include "evaluator/shard.h"
#include "evaluator/suite.h"
#include "probes/probe_runner.h"
#include "results/reader.h"
#include "results/run_meta.h"
#include "results/store.h"
#include "sandbox/limits.h"
#include "sandbox/world_sweep.h"
#include "util/clock.h"
#include "util/format.h"
#include "util/stop.h"

namespace endstate::cli {
namespace {

struct RunOptions {
  std::string config_path;
  std::string tasks_dir;
  std::vector<std::string> task_ids;
  std::vector<std::string> models;
  int epochs = 0;       // 0 = config / 1
  int concurrency = 0;  // 0 = config / 4
  std::string db = "endstate.db";
  int64_t seed = -1;  // -1 = config / 0
  bool keep_worlds = false;
  bool quiet = false;
  std::string worlds_dir;
  int64_t resume = 0;         // run id to continue; 0 = a new run
  int retry_errors = 0;       // retries per slot after infrastructure errors
  bool probes = false;        // run every probe per endpoint model first
  bool no_preflight = false;  // skip the endpoint checks (pre-flight)
  std::string shard;          // "I/N" (evaluator/shard.h); "" = the whole plan
  std::string group;          // --group NAME, part of the shard group key
  std::string server_logs = "/var/tmp/endstate-servers";  // managed servers
  std::vector<std::string> labels;  // --label KEY=VALUE (results/run_meta.h)
  std::string note;                 // --note TEXT
  std::vector<std::string> sets;    // --set KEY=VALUE (evaluator/overrides.h)
  std::optional<std::string> max_turns, temperature, max_tokens;
  std::vector<std::string> argv;
};

// The command that finishes run `run_id` of `db` (printed when it stops).
std::string ResumeLine(int64_t run_id, const std::string& db) {
  return "endstate run --resume " + std::to_string(run_id) + " --db " + db;
}

// The first failing or erroring check, for the progress line.
std::string FirstProblem(const evaluator::AttemptReport& r) {
  if (!r.outcome.error.empty()) return r.outcome.error;
  for (const auto& c : r.grade.checks) {
    if (c.verdict != graders::Verdict::kPassed) return c.kind + ": " + c.detail;
  }
  return "";
}

// The pre-flight (evaluator/preflight.h): warnings go to stderr at once,
// a failure is one line and the exit code. Returns kExitOk when the run may
// start.
int CheckEndpoints(const RunOptions& o, const evaluator::RunContext& ctx,
                   evaluator::PreflightResult* result) {
  if (o.no_preflight) return kExitOk;
  std::set<std::string> managed;
  for (const auto& [name, serve] : ctx.config.serve) managed.insert(name);
  *result =
      evaluator::RunPreflight(ctx.models, ctx.config.concurrency, managed);
  for (const evaluator::ModelPreflight& m : result->models) {
    for (const std::string& w : m.warnings) {
      std::cerr << "endstate: warning: " << w << '\n';
    }
  }
  switch (result->failure) {
    case evaluator::PreflightFailure::kNone:
      return kExitOk;
    case evaluator::PreflightFailure::kConfig:
      std::cerr << "endstate run: " << result->error << '\n';
      return kExitUsage;
    case evaluator::PreflightFailure::kEndpoint:
      break;
  }
  std::cerr << "endstate run: " << result->error << '\n';
  return kExitInfra;
}

// Records what the pre-flight learnt, per model (table model_events).
void RecordPreflight(const evaluator::PreflightResult& result,
                     const evaluator::RunContext& ctx, results::Store& store) {
  std::string err;
  for (size_t i = 0; i < result.models.size() && i < ctx.model_ids.size();
       ++i) {
    const evaluator::ModelPreflight& m = result.models[i];
    if (!m.limits.is_null()) {
      store.RecordModelEvent(ctx.run_id, ctx.model_ids[i], "server_limits",
                             m.limits, &err);
    }
    for (const std::string& w : m.warnings) {
      store.RecordModelEvent(ctx.run_id, ctx.model_ids[i], "preflight_warning",
                             {{"message", w}}, &err);
    }
  }
}

// One request gate per endpoint model (models/capacity_gate.h), starting at
// its max_connections; a lowering is said on stderr (even with --quiet: it
// changes how the run goes) and recorded as a model event.
std::vector<std::unique_ptr<models::CapacityGate>> MakeCapacityGates(
    const evaluator::RunContext& ctx, results::Store* store) {
  std::vector<std::unique_ptr<models::CapacityGate>> gates;
  for (size_t i = 0; i < ctx.models.size(); ++i) {
    const models::ModelConfig& m = ctx.models[i];
    if (m.provider == "builtin") {
      gates.push_back(nullptr);
      continue;
    }
    const int64_t run_id = ctx.run_id, model_id = ctx.model_ids[i];
    gates.push_back(std::make_unique<models::CapacityGate>(
        m.name, m.max_connections,
        [store, run_id, model_id](const models::CapacityLowering& l) {
          std::string line =
              "endstate: model '" + l.model +
              "': the server's capacity "
              "overflowed with " +
              std::to_string(l.in_flight) + " requests in flight (" + l.reason +
              "); concurrency lowered to " + std::to_string(l.to) +
              " for the rest of the run\n";
          std::cerr << line;
          std::string err;
          store->RecordModelEvent(run_id, model_id, "concurrency_lowered",
                                  {{"from", l.from},
                                   {"to", l.to},
                                   {"in_flight", l.in_flight},
                                   {"reason", l.reason}},
                                  &err);
        }));
  }
  return gates;
}

// --set KEY=VALUE in order, then --max-turns, --temperature, --max-tokens
// (so those win over a --set of the same key).
bool ParseOverrides(const RunOptions& o, std::vector<evaluator::Override>* out,
                    std::string* err) {
  for (const std::string& arg : o.sets) {
    out->emplace_back();
    if (!evaluator::ParseSetFlag(arg, &out->back(), err)) return false;
  }
  struct Shorthand {
    const std::optional<std::string>& value;
    const char* flag;
    const char* key;
  };
  for (const Shorthand& f :
       {Shorthand{o.max_turns, "--max-turns", "run.limits.max_turns"},
        Shorthand{o.temperature, "--temperature",
                  "models.*.sampling.temperature"},
        Shorthand{o.max_tokens, "--max-tokens",
                  "models.*.sampling.max_tokens"}}) {
    if (!f.value) continue;
    out->emplace_back();
    if (!evaluator::ParseOverride(std::string(f.flag) + " " + *f.value, f.key,
                                  *f.value, &out->back(), err)) {
      return false;
    }
  }
  return true;
}

// A new run: models from flags or config, tasks from the suite, recorded
// with everything resume needs (evaluator/run_state.h). Returns an exit code
// (kExitOk when *ctx is ready).
int PrepareNewRun(const RunOptions& o, std::unique_ptr<results::Store>* store,
                  evaluator::RunContext* ctx) {
  evaluator::Config& config = ctx->config;
  std::string err;
  if (!o.shard.empty() && !evaluator::ParseShard(o.shard, &ctx->shard, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }
  std::map<std::string, std::string> run_labels;
  if (!results::ParseLabels(o.labels, &run_labels, &err) ||
      !results::CheckNote(o.note, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }
  if (!o.config_path.empty() &&
      !evaluator::LoadConfig(o.config_path, &config, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }
  std::vector<evaluator::Override> overrides;
  if (!ParseOverrides(o, &overrides, &err) ||
      !evaluator::ApplyConfigOverrides(overrides, &config, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }
  if (o.epochs > 0) config.epochs = o.epochs;
  if (o.concurrency > 0) config.concurrency = o.concurrency;
  if (o.seed >= 0) config.seed = static_cast<uint64_t>(o.seed);

  std::vector<models::ModelConfig>& models = ctx->models;
  if (o.models.empty()) {
    models = config.models;
    if (models.empty()) {
      std::cerr << "endstate run: no model to run: give --model (e.g. "
                   "--model builtin:oracle) or list models in --config\n";
      return kExitUsage;
    }
  }
  for (const auto& spec : o.models) {
    models::ModelConfig m;
    if (!evaluator::ResolveModel(config, spec, &m, &err)) {
      std::cerr << "endstate run: " << err << '\n';
      return kExitUsage;
    }
    for (const auto& existing : models) {
      if (existing.name == m.name) {
        std::cerr << "endstate run: --model '" << spec << "' given twice\n";
        return kExitUsage;
      }
    }
    models.push_back(m);
  }
  if (!evaluator::ApplyModelOverrides(overrides, &models, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }
  if (!evaluator::LoadTasks(o.tasks_dir, o.task_ids, &ctx->suite, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }
  evaluator::PreflightResult preflight;
  if (int rc = CheckEndpoints(o, *ctx, &preflight); rc != kExitOk) return rc;

  *store = results::Store::Open(o.db, &err);
  if (!*store) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  std::string args;
  for (const auto& a : o.argv) args += (args.empty() ? "" : " ") + a;
  evaluator::RunState state{
      .tasks_dir = o.tasks_dir.empty() ? ""
                                       : std::filesystem::absolute(o.tasks_dir)
                                             .lexically_normal()
                                             .string(),
      .models = models,
      .config = config};
  nlohmann::json config_json =
      nlohmann::json::parse(evaluator::ConfigJson(config));
  config_json["resume"] = evaluator::RunStateJson(state);
  config_json["overrides"] = evaluator::OverridesJson(overrides);
  if (!o.shard.empty()) {
    std::vector<results::TaskInfo> task_infos;
    for (const auto& t : ctx->suite) {
      task_infos.push_back({.id = t.id, .content_hash = t.content_hash});
    }
    config_json["shard"] = evaluator::ShardJson(
        ctx->shard,
        evaluator::GroupKey(state, task_infos, ctx->shard.count, o.group),
        o.group);
  }
  ctx->run_id = (*store)->BeginRun({.config_json = config_json.dump(),
                                    .version = ENDSTATE_VERSION,
                                    .host = util::HostName(),
                                    .args = args,
                                    .seed = config.seed,
                                    .labels = run_labels,
                                    .note = o.note},
                                   &err);
  if (ctx->run_id < 0) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  for (const auto& m : models) {
    ctx->model_ids.push_back(
        (*store)->AddModel(ctx->run_id, evaluator::ModelRecord(m), &err));
    if (ctx->model_ids.back() < 0) {
      std::cerr << "endstate run: cannot record model '" << m.name
                << "': " << err << '\n';
      return kExitInfra;
    }
  }
  RecordPreflight(preflight, *ctx, **store);
  for (const auto& t : ctx->suite) {
    ctx->task_ids.push_back((*store)->AddTask(ctx->run_id,
                                              {.id = t.id,
                                               .title = t.title,
                                               .level = t.level,
                                               .content_hash = t.content_hash},
                                              &err));
    if (ctx->task_ids.back() < 0) {
      std::cerr << "endstate run: cannot record task '" << t.id << "': " << err
                << '\n';
      return kExitInfra;
    }
  }
  for (const auto& p : evaluator::ShardPlan(
           evaluator::MakePlan(models.size(), ctx->suite.size(), config.epochs),
           ctx->suite.size(), ctx->shard)) {
    ctx->work.push_back({.slot = p});
  }
  if (!o.quiet) {
    size_t slots =
        models.size() * ctx->suite.size() * static_cast<size_t>(config.epochs);
    std::cerr << "endstate: run " << ctx->run_id
              << evaluator::ShardLabel(ctx->shard) << ": " << models.size()
              << " model(s) x " << ctx->suite.size() << " task(s) x "
              << config.epochs << " epoch(s) = " << slots << " attempts"
              << (ctx->shard.sharded()
                      ? ", " + std::to_string(ctx->work.size()) +
                            " in this shard"
                      : "")
              << ", concurrency " << config.concurrency << ", db " << o.db
              << '\n';
  }
  return kExitOk;
}

int PrepareResumedRun(const RunOptions& o,
                      std::unique_ptr<results::Store>* store,
                      evaluator::RunContext* ctx) {
  std::string err;
  *store = results::Store::Open(o.db, &err);
  if (!*store) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  evaluator::ResumePlan plan;
  if (!evaluator::PrepareResume(**store,
                                {.run_id = o.resume,
                                 .config_path = o.config_path,
                                 .tasks_dir = o.tasks_dir,
                                 .concurrency = o.concurrency,
                                 .retry_errors = o.retry_errors},
                                ctx, &plan, &err)) {
    std::cerr << "endstate run: --resume " << o.resume << ": " << err << '\n';
    return kExitUsage;
  }
  evaluator::PreflightResult preflight;
  if (int rc = CheckEndpoints(o, *ctx, &preflight); rc != kExitOk) return rc;
  RecordPreflight(preflight, *ctx, **store);
  if (!o.quiet) {
    std::cerr << "endstate: resuming run " << ctx->run_id
              << evaluator::ShardLabel(ctx->shard) << ": "
              << plan.kept + plan.interrupted + plan.retried + plan.missing +
                     plan.given_up
              << " slot(s): " << plan.kept << " kept, " << plan.interrupted
              << " interrupted, " << plan.retried << " error(s) to retry, "
              << plan.missing << " not started"
              << (plan.given_up > 0 ? ", " + std::to_string(plan.given_up) +
                                          " given up (interrupted twice)"
                                    : "")
              << "; " << ctx->work.size() << " attempt(s) to run, concurrency "
              << ctx->config.concurrency << ", db " << o.db << '\n';
  }
  return kExitOk;
}

// The end of a run stopped by SIGINT or SIGTERM (docs/cli.md, "Stopping a
// run"): marked cancelled, the resume line printed, exit 130.
int EndCancelled(const RunOptions& o, results::Store& store, int64_t run_id,
                 int cancelled_attempts) {
  std::string err;
  if (!store.CancelRun(run_id, &err)) {
    std::cerr << "endstate run: cannot record that run " << run_id
              << " was cancelled: " << err << '\n';
  }
  std::cerr << "endstate: run " << run_id << " cancelled ("
            << cancelled_attempts
            << " attempt(s) in flight ended as cancelled); resume it with:\n"
            << ResumeLine(run_id, o.db) << '\n';
  return kExitInterrupted;
}

int Run(const RunOptions& o) {
  // Lines go above the progress display while it is shown.
  Progress* shown = nullptr;
  std::mutex log_mu;
  auto say = [&](const std::string& line) {
    std::lock_guard lock(log_mu);
    if (shown) {
      shown->Log(line);
    } else {
      std::cerr << line + "\n";
    }
  };
  // Ctrl-C and SIGTERM (cli/stop_signals.h): said even with --quiet.
  StopSignals signals([&](int sig) {
    say(std::string("endstate: ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
        ": stopping: no new attempt starts, those in flight end as "
        "cancelled (a second Ctrl-C exits at once)");
  });
  evaluator::RunContext ctx;
  std::unique_ptr<results::Store> store;
  int code = o.resume > 0 ? PrepareResumedRun(o, &store, &ctx)
                          : PrepareNewRun(o, &store, &ctx);
  if (code != kExitOk) return code;
  const evaluator::Config& config = ctx.config;
  std::string err;
  signals.SetExitMessage("\nendstate: second interrupt: exiting at once; run " +
                         std::to_string(ctx.run_id) +
                         " stays resumable with:\n" +
                         ResumeLine(ctx.run_id, o.db) + "\n");
  if (util::StopRequested()) return EndCancelled(o, *store, ctx.run_id, 0);

  // Managed servers (docs/servers.md): started before a model's first
  // attempt, stopped after its last (also when the run is stopped).
  evaluator::ServerFleet fleet(config.serve, &ctx.models,
                               {.log_dir = o.server_logs,
                                .log =
                                    [&](const std::string& line) {
                                      if (!o.quiet) say("endstate: " + line);
                                    }},
                               store.get(), ctx.run_id, ctx.model_ids);

  // Probes first (docs/probes.md), recorded in the same run; builtin models
  // are skipped with a note. A failed probe is reported at the end. A
  // managed model is probed once its server is ready, before its attempts.
  probes::ProbeRunSummary probe_summary;
  std::mutex probe_mu;
  auto probe = [&](size_t first, size_t count, bool managed) {
    std::vector<models::ModelConfig> ms;
    std::vector<int64_t> ids;
    for (size_t i = first; i < first + count; ++i) {
      if (fleet.Managed(i) != managed) continue;
      results::Termination term = results::Termination::kNone;
      if (!fleet.Problem(i, &term).empty()) continue;
      ms.push_back(ctx.models[i]);
      ids.push_back(ctx.model_ids[i]);
    }
    std::lock_guard lock(probe_mu);
    return ms.empty() ||
           probes::RunProbes(*store, ctx.run_id, ms, ids,
                             {.log = o.quiet ? nullptr : &std::cerr},
                             &probe_summary, &err);
  };
  const bool probes = o.probes && o.resume == 0;
  if (probes && !probe(0, ctx.models.size(), false)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  evaluator::ModelLifecycle lifecycle = fleet.Lifecycle();
  if (probes) {
    lifecycle.start = [&](size_t m) {
      if (fleet.Start(m) && !probe(m, 1, true)) {
        std::cerr << "endstate run: " << err << '\n';
      }
    };
  }
  // A stopped run starts no server (its attempts are skipped).
  lifecycle.start = [start = lifecycle.start](size_t m) {
    if (start && !util::StopRequested()) start(m);
  };

  sandbox::WorldOptions world_options;
  world_options.keep = o.keep_worlds;
  world_options.shell = config.shell;
  if (!o.worlds_dir.empty()) world_options.base = o.worlds_dir;
  // Worlds of runs killed with SIGKILL (their process is gone) would pile
  // up below the base; kept worlds and live runs' worlds stay.
  sandbox::SweepResult swept = sandbox::SweepStaleWorlds(world_options.base);
  if (!o.quiet && !swept.removed.empty()) {
    std::cerr << "endstate: removed " << swept.removed.size()
              << " world(s) left by killed runs below "
              << world_options.base.string() << '\n';
  }
  for (const auto& e : swept.errors) std::cerr << "endstate: " << e << '\n';
  sandbox::SweepStalePidsCgroups();

  std::vector<evaluator::PlannedAttempt> plan;
  std::map<std::tuple<size_t, size_t, int>, const evaluator::SlotWork*> by_slot;
  for (const evaluator::SlotWork& w : ctx.work) {
    plan.push_back(w.slot);
    by_slot[{w.slot.model, w.slot.task, w.slot.epoch}] = &w;
  }
  // A task's expected length: the turns of its reference solution.
  std::vector<double> task_cost;
  for (const tasks::Task& t : ctx.suite) {
    task_cost.push_back(static_cast<double>(t.solution.size()));
  }
  evaluator::OrderLongestFirst(task_cost, &plan);
  std::vector<int> caps;
  for (const auto& m : ctx.models) caps.push_back(m.max_connections);
  std::vector<std::unique_ptr<models::CapacityGate>> gates =
      MakeCapacityGates(ctx, store.get());
  Progress progress(plan.size(), o.quiet, config.concurrency);
  for (const evaluator::PlannedAttempt& p : plan) {
    progress.Expect(ctx.models[p.model].name, 1, task_cost[p.task]);
  }
  progress.Start();
  {
    std::lock_guard lock(log_mu);
    shown = &progress;
  }
  // When the record cannot be written the run stops: no new attempt starts
  // (those in flight finish), and the first reason is reported.
  std::atomic<bool> record_failed{false};
  std::atomic<int> cancelled{0};  // attempts ended by a stop (Ctrl-C)
  std::mutex record_mu;
  std::string record_error;
  evaluator::RunScheduled(
      plan, config.concurrency, caps,
      [&](const evaluator::PlannedAttempt& p) {
        // A stopped run starts no attempt (util/stop.h).
        if (record_failed || util::StopRequested()) return;
        const evaluator::SlotWork& w = *by_slot.at({p.model, p.task, p.epoch});
        const models::ModelConfig& model = ctx.models[p.model];
        const tasks::Task& task = ctx.suite[p.task];
        evaluator::AttemptSpec spec{.task = &task,
                                    .model = &model,
                                    .epoch = p.epoch,
                                    .seed = config.seed,
                                    .store = store.get(),
                                    .run_id = ctx.run_id,
                                    .model_id = ctx.model_ids[p.model],
                                    .task_id = ctx.task_ids[p.task],
                                    .parent_attempt_id = w.parent_attempt_id,
                                    .gate = gates[p.model].get()};
        // Never against a server that is not ready or is gone.
        results::Termination termination = results::Termination::kNone;
        std::string problem = fleet.Problem(p.model, &termination);
        evaluator::AttemptReport r =
            problem.empty()
                ? evaluator::RunAttempt(spec, config, world_options)
                : evaluator::RecordUnrunAttempt(spec, termination, problem);
        int error_tries = w.error_tries;
        while (r.outcome.outcome == results::Outcome::kError &&
               r.attempt_id > 0 && !util::StopRequested() &&
               fleet.Problem(p.model, &termination).empty() &&
               evaluator::ShouldRetry(++error_tries, o.retry_errors)) {
          if (!o.quiet) {
            std::string line = "endstate: " + model.name + " " + task.id +
                               " #" + std::to_string(util::Ordinal(p.epoch)) +
                               ": error (" + r.outcome.error + "), retry " +
                               std::to_string(error_tries) + " of " +
                               std::to_string(o.retry_errors);
            progress.Log(line);  // above the live status lines
          }
          spec.parent_attempt_id = r.attempt_id;
          r = evaluator::RunAttempt(spec, config, world_options);
        }
        if (r.record_failed) {
          std::lock_guard lock(record_mu);
          if (!record_failed.exchange(true)) record_error = r.outcome.error;
        }
        const bool was_cancelled =
            r.outcome.termination == results::Termination::kCancelled;
        if (was_cancelled) ++cancelled;
        std::string detail =
            r.outcome.outcome == results::Outcome::kPassed || was_cancelled
                ? ""
                : FirstProblem(r);
        if (!r.world_dir.empty())
          detail += " [world kept: " + r.world_dir + "]";
        progress.Done(
            model.name, task.id, p.epoch,
            was_cancelled
                ? std::string("cancelled")
                : std::string(results::OutcomeName(r.outcome.outcome)),
            detail, r.outcome.wall_ms, task_cost[p.task]);
      },
      lifecycle);
  {
    std::lock_guard lock(log_mu);
    shown = nullptr;
  }
  if (record_failed) {
    std::cerr << "endstate run: " << record_error << "; run " << ctx.run_id
              << " stopped (endstate run --resume " << ctx.run_id << " --db "
              << o.db << " finishes it)\n";
    return kExitInfra;
  }
  if (util::StopRequested()) {
    return EndCancelled(o, *store, ctx.run_id, cancelled.load());
  }
  if (!store->FinishRun(ctx.run_id, &err)) {
    std::cerr << "endstate run: cannot record the end of run " << ctx.run_id
              << ": " << err << '\n';
    return kExitInfra;
  }

  // The same table as `endstate report`, intervals included.
  std::vector<report::ModelStats> stats;
  auto reader = results::RunReader::Open(o.db, &err);
  if (!reader) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  if (int rc = PrintReport(*reader, ctx.run_id, "table", &stats);
      rc != kExitOk) {
    return rc;
  }
  if (!o.quiet) {
    std::cerr << "endstate: run " << ctx.run_id << " recorded in " << o.db
              << " (endstate report --db " << o.db << " --run " << ctx.run_id
              << ")\n";
  }
  // Only the latest try of each slot counts: a retried error that then
  // passed is not an error of the run.
  int errors = 0;
  for (const auto& s : stats) errors += s.errored;
  if (errors > 0) {
    std::cerr << "endstate: " << errors
              << " attempt(s) ended in infrastructure error\n";
    return kExitInfra;
  }
  if (probe_summary.failed > 0) {
    std::cerr << "endstate: " << probe_summary.failed
              << " probe(s) ended with an error\n";
    return kExitInfra;
  }
  return kExitOk;
}

}  // namespace

Command AddRunCommand(CLI::App& root) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* app = root.add_subcommand(
      "run", "Run tasks against models and record every attempt");
  app->add_option("--config", o->config_path,
                  "YAML config file (docs/config.md)")
      ->check(CLI::ExistingFile);
  app->add_option("--tasks", o->tasks_dir,
                  "Task suite folder (default: the bundled tasks/)");
  app->add_option("--task", o->task_ids, "Run only this task id (repeatable)");
  app->add_option(
      "--model", o->models,
      "Model: a name from the config, builtin:oracle|null|flaky[:RATE], "
      "openai:BASE_URL#MODEL_ID or anthropic:[BASE_URL]#MODEL_ID "
      "(repeatable)");
  app->add_option("--epochs", o->epochs,
                  "Attempts per model and task (default 1)")
      ->check(AtLeast(1));
  app->add_option("--concurrency", o->concurrency,
                  "Attempts at once (default 4)")
      ->check(AtLeast(1));
  AddDbOption(app, &o->db);
  app->add_option("--seed", o->seed,
                  "Seed for builtin:flaky and sampling (default 0)")
      ->check(AtLeast(0));
  app->add_flag("--keep-worlds", o->keep_worlds,
                "Keep each attempt's world on disk");
  app->add_option(
      "--worlds-dir", o->worlds_dir,
      "Where worlds are created (default /var/tmp/endstate-worlds)");
  app->add_flag("-q,--quiet", o->quiet, "No progress lines");
  CLI::Option* resume = app->add_option(
      "--resume", o->resume,
      "Continue run RUN_ID of --db: keep finished attempts, run the "
      "missing and interrupted ones (docs/cli.md)");
  resume->check(AtLeast(1))->type_name("RUN_ID");
  CLI::Option* shard =
      app->add_option("--shard", o->shard,
                      "Run only slice I of N of the plan (0 <= I < N), for "
                      "`endstate merge` later (docs/scale.md)")
          ->type_name("I/N");
  app->add_option("--group", o->group,
                  "Name shared by the shards of one sharded run (default "
                  "none; docs/scale.md)")
      ->type_name("NAME")
      ->needs(shard);
  app->add_option("--label", o->labels,
                  "Label the run KEY=VALUE, e.g. quant=nvfp4 (repeatable; "
                  "`runs --label`, `history --label`)")
      ->type_name("KEY=VALUE");
  app->add_option("--note", o->note,
                  "Free-text note recorded with the run (at most 4096 bytes)")
      ->type_name("TEXT");
  app->add_option(
         "--set", o->sets,
         "Override a config key for this run, e.g. "
         "run.limits.max_turns=30 or models.*.sampling.temperature=0.2 "
         "(repeatable; docs/config.md, \"Overrides\")")
      ->type_name("KEY=VALUE");
  app->add_option("--max-turns", o->max_turns,
                  "Cap every task's turn limit (= --set "
                  "run.limits.max_turns=N)")
      ->type_name("N");
  app->add_option("--temperature", o->temperature,
                  "Sampling temperature of every model (= --set "
                  "models.*.sampling.temperature=T)")
      ->type_name("T");
  app->add_option("--max-tokens", o->max_tokens,
                  "Per-turn reply cap of every model (= --set "
                  "models.*.sampling.max_tokens=N)")
      ->type_name("N");
  for (const char* name : {"--model", "--task", "--epochs", "--seed", "--shard",
                           "--group", "--label", "--note", "--set",
                           "--max-turns", "--temperature", "--max-tokens"}) {
    resume->excludes(app->get_option(name));
  }
  app->add_flag("--probes", o->probes,
                "First run every probe (speed, toolcalls, reasoning) for "
                "each endpoint model, stored in the run (docs/probes.md)")
      ->excludes(resume);
  app->add_option("--server-logs", o->server_logs,
                  "Folder for the logs of managed model servers (default "
                  "/var/tmp/endstate-servers; docs/servers.md)")
      ->type_name("DIR");
  app->add_flag("--no-preflight", o->no_preflight,
                "Skip the endpoint checks before the first attempt "
                "(docs/cli.md, \"Pre-flight\")");
  app->add_option("--retry-errors", o->retry_errors,
                  "Retry an attempt that ended in infrastructure error up to "
                  "N times (default 0)")
      ->check(AtLeast(0))
      ->type_name("N");
  return {app, [o, app] {
            o->argv = {"endstate", "run"};
            for (const auto* opt : app->get_options()) {
              for (const auto& r : opt->results()) {
                o->argv.push_back(opt->get_name() + "=" + r);
              }
            }
            return Run(*o);
          }};
}

}  // namespace endstate::cli
