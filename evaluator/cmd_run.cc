// `endstate run`: the main job. Plans models x tasks x epochs, runs the
// attempts concurrently in fresh worlds, records everything, prints the
// per-model report.
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <memory>

#include "evaluator/attempt.h"
#include "evaluator/cli.h"
#include "evaluator/commands.h"
#include "evaluator/progress.h"
#include "evaluator/scheduler.h"
#include "evaluator/suite.h"
#include "results/report.h"
#include "results/store.h"

namespace endstate::evaluator {
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
  std::vector<std::string> argv;
};

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// The first failing or erroring check, for the progress line.
std::string FirstProblem(const AttemptReport& r) {
  if (!r.outcome.error.empty()) return r.outcome.error;
  for (const auto& c : r.grade.checks) {
    if (c.verdict != graders::Verdict::kPassed) return c.kind + ": " + c.detail;
  }
  return "";
}

int Run(const RunOptions& o) {
  Config config;
  std::string err;
  if (!o.config_path.empty() && !LoadConfig(o.config_path, &config, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }
  if (o.epochs > 0) config.epochs = o.epochs;
  if (o.concurrency > 0) config.concurrency = o.concurrency;
  if (o.seed >= 0) config.seed = static_cast<uint64_t>(o.seed);

  std::vector<models::ModelConfig> models;
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
    if (!ResolveModel(config, spec, &m, &err)) {
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
  std::vector<tasks::Task> suite;
  if (!LoadTasks(o.tasks_dir, o.task_ids, &suite, &err)) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitUsage;
  }

  std::unique_ptr<results::Store> store = results::Store::Open(o.db, &err);
  if (!store) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  std::string args;
  for (const auto& a : o.argv) args += (args.empty() ? "" : " ") + a;
  const int64_t run_id = store->BeginRun({.config_json = ConfigJson(config),
                                          .version = ENDSTATE_VERSION,
                                          .host = HostName(),
                                          .args = args,
                                          .seed = config.seed},
                                         &err);
  if (run_id < 0) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  std::vector<int64_t> model_ids, task_ids;
  std::vector<int> caps;
  for (const auto& m : models) {
    nlohmann::json labels = m.labels;
    model_ids.push_back(store->AddModel(run_id,
                                        {.name = m.name,
                                         .provider = m.provider,
                                         .base_url = m.base_url,
                                         .model = m.model,
                                         .sampling = m.sampling,
                                         .labels = labels},
                                        &err));
    caps.push_back(m.max_connections);
  }
  for (const auto& t : suite) {
    task_ids.push_back(store->AddTask(run_id,
                                      {.id = t.id,
                                       .title = t.title,
                                       .level = t.level,
                                       .content_hash = t.content_hash},
                                      &err));
  }

  sandbox::WorldOptions world_options;
  world_options.keep = o.keep_worlds;
  world_options.shell = config.shell;
  if (!o.worlds_dir.empty()) world_options.base = o.worlds_dir;

  const auto plan = MakePlan(models.size(), suite.size(), config.epochs);
  if (!o.quiet) {
    std::cerr << "endstate: run " << run_id << ": " << models.size()
              << " model(s) x " << suite.size() << " task(s) x "
              << config.epochs << " epoch(s) = " << plan.size()
              << " attempts, concurrency " << config.concurrency << ", db "
              << o.db << '\n';
  }
  Progress progress(plan.size(), o.quiet);
  std::atomic<int> errors{0};
  RunScheduled(plan, config.concurrency, caps, [&](const PlannedAttempt& p) {
    AttemptSpec spec{.task = &suite[p.task],
                     .model = &models[p.model],
                     .epoch = p.epoch,
                     .seed = config.seed,
                     .store = store.get(),
                     .run_id = run_id,
                     .model_id = model_ids[p.model],
                     .task_id = task_ids[p.task]};
    AttemptReport r = RunAttempt(spec, config, world_options);
    if (r.outcome.outcome == "error") ++errors;
    std::string detail = r.outcome.outcome == "passed" ? "" : FirstProblem(r);
    if (!r.world_dir.empty()) detail += " [world kept: " + r.world_dir + "]";
    progress.Done(models[p.model].name, suite[p.task].id, p.epoch,
                  r.outcome.outcome, detail, r.outcome.wall_ms);
  });
  store->FinishRun(run_id, &err);

  auto summaries = store->Summarize(run_id, &err);
  if (!summaries) {
    std::cerr << "endstate run: " << err << '\n';
    return kExitInfra;
  }
  std::cout << results::RenderTable(*summaries);
  if (!o.quiet) {
    std::cerr << "endstate: run " << run_id << " recorded in " << o.db
              << " (endstate report --db " << o.db << " --run " << run_id
              << ")\n";
  }
  if (errors > 0) {
    std::cerr << "endstate: " << errors.load()
              << " attempt(s) ended in infrastructure error\n";
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
      "or openai:BASE_URL#MODEL_ID (repeatable)");
  app->add_option("--epochs", o->epochs,
                  "Attempts per model and task (default 1)")
      ->check(CLI::PositiveNumber);
  app->add_option("--concurrency", o->concurrency,
                  "Attempts at once (default 4)")
      ->check(CLI::PositiveNumber);
  app->add_option("--db", o->db, "SQLite database (default ./endstate.db)");
  app->add_option("--seed", o->seed,
                  "Seed for builtin:flaky and sampling (default 0)")
      ->check(CLI::NonNegativeNumber);
  app->add_flag("--keep-worlds", o->keep_worlds,
                "Keep each attempt's world on disk");
  app->add_option(
      "--worlds-dir", o->worlds_dir,
      "Where worlds are created (default /var/tmp/endstate-worlds)");
  app->add_flag("-q,--quiet", o->quiet, "No progress lines");
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

}  // namespace endstate::evaluator
