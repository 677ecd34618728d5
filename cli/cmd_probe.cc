// `endstate probe speed|toolcalls|reasoning|all`: quick numbers for model
// endpoints (docs/probes.md), recorded as a run of their own and printed as
// the probe table of `report`.
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "cli/validators.h"
#include "evaluator/config.h"
#include "evaluator/server_fleet.h"
#include "probes/probe_runner.h"
#include "report/probe_table.h"
#include "results/display_name.h"
#include "results/probe_data.h"
#include "results/store.h"
#include "util/clock.h"
#include "util/stop.h"

namespace endstate::cli {
namespace {

constexpr const char* kWho = "endstate probe: ";

struct ProbeCliOptions {
  std::string kind;  // speed | toolcalls | reasoning | all
  std::vector<std::string> models;
  std::string config_path;
  std::string db = "endstate.db";
  probes::SpeedProbeOptions speed;
  probes::ToolCallProbeOptions toolcalls;
  std::string format = "table";
  std::string server_logs = "/var/tmp/endstate-servers";
  bool quiet = false;
  std::vector<std::string> argv;
};

// Models from --model (or the config's when none is given). Returns an exit
// code.
int ResolveModels(const ProbeCliOptions& o, const evaluator::Config& config,
                  std::vector<models::ModelConfig>* out) {
  std::string err;
  if (o.models.empty()) *out = config.models;
  for (const auto& spec : o.models) {
    models::ModelConfig m;
    if (!evaluator::ResolveModel(config, spec, &m, &err)) {
      std::cerr << kWho << err << '\n';
      return kExitUsage;
    }
    for (const auto& existing : *out) {
      if (existing.name == m.name) {
        std::cerr << kWho << "--model '" << spec << "' given twice\n";
        return kExitUsage;
      }
    }
    out->push_back(m);
  }
  if (out->empty()) {
    std::cerr << kWho
              << "no model to probe: give --model (e.g. "
                 "--model openai:http://127.0.0.1:8000/v1#MODEL_ID) or list "
                 "models in --config\n";
    return kExitUsage;
  }
  return kExitOk;
}

// Prints the probe table of run `run` from what was just stored.
int PrintProbes(const ProbeCliOptions& o, int64_t run,
                const std::vector<models::ModelConfig>& models) {
  std::vector<std::string> names;
  for (const auto& m : models) names.push_back(m.name);
  std::string err;
  auto reader = results::RunReader::Open(o.db, &err);
  if (!reader) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  auto probes = results::LoadModelProbes(*reader, run, names, &err);
  if (!probes) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  std::vector<report::ProbeRow> rows = report::MakeProbeRows(*probes, {});
  if (o.format == "json") {
    nlohmann::json j = {{"run", run}, {"probes", nlohmann::json::array()}};
    for (const auto& r : rows) j["probes"].push_back(report::ProbeRowJson(r));
    std::cout << j.dump(2) << '\n';
  } else {
    // Short model names in the table (results/display_name.h).
    const auto shown = results::DisplayModelNameMap(names);
    for (auto& r : rows) {
      if (auto it = shown.find(r.model); it != shown.end())
        r.model = it->second;
    }
    std::cout << "run " << run << '\n' << report::RenderProbeTable(rows, run);
  }
  return kExitOk;
}

int Probe(const ProbeCliOptions& o) {
  // Ctrl-C and SIGTERM (cli/stop_signals.h): the request in flight is cut,
  // no further model is probed, its server is stopped, the run cancelled.
  StopSignals signals([](int sig) {
    std::cerr << std::string("endstate: ") +
                     (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                     ": stopping the probes (a second Ctrl-C exits at once)\n";
  });
  evaluator::Config config;
  std::string err;
  if (!o.config_path.empty() &&
      !evaluator::LoadConfig(o.config_path, &config, &err)) {
    std::cerr << kWho << err << '\n';
    return kExitUsage;
  }
  std::vector<models::ModelConfig> all;
  if (int rc = ResolveModels(o, config, &all); rc != kExitOk) return rc;
  // Only endpoint models get a row: the run records what was probed.
  std::vector<models::ModelConfig> models;
  for (const auto& m : all) {
    if (probes::HasEndpoint(m)) {
      models.push_back(m);
    } else if (!o.quiet) {
      std::cerr << "endstate: probes skipped for " << m.name
                << ": builtin models have no endpoint to probe\n";
    }
  }
  if (models.empty()) {
    std::cerr << kWho << "builtin models have no endpoint to probe\n";
    return kExitUsage;
  }
  probes::ProbeRunOptions options{.speed = o.speed, .toolcalls = o.toolcalls};
  if (o.kind != "all") options.kinds = {o.kind};
  options.log = o.quiet ? nullptr : &std::cerr;

  std::unique_ptr<results::Store> store = results::Store::Open(o.db, &err);
  if (!store) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  std::string args;
  for (const auto& a : o.argv) args += (args.empty() ? "" : " ") + a;
  nlohmann::json config_json =
      nlohmann::json::parse(evaluator::ConfigJson(config));
  // Marks a probe run (docs/database.md): no attempts, not resumable.
  config_json["probe"] = {{"kinds", options.kinds},
                          {"speed",
                           {{"reps", o.speed.reps},
                            {"warmup", o.speed.warmup},
                            {"max_tokens", o.speed.max_tokens},
                            {"prefill_tokens", o.speed.prefill_tokens}}},
                          {"toolcalls", {{"n", o.toolcalls.n}}}};
  const int64_t run = store->BeginRun({.config_json = config_json.dump(),
                                       .version = ENDSTATE_VERSION,
                                       .host = util::HostName(),
                                       .args = args,
                                       .seed = config.seed},
                                      &err);
  if (run < 0) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  std::vector<int64_t> model_ids;
  for (const auto& m : models) {
    const int64_t id = store->AddModel(run, evaluator::ModelRecord(m), &err);
    if (id < 0) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
    model_ids.push_back(id);
  }
  if (!o.quiet) {
    std::cerr << "endstate: run " << run << ": probing " << models.size()
              << " model(s), db " << o.db << '\n';
  }
  // One model at a time; a managed server is started before its model's
  // probes and stopped after them (docs/servers.md).
  probes::ProbeRunSummary summary;
  evaluator::ServerFleet fleet(config.serve, &models,
                               {.log_dir = o.server_logs,
                                .log =
                                    [&](const std::string& line) {
                                      if (!o.quiet)
                                        std::cerr << "endstate: " + line + "\n";
                                    }},
                               store.get(), run, model_ids);
  bool recorded = true;
  for (size_t i = 0; i < models.size() && recorded && !util::StopRequested();
       ++i) {
    results::Termination termination = results::Termination::kNone;
    if (!fleet.Start(i)) {
      std::string why = fleet.Problem(i, &termination);
      std::cerr << kWho << why << '\n';
      ++summary.failed;
      summary.errors.push_back(models[i].name + ": " + why);
      continue;
    }
    recorded = probes::RunProbes(*store, run, {models[i]}, {model_ids[i]},
                                 options, &summary, &err);
    fleet.Stop(i);
  }
  if (util::StopRequested()) {
    std::string cancel_err;
    if (!store->CancelRun(run, &cancel_err)) {
      std::cerr << kWho << cancel_err << '\n';
    }
    std::cerr << "endstate: probe run " << run
              << " cancelled (the measurements recorded so far are kept)\n";
    return kExitInterrupted;
  }
  std::string finish_err;
  const bool finished = store->FinishRun(run, &finish_err);
  if (!recorded || !finished) {
    std::cerr << kWho << (recorded ? finish_err : err) << '\n';
    return kExitInfra;
  }
  if (int rc = PrintProbes(o, run, models); rc != kExitOk) return rc;
  if (summary.failed > 0) {
    std::cerr << "endstate: " << summary.failed
              << " probe(s) ended with an error\n";
    return kExitInfra;
  }
  return kExitOk;
}

}  // namespace

Command AddProbeCommand(CLI::App& root) {
  auto o = std::make_shared<ProbeCliOptions>();
  CLI::App* app = root.add_subcommand(
      "probe",
      "Measure model endpoints: generation speed and prefill, tool-call "
      "reliability, reasoning (docs/probes.md)");
  app->add_option("KIND", o->kind, "speed, toolcalls, reasoning or all")
      ->required()
      ->check(CLI::IsMember({"speed", "toolcalls", "reasoning", "all"}));
  app->add_option("--model", o->models,
                  "Model: a name from the config or openai:BASE_URL#MODEL_ID "
                  "(repeatable; default: the config's models)");
  app->add_option("--config", o->config_path,
                  "YAML config file (docs/config.md)")
      ->check(CLI::ExistingFile);
  AddDbOption(app, &o->db);
  app->add_option("--reps", o->speed.reps,
                  "speed: measured repetitions per workload (default 5)")
      ->check(AtLeast(1));
  app->add_option("--warmup", o->speed.warmup,
                  "speed: unmeasured repetitions first (default 1)")
      ->check(AtLeast(0));
  app->add_option("--max-tokens", o->speed.max_tokens,
                  "speed: max_tokens of the decode workload (default 1024)")
      ->check(AtLeast(1));
  app->add_option("--prefill-tokens", o->speed.prefill_tokens,
                  "speed: approximate prompt tokens of the prefill workload "
                  "(default 1500)")
      ->check(AtLeast(1));
  app->add_option("--requests", o->toolcalls.n,
                  "toolcalls: requests per mode, streaming and not "
                  "(default 10)")
      ->check(AtLeast(1));
  // The old spelling, kept working but not shown.
  app->add_option("--n", o->toolcalls.n)->check(AtLeast(1))->group("");
  app->add_option("--format", o->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  app->add_flag("-q,--quiet", o->quiet, "No progress lines");
  app->add_option("--server-logs", o->server_logs,
                  "Folder for the logs of managed model servers (default "
                  "/var/tmp/endstate-servers; docs/servers.md)")
      ->type_name("DIR");
  return {app, [o, app] {
            o->argv = {"endstate", "probe"};
            for (const auto* opt : app->get_options()) {
              for (const auto& r : opt->results()) {
                o->argv.push_back(opt->get_name() + "=" + r);
              }
            }
            return Probe(*o);
          }};
}

}  // namespace endstate::cli
