// `endstate run`: the main job. Plans models x tasks x epochs, runs the
// attempts concurrently in fresh worlds, records everything, prints the
// per-model report.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/report_output.h"
#include "evaluator/attempt.h"
#include "evaluator/resume.h"
#include "evaluator/run_state.h"
#include "evaluator/scheduler.h"
#include "evaluator/shard.h"
#include "evaluator/suite.h"
#include "probes/probe_runner.h"
#include "results/reader.h"
#include "results/store.h"
#include "sandbox/limits.h"
#include "sandbox/world_sweep.h"
#include "util/clock.h"

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
  int64_t resume = 0;    // run id to continue; 0 = a new run
  int retry_errors = 0;  // retries per slot after infrastructure errors
  bool probes = false;   // run every probe per endpoint model first
  std::string shard;     // "I/N" (evaluator/shard.h); "" = the whole plan
  std::string group;     // --group NAME, part of the shard group key
  std::vector<std::string> argv;
};

// The first failing or erroring check, for the progress line.
std::string FirstProblem(const evaluator::AttemptReport& r) {
  if (!r.outcome.error.empty()) return r.outcome.error;
  for (const auto& c : r.grade.checks) {
    if (c.verdict != graders::Verdict::kPassed) return c.kind + ": " + c.detail;
  }
  return "";
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
  if (!o.config_path.empty() &&
      !evaluator::LoadConfig(o.config_path, &config, &err)) {
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
  if (!evaluator::LoadTasks(o.tasks_dir, o.task_ids, &ctx->suite, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }

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
                                    .seed = config.seed},
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

int Run(const RunOptions& o) {
  evaluator::RunContext ctx;
  std::unique_ptr<results::Store> store;
  int code = o.resume > 0 ? PrepareResumedRun(o, &store, &ctx)
                          : PrepareNewRun(o, &store, &ctx);
  if (code != kExitOk) return code;
  const evaluator::Config& config = ctx.config;
  std::string err;

  // Probes first (docs/probes.md), recorded in the same run; builtin models
  // are skipped with a note. A failed probe is reported at the end.
  probes::ProbeRunSummary probe_summary;
  if (o.probes && o.resume == 0 &&
      !probes::RunProbes(*store, ctx.run_id, ctx.models, ctx.model_ids,
                         {.log = o.quiet ? nullptr : &std::cerr},
                         &probe_summary, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }

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
  Progress progress(plan.size(), o.quiet);
  for (const evaluator::PlannedAttempt& p : plan) {
    progress.Expect(ctx.models[p.model].name, 1);
  }
  progress.Start();
  // When the record cannot be written the run stops: no new attempt starts
  // (those in flight finish), and the first reason is reported.
  std::atomic<bool> record_failed{false};
  std::mutex record_mu;
  std::string record_error;
  evaluator::RunScheduled(
      plan, config.concurrency, caps, [&](const evaluator::PlannedAttempt& p) {
        if (record_failed) return;
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
                                    .parent_attempt_id = w.parent_attempt_id};
        evaluator::AttemptReport r =
            evaluator::RunAttempt(spec, config, world_options);
        int error_tries = w.error_tries;
        while (r.outcome.outcome == "error" && r.attempt_id > 0 &&
               evaluator::ShouldRetry(++error_tries, o.retry_errors)) {
          if (!o.quiet) {
            std::string line = "endstate: " + model.name + " " + task.id +
                               " #" + std::to_string(p.epoch) + ": error (" +
                               r.outcome.error + "), retry " +
                               std::to_string(error_tries) + " of " +
                               std::to_string(o.retry_errors) + "\n";
            std::cerr << line;
          }
          spec.parent_attempt_id = r.attempt_id;
          r = evaluator::RunAttempt(spec, config, world_options);
        }
        if (r.record_failed) {
          std::lock_guard lock(record_mu);
          if (!record_failed.exchange(true)) record_error = r.outcome.error;
        }
        std::string detail =
            r.outcome.outcome == "passed" ? "" : FirstProblem(r);
        if (!r.world_dir.empty())
          detail += " [world kept: " + r.world_dir + "]";
        progress.Done(model.name, task.id, p.epoch, r.outcome.outcome, detail,
                      r.outcome.wall_ms);
      });
  if (record_failed) {
    std::cerr << "endstate run: " << record_error << "; run " << ctx.run_id
              << " stopped (endstate run --resume " << ctx.run_id << " --db "
              << o.db << " finishes it)\n";
    return kExitInfra;
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
      ->check(CLI::PositiveNumber);
  app->add_option("--concurrency", o->concurrency,
                  "Attempts at once (default 4)")
      ->check(CLI::PositiveNumber);
  AddDbOption(app, &o->db);
  app->add_option("--seed", o->seed,
                  "Seed for builtin:flaky and sampling (default 0)")
      ->check(CLI::NonNegativeNumber);
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
  resume->check(CLI::PositiveNumber)->type_name("RUN_ID");
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
  for (const char* name :
       {"--model", "--task", "--epochs", "--seed", "--shard", "--group"}) {
    resume->excludes(app->get_option(name));
  }
  app->add_flag("--probes", o->probes,
                "First run every probe (speed, toolcalls, reasoning) for "
                "each endpoint model, stored in the run (docs/probes.md)")
      ->excludes(resume);
  app->add_option("--retry-errors", o->retry_errors,
                  "Retry an attempt that ended in infrastructure error up to "
                  "N times (default 0)")
      ->check(CLI::NonNegativeNumber)
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
