// Harness overhead per turn of the agent loop with builtin:oracle, tool work
// excluded. Runs RunAgentLoop over every task of the bundled suite (as
// RunAttempt does: one fresh world per attempt, every turn recorded in
// SQLite) and times each turn from the start of its model call to the start
// of the next one (or the loop's return after the last turn):
//
//   overhead = turn span - tool time of the turn (the loop's own per-call
//              measure around tools::Registry::Call)
//
// so it includes the builtin's Complete (serializing the whole OpenAI
// request body and the response body, as a real client serializes the
// request), copying the reply into the conversation, markup detection,
// building the TurnRecord and committing it to SQLite (one transaction per
// turn), and the limit checks. Argument validation runs inside
// Registry::Call and is therefore inside tool time; it is measured
// separately here (JSON parse + ValidateArgs of the same calls) and added to
// the "overhead incl. validation" line. World set-up and grading are
// outside the loop and not counted.
//
//   cmake --build build --target overhead_bench && build/bench/overhead_bench
//   [PASSES]
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "evaluator/agent_loop.h"
#include "evaluator/config.h"
#include "evaluator/script.h"
#include "evaluator/suite.h"
#include "models/factory.h"
#include "results/store.h"
#include "sandbox/world.h"
#include "tools/tool.h"

namespace {

namespace fs = std::filesystem;
namespace ev = endstate::evaluator;
namespace models = endstate::models;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Value at quantile q of sorted `v` (nearest rank).
double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Wraps the attempt's client to note when each model call starts and how
// long the builtin took to answer.
class TimedClient final : public models::Client {
 public:
  explicit TimedClient(std::unique_ptr<models::Client> inner)
      : inner_(std::move(inner)) {}
  bool Complete(const models::CompletionRequest& req,
                models::CompletionResponse* out,
                models::ModelError* err) override {
    const auto start = Clock::now();
    starts.push_back(start);
    const bool ok = inner_->Complete(req, out, err);
    model_ms.push_back(Ms(Clock::now() - start));
    return ok;
  }
  std::vector<Clock::time_point> starts;
  std::vector<double> model_ms;

 private:
  std::unique_ptr<models::Client> inner_;
};

struct Samples {
  std::vector<double> overhead, model, record, rest, tool, validate;
  std::vector<double> world_ms, loop_ms;
  int attempts = 0, turns = 0, tool_calls = 0;
};

// Parse + validate the call's arguments the way Registry::Call does before
// it runs the tool; returns the time taken in ms.
double ValidationMs(const std::string& name, const std::string& raw) {
  const auto start = Clock::now();
  const endstate::tools::Tool* tool =
      endstate::tools::Registry::Default().Find(name);
  nlohmann::json args = nlohmann::json::parse(raw, nullptr, false);
  std::string problem;
  if (tool && args.is_object())
    problem = endstate::models::ValidateArgs(tool->schema().parameters, args);
  const double ms = Ms(Clock::now() - start);
  if (!problem.empty()) std::fprintf(stderr, "invalid call %s\n", name.c_str());
  return ms;
}

bool RunOne(const endstate::tasks::Task& task, const models::ModelConfig& mc,
            endstate::results::Store& store, int64_t run, int64_t model,
            int64_t task_id, int epoch,
            const endstate::sandbox::WorldOptions& wo, Samples* s) {
  std::string err;
  const auto world_start = Clock::now();
  auto world = endstate::sandbox::World::Create(task, wo, &err);
  if (!world) {
    std::fprintf(stderr, "%s: world: %s\n", task.id.c_str(), err.c_str());
    return false;
  }
  s->world_ms.push_back(Ms(Clock::now() - world_start));
  auto inner = models::MakeClient(mc, endstate::evaluator::ScriptFor(task),
                                  {.epoch = epoch}, &err);
  if (!inner) {
    std::fprintf(stderr, "client: %s\n", err.c_str());
    return false;
  }
  TimedClient client(std::move(inner));
  const int64_t attempt = store.BeginAttempt(run, model, task_id, epoch, &err);
  if (attempt < 0) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return false;
  }
  std::vector<double> record_ms, tool_ms, validate_ms;
  ev::TurnSink sink = [&](const endstate::results::TurnRecord& rec) {
    double tools = 0, validate = 0;
    for (const auto& c : rec.tool_calls) {
      tools += c.duration_ms;
      validate += ValidationMs(c.name, c.arguments_raw);
    }
    tool_ms.push_back(tools);
    validate_ms.push_back(validate);
    s->tool_calls += static_cast<int>(rec.tool_calls.size());
    const auto start = Clock::now();
    std::string terr;
    const bool ok = store.RecordTurn(attempt, rec, &terr);
    record_ms.push_back(Ms(Clock::now() - start));
    return ok;
  };
  ev::LoopLimits limits{.max_turns = task.limits.max_turns,
                        .max_tokens = task.limits.max_tokens,
                        .timeout = task.limits.timeout};
  const auto loop_start = Clock::now();
  ev::LoopResult r = ev::RunAgentLoop(task, ev::kDefaultSystemPrompt, client,
                                      *world, limits, sink);
  const auto loop_end = Clock::now();
  s->loop_ms.push_back(Ms(loop_end - loop_start));
  if (r.termination != endstate::results::Termination::kAgentStop ||
      record_ms.size() != client.starts.size()) {
    std::fprintf(
        stderr, "%s: termination %s (%s)\n", task.id.c_str(),
        std::string(endstate::results::TerminationName(r.termination)).c_str(),
        r.error.c_str());
    return false;
  }
  for (size_t i = 0; i < client.starts.size(); ++i) {
    const auto end =
        i + 1 < client.starts.size() ? client.starts[i + 1] : loop_end;
    // validate_ms was spent by this bench inside the sink: not harness time.
    const double overhead =
        Ms(end - client.starts[i]) - tool_ms[i] - validate_ms[i];
    s->overhead.push_back(overhead);
    s->model.push_back(client.model_ms[i]);
    s->record.push_back(record_ms[i]);
    s->rest.push_back(overhead - client.model_ms[i] - record_ms[i]);
    s->tool.push_back(tool_ms[i]);
    s->validate.push_back(validate_ms[i]);
  }
  s->turns += static_cast<int>(client.starts.size());
  ++s->attempts;
  endstate::results::AttemptOutcome out{
      .outcome = endstate::results::Outcome::kPassed,
      .termination = r.termination,
      .turns = r.turns};
  store.FinishAttempt(attempt, out, &err);
  return true;
}

void Row(const char* label, const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  std::printf("%-46s median %7.3f  p90 %7.3f  mean %7.3f  max %8.3f ms\n",
              label, Quantile(v, 0.5), Quantile(v, 0.9),
              v.empty() ? 0 : sum / static_cast<double>(v.size()),
              Quantile(v, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  const int passes = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::vector<endstate::tasks::Task> suite;
  std::string err;
  if (!ev::LoadTasks("", {}, &suite, &err)) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  models::ModelConfig mc;
  if (!models::ParseModelSpec("builtin:oracle", &mc, &err)) return 1;

  std::string tmpl =
      (fs::temp_directory_path() / "endstate-overhead-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 1;
  auto store = endstate::results::Store::Open(tmpl + "/bench.db", &err);
  if (!store) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  const int64_t run =
      store->BeginRun({.config_json = "{}", .version = "bench"}, &err);
  const int64_t model = store->AddModel(run, {.name = "oracle"}, &err);
  std::vector<int64_t> task_ids;
  for (const auto& t : suite)
    task_ids.push_back(store->AddTask(run, {.id = t.id}, &err));

  std::printf(
      "overhead bench: %zu tasks x %d passes, builtin:oracle, load %s\n",
      suite.size(), passes, LoadAverage().c_str());
  endstate::sandbox::WorldOptions wo;
  Samples s;
  const auto start = Clock::now();
  for (int p = 0; p < passes; ++p) {
    for (size_t t = 0; t < suite.size(); ++t) {
      if (!RunOne(suite[t], mc, *store, run, model, task_ids[t], p, wo, &s))
        return 1;
    }
  }
  const double total_ms = Ms(Clock::now() - start);
  store.reset();
  fs::remove_all(tmpl);

  std::printf("%d attempts, %d turns, %d tool calls, %.1f s; load %s\n\n",
              s.attempts, s.turns, s.tool_calls, total_ms / 1000,
              LoadAverage().c_str());
  std::printf("per turn:\n");
  Row("harness overhead (span - tool time)", s.overhead);
  Row("  builtin oracle Complete (request+response)", s.model);
  Row("  SQLite RecordTurn (own transaction)", s.record);
  Row("  rest of the loop (messages, records, checks)", s.rest);
  std::vector<double> with_validation;
  for (size_t i = 0; i < s.overhead.size(); ++i)
    with_validation.push_back(s.overhead[i] + s.validate[i]);
  Row("argument parse + validation (in tool time)", s.validate);
  Row("harness overhead incl. validation", with_validation);
  Row("tool time (excluded)", s.tool);
  std::printf("\nper attempt (excluded from the above):\n");
  Row("world set-up", s.world_ms);
  Row("agent loop wall", s.loop_ms);
  return 0;
}
