#include "evaluator/resume.h"

#include <cstdlib>
#include <map>
#include <tuple>

#include "evaluator/run_state.h"
#include "evaluator/suite.h"

namespace endstate::evaluator {
namespace {

using SlotKey = std::tuple<std::string, std::string, int>;  // model, task,
                                                            // epoch

struct SlotHistory {
  const results::Store::AttemptRow* latest = nullptr;
  int error_tries = 0;
  int interrupted_tries = 0;
};

bool Interrupted(const results::Store::AttemptRow& r) {
  return r.status == "running" ||
         r.termination == results::Termination::kInterrupted;
}

// Ended by a stopped run (Ctrl-C, SIGTERM): not a result, never an error
// try nor an interrupted one; the slot simply runs again.
bool Cancelled(const results::Store::AttemptRow& r) {
  return r.status == "finished" &&
         r.termination == results::Termination::kCancelled;
}

// Takes connection settings (key variable, timeouts, retries, connection
// cap) of the models named in `config_path`; what a model *is* (provider,
// URL, model id) must not change within a run.
bool ApplyConfig(const std::string& config_path, int64_t run_id,
                 std::vector<models::ModelConfig>* models, std::string* err) {
  Config config;
  if (!LoadConfig(config_path, &config, err)) return false;
  for (auto& m : *models) {
    for (const auto& c : config.models) {
      if (c.name != m.name) continue;
      auto differs = [&](const char* field, const std::string& now,
                         const std::string& was) {
        *err = config_path + ": model '" + m.name + "': " + field + " '" + now +
               "' differs from run " + std::to_string(run_id) + " ('" + was +
               "'); a resumed run keeps its models";
        return false;
      };
      if (c.provider != m.provider)
        return differs("provider", c.provider, m.provider);
      if (c.base_url != m.base_url)
        return differs("base_url", c.base_url, m.base_url);
      if (c.model != m.model) return differs("model", c.model, m.model);
      m.api_key_env = c.api_key_env;
      m.request_timeout = c.request_timeout;
      m.stall_timeout = c.stall_timeout;
      m.retry = c.retry;
      m.max_connections = c.max_connections;
    }
  }
  return true;
}

}  // namespace

ResumePlan PlanResume(const std::vector<PlannedAttempt>& plan,
                      const std::vector<std::string>& model_names,
                      const std::vector<std::string>& task_ids,
                      const std::vector<results::Store::AttemptRow>& rows,
                      int retry_errors) {
  ResumePlan out;
  std::map<SlotKey, SlotHistory> history;
  for (const auto& r : rows) {
    SlotHistory& h = history[{r.model, r.task, r.epoch}];
    h.latest = &r;
    if (r.status == "finished" && r.outcome == results::Outcome::kError &&
        !Interrupted(r) && !Cancelled(r))
      ++h.error_tries;
    if (Interrupted(r)) ++h.interrupted_tries;
  }
  // A slot whose tries were interrupted twice (the harness died during
  // both, e.g. on what the agent left) is not run a third time: resuming
  // would replay the crash forever.
  for (const auto& r : rows) {
    if (r.status != "running") continue;
    const SlotHistory& h = history[{r.model, r.task, r.epoch}];
    (h.latest == &r && h.interrupted_tries >= kMaxInterruptedTries
         ? out.abandon_for_good
         : out.abandon)
        .push_back(r.id);
  }
  for (const PlannedAttempt& p : plan) {
    auto it = history.find({model_names[p.model], task_ids[p.task], p.epoch});
    if (it == history.end()) {
      ++out.missing;
      out.work.push_back({.slot = p});
      continue;
    }
    const SlotHistory& h = it->second;
    SlotWork w{.slot = p,
               .parent_attempt_id = h.latest->id,
               .error_tries = h.error_tries};
    if (Interrupted(*h.latest) && h.interrupted_tries >= kMaxInterruptedTries) {
      ++out.given_up;
    } else if (Interrupted(*h.latest) || Cancelled(*h.latest)) {
      ++out.interrupted;
      out.work.push_back(w);
    } else if (h.latest->outcome == results::Outcome::kError &&
               ShouldRetry(h.error_tries, retry_errors)) {
      ++out.retried;
      out.work.push_back(w);
    } else {
      ++out.kept;
    }
  }
  return out;
}

bool PrepareResume(results::Store& store, const ResumeOptions& o,
                   RunContext* ctx, ResumePlan* plan, std::string* err) {
  const std::string run_name = "run " + std::to_string(o.run_id);
  auto run = store.GetRun(o.run_id, err);
  if (!run) return false;
  auto config_json =
      nlohmann::json::parse(run->info.config_json, nullptr, false);
  if (config_json.is_discarded() || !config_json.is_object() ||
      !config_json.contains("resume")) {
    *err = run_name +
           " holds no resume data (runs.config_json has no \"resume\" "
           "key: recorded by an older endstate); start a new run";
    return false;
  }
  RunState state;
  if (!ParseRunState(config_json["resume"], &state, err)) {
    *err = run_name + ": " + *err;
    return false;
  }
  ShardSpec shard;
  if (!ParseShardJson(config_json, &shard, err)) {
    *err = run_name + ": " + *err;
    return false;
  }
  if (!o.config_path.empty() &&
      !ApplyConfig(o.config_path, o.run_id, &state.models, err)) {
    return false;
  }
  auto model_rows = store.ListModels(o.run_id, err);
  auto task_rows = model_rows ? store.ListTasks(o.run_id, err) : std::nullopt;
  if (!model_rows || !task_rows) return false;
  if (model_rows->size() != state.models.size()) {
    *err = run_name +
           ": the models table does not match the recorded run "
           "state";
    return false;
  }
  ctx->model_ids.clear();
  std::vector<std::string> model_names;
  for (size_t i = 0; i < state.models.size(); ++i) {
    const models::ModelConfig& m = state.models[i];
    if ((*model_rows)[i].info.name != m.name) {
      *err = run_name +
             ": the models table does not match the recorded "
             "run state";
      return false;
    }
    if (m.provider != "openai" && m.provider != "builtin") {
      *err = run_name + ": model '" + m.name + "': unknown provider '" +
             m.provider + "'";
      return false;
    }
    if (m.provider == "openai" && !m.api_key_env.empty() &&
        !std::getenv(m.api_key_env.c_str())) {
      *err = run_name + ": model '" + m.name + "': environment variable " +
             m.api_key_env + " (api_key_env) is not set";
      return false;
    }
    ctx->model_ids.push_back((*model_rows)[i].id);
    model_names.push_back(m.name);
  }

  std::vector<std::string> ids;
  for (const auto& t : *task_rows) ids.push_back(t.info.id);
  const std::string tasks_dir =
      o.tasks_dir.empty() ? state.tasks_dir : o.tasks_dir;
  if (ids.empty()) {
    *err = run_name + " has no tasks";
    return false;
  }
  if (!LoadTasks(tasks_dir, ids, &ctx->suite, err)) return false;
  ctx->task_ids.clear();
  for (size_t i = 0; i < ctx->suite.size(); ++i) {
    const auto& recorded = (*task_rows)[i].info;
    if (ctx->suite[i].content_hash != recorded.content_hash) {
      *err = "task '" + recorded.id + "' changed since " + run_name +
             " started (content hash " + ctx->suite[i].content_hash +
             ", recorded " + recorded.content_hash +
             "); resuming would mix two versions of it: start a new run";
      return false;
    }
    ctx->task_ids.push_back((*task_rows)[i].id);
  }

  auto rows = store.ListAttempts(o.run_id, err);
  if (!rows) return false;
  ctx->config = state.config;
  if (o.concurrency > 0) ctx->config.concurrency = o.concurrency;
  ctx->models = state.models;
  ctx->tasks_dir = state.tasks_dir;
  ctx->run_id = o.run_id;
  ctx->shard = shard;
  // A shard run resumes only its own slice: the other slots belong to the
  // other shards' databases.
  *plan = PlanResume(ShardPlan(MakePlan(ctx->models.size(), ctx->suite.size(),
                                        ctx->config.epochs),
                               ctx->suite.size(), shard),
                     model_names, ids, *rows, o.retry_errors);
  ctx->work = plan->work;

  for (int64_t id : plan->abandon) {
    if (!store.AbandonAttempt(id, kInterruptedError, err)) return false;
  }
  for (int64_t id : plan->abandon_for_good) {
    if (!store.AbandonAttempt(id, kInterruptedTwiceError, err)) return false;
  }
  return store.ReopenRun(o.run_id, err);
}

}  // namespace endstate::evaluator
