// `endstate tasks list|check`: inspect and validate the task suite. check
// proves each task trustworthy: the oracle passes, null fails, and every
// near miss fails.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/validators.h"
#include "evaluator/attempt.h"
#include "evaluator/scheduler.h"
#include "evaluator/suite.h"
#include "graders/command_lint.h"
#include "models/model_config.h"

namespace endstate::cli {
namespace {

struct TasksOptions {
  std::string tasks_dir;
  std::vector<std::string> task_ids;
  int concurrency = 4;
  bool keep_worlds = false;
  std::string worlds_dir;
  bool json = false;
};

int List(const TasksOptions& o) {
  std::vector<tasks::Task> suite;
  std::string err;
  if (!evaluator::LoadTasks(o.tasks_dir, o.task_ids, &suite, &err)) {
    std::cerr << "endstate tasks list: " << err << '\n';
    return kExitUsage;
  }
  if (o.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& t : suite) {
      nlohmann::json hosts = nlohmann::json::array();
      for (const auto& h : t.world.hosts) hosts.push_back(h.name);
      arr.push_back({{"id", t.id},
                     {"title", t.title},
                     {"level", t.level},
                     {"checks", t.checks.size()},
                     {"solution_steps", t.solution.size()},
                     {"near_misses", t.near_misses.size()},
                     {"hosts", hosts},
                     {"content_hash", t.content_hash}});
    }
    std::cout << arr.dump(2) << '\n';
    return kExitOk;
  }
  for (const auto& t : suite) {
    char line[256];
    std::snprintf(line, sizeof line, "%-28s %-7s %2zu checks %2zu steps  ",
                  t.id.c_str(), t.level.c_str(), t.checks.size(),
                  t.solution.size());
    std::cout << line << t.title << '\n';
  }
  std::cout << suite.size() << " tasks\n";
  return kExitOk;
}

// One verification: a model (or a near miss) on a task, and what it must do.
struct Probe {
  size_t task = 0;
  std::string label;  // "oracle", "null", "near miss 'x'"
  const models::ModelConfig* model = nullptr;
  const std::vector<tasks::SolutionStep>* steps = nullptr;
  bool must_pass = false;
};

int Check(const TasksOptions& o) {
  std::vector<tasks::Task> suite;
  std::string err;
  if (!evaluator::LoadTasks(o.tasks_dir, o.task_ids, &suite, &err)) {
    std::cerr << "endstate tasks check: " << err << '\n';
    return kExitCheckFailed;
  }
  models::ModelConfig oracle, null_model;
  models::ParseModelSpec("builtin:oracle", &oracle, &err);
  models::ParseModelSpec("builtin:null", &null_model, &err);

  std::vector<Probe> probes;
  for (size_t i = 0; i < suite.size(); ++i) {
    probes.push_back({i, "oracle", &oracle, nullptr, true});
    probes.push_back({i, "null", &null_model, nullptr, false});
    for (const auto& miss : suite[i].near_misses) {
      probes.push_back(
          {i, "near miss '" + miss.name + "'", &oracle, &miss.steps, false});
    }
  }
  evaluator::Config config;
  sandbox::WorldOptions world_options;
  world_options.keep = o.keep_worlds;
  if (!o.worlds_dir.empty()) world_options.base = o.worlds_dir;

  std::mutex mu;
  std::vector<std::string> problems(suite.size());
  std::vector<evaluator::PlannedAttempt> plan;
  for (size_t i = 0; i < probes.size(); ++i) plan.push_back({0, i, 0});
  evaluator::RunScheduled(
      plan, o.concurrency, {}, [&](const evaluator::PlannedAttempt& p) {
        const Probe& probe = probes[p.task];
        evaluator::AttemptSpec spec{.task = &suite[probe.task],
                                    .model = probe.model,
                                    .steps = probe.steps};
        evaluator::AttemptReport r =
            evaluator::RunAttempt(spec, config, world_options);
        const results::Outcome outcome = r.outcome.outcome;
        std::string problem;
        if (outcome == results::Outcome::kError) {
          problem = probe.label + " errored: " + r.outcome.error;
        } else if (probe.must_pass && outcome != results::Outcome::kPassed) {
          problem = probe.label + " failed";
          for (const auto& c : r.grade.checks) {
            if (c.verdict != graders::Verdict::kPassed) {
              problem += "; " + c.kind + ": " + c.detail;
            }
          }
        } else if (!probe.must_pass && outcome == results::Outcome::kPassed) {
          problem =
              probe.label + " passed (the checks cannot tell it from success)";
        }
        if (!r.world_dir.empty())
          problem += problem.empty() ? "" : " [world: " + r.world_dir + "]";
        std::lock_guard lock(mu);
        if (!problem.empty()) {
          problems[probe.task] +=
              (problems[probe.task].empty() ? "" : "\n    ") + problem;
        }
      });

  // Check commands whose truth does not depend on a command succeeding:
  // warnings, not failures (graders/command_lint.h).
  for (const tasks::Task& task : suite) {
    for (const tasks::CheckSpec& check : task.checks) {
      if (check.kind != "command") continue;
      for (const std::string& w :
           graders::LintCheckCommand(check.spec.value("run", std::string()))) {
        std::cout << "warn   " << check.where << ": " << w << '\n';
      }
    }
  }

  int broken = 0;
  for (size_t i = 0; i < suite.size(); ++i) {
    if (problems[i].empty()) {
      std::cout << "ok     " << suite[i].id << " (oracle passes, null fails, "
                << suite[i].near_misses.size() << " near misses fail)\n";
    } else {
      ++broken;
      std::cout << "BROKEN " << suite[i].id << "\n    " << problems[i] << '\n';
    }
  }
  std::cout << suite.size() - broken << " of " << suite.size()
            << " tasks valid\n";
  return broken == 0 ? kExitOk : kExitCheckFailed;
}

}  // namespace

Command AddTasksCommand(CLI::App& root) {
  auto o = std::make_shared<TasksOptions>();
  CLI::App* app =
      root.add_subcommand("tasks", "List or validate the task suite");
  app->require_subcommand(1);
  CLI::App* list = app->add_subcommand("list", "List the tasks of the suite");
  CLI::App* check = app->add_subcommand(
      "check",
      "Validate every task: builtin:oracle must pass, builtin:null and every "
      "near miss must fail; exits 1 naming each broken task");
  for (CLI::App* sub : {list, check}) {
    sub->add_option("--tasks", o->tasks_dir,
                    "Task suite folder (default: the bundled tasks/)");
    sub->add_option("--task", o->task_ids, "Only this task id (repeatable)");
  }
  list->add_flag("--json", o->json, "Machine-readable output");
  check
      ->add_option("--concurrency", o->concurrency,
                   "Attempts at once (default 4)")
      ->check(AtLeast(1));
  check->add_flag("--keep-worlds", o->keep_worlds, "Keep each world on disk");
  check->add_option("--worlds-dir", o->worlds_dir, "Where worlds are created");
  return {app, [o, list] { return list->parsed() ? List(*o) : Check(*o); }};
}

}  // namespace endstate::cli
