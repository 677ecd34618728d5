// `endstate compare`: is model B better or worse than model A, or can this
// data not tell? Paired per-task statistics (docs/statistics.md), and the
// nightly gate `--fail-if-worse`.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "cli/validators.h"
#include "report/compare.h"
#include "report/history.h"
#include "report/history_formats.h"
#include "report/probe_compare.h"
#include "report/server_text.h"
#include "report/stats_text.h"
#include "results/display_name.h"
#include "results/probe_data.h"
#include "results/reader.h"
#include "results/run_names.h"
#include "results/server_data.h"

namespace endstate::cli {
namespace {

// docs/cli.md, exit codes: 1 is "a check found a problem", here the gate.
constexpr int kExitWorse = kExitCheckFailed;

struct CompareOptions {
  std::string db = "endstate.db";
  std::string a, b;
  int64_t run = 0;  // 0 = the latest run containing the plain-named models
  bool fail_if_worse = false;
  std::string format = "table";
  bool flaky = false;  // --flaky: name the sides' flaky tasks (history)
};

// "MODEL" or "RUN:MODEL": a leading all-digit segment before the first ':'
// is a run id (model names such as "builtin:oracle" keep their colons).
struct Spec {
  int64_t run = 0;  // 0 = not given
  std::string model;
};

Spec ParseSpec(const std::string& s) {
  const size_t colon = s.find(':');
  if (colon != std::string::npos && colon > 0 && colon < 18 &&
      s.find_first_not_of("0123456789") == colon) {
    return {std::stoll(s.substr(0, colon)), s.substr(colon + 1)};
  }
  return {0, s};
}

std::string ModelList(const results::RunData& d) {
  std::string s;
  for (const auto& m : d.models) s += (s.empty() ? "" : ", ") + m;
  return s.empty() ? "none" : s;
}

// `r` with the short model names the table and Markdown show
// (results/display_name.h); JSON keeps the recorded names.
report::CompareResult Shown(report::CompareResult r) {
  const auto shown = results::DisplayModelNames({r.a.model, r.b.model});
  r.a.model = shown[0];
  r.b.model = shown[1];
  return r;
}

int Compare(const CompareOptions& o) {
  constexpr const char* kWho = "endstate compare: ";
  std::string err;
  int code = kExitOk;
  auto reader = OpenRecord("compare", o.db, &code);
  if (!reader) return code;
  Spec a = ParseSpec(o.a), b = ParseSpec(o.b);
  if (a.model.empty() || b.model.empty()) {
    std::cerr << kWho << "empty model name in '"
              << (a.model.empty() ? o.a : o.b) << "'\n";
    return kExitUsage;
  }
  // A short name a table shows stands for the recorded name
  // (results/display_name.h), over the models of the whole database.
  auto recorded = results::RecordedModelNames(*reader, &err);
  if (!recorded) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  for (Spec* spec : {&a, &b}) {
    const std::string name = results::ResolveModelName(spec->model, *recorded);
    if (!name.empty()) spec->model = name;
  }
  // Plain names resolve in --run, else in the newest run holding them all.
  std::vector<std::string> plain;
  if (a.run == 0) plain.push_back(a.model);
  if (b.run == 0 && b.model != a.model) plain.push_back(b.model);
  if (!plain.empty()) {
    int64_t run = o.run;
    if (run == 0) {
      // A run with attempts of both wins over a later probe-only run
      // (`endstate probe`), whose models have no completion rates.
      auto graded = results::LatestRunWithAttempts(*reader, plain, &err);
      if (!graded && !err.empty()) {
        std::cerr << kWho << err << '\n';
        return kExitInfra;
      }
      auto latest = graded ? graded : reader->LatestRunWith(plain, &err);
      if (!latest) {
        if (!err.empty()) {
          std::cerr << kWho << err << '\n';
          return kExitInfra;
        }
        std::cerr << kWho << o.db << ": no run has "
                  << (plain.size() == 1
                          ? "model " + plain[0]
                          : "both " + plain[0] + " and " + plain[1])
                  << '\n';
        return kExitUsage;
      }
      run = *latest;
    }
    if (a.run == 0) a.run = run;
    if (b.run == 0) b.run = run;
  }
  std::optional<results::RunData> data_a, data_b;
  for (auto [spec, data] : {std::pair{&a, &data_a}, std::pair{&b, &data_b}}) {
    if (data == &data_b && b.run == a.run) break;  // same run: load once
    auto has = reader->HasRun(spec->run, &err);
    if (!has) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
    if (!*has) {
      std::cerr << kWho << o.db << ": run " << spec->run << " not found\n";
      return kExitUsage;
    }
    // Outcomes and failed checks: skip the join over tool calls.
    *data = reader->Load(spec->run,
                         {.tool_calls = false, .first_problems = true}, &err);
    if (!*data) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
  }
  const results::RunData& run_a = *data_a;
  const results::RunData& run_b = b.run == a.run ? *data_a : *data_b;
  const int ia = run_a.ModelIndex(a.model), ib = run_b.ModelIndex(b.model);
  for (auto [index, spec, run] :
       {std::tuple{ia, &a, &run_a}, std::tuple{ib, &b, &run_b}}) {
    if (index < 0) {
      std::cerr << kWho << "run " << spec->run << " has no model '"
                << spec->model << "' (models: " << ModelList(*run) << ")\n";
      return kExitUsage;
    }
  }
  report::CompareResult r = report::Compare(run_a, ia, o.a, run_b, ib, o.b);
  // Probes of each side (its run's, else the newest of that model name).
  auto probes_a = results::LoadModelProbes(*reader, a.run, {a.model}, &err);
  auto probes_b =
      probes_a ? results::LoadModelProbes(*reader, b.run, {b.model}, &err)
               : std::nullopt;
  if (!probes_a || !probes_b) {
    std::cerr << kWho << err << '\n';
    return kExitInfra;
  }
  const bool has_probes = !probes_a->at(0).empty() || !probes_b->at(0).empty();
  const report::ProbeComparison probes{
      .a = report::MakeProbeRow(probes_a->at(0), &r.a.stats),
      .b = report::MakeProbeRow(probes_b->at(0), &r.b.stats),
      .run_a = a.run,
      .run_b = b.run,
      .reasoning = report::PairReasoning(probes_a->at(0), probes_b->at(0))};
  // What served each side, when endstate managed the server
  // (docs/servers.md): the latest start of the model in its run.
  std::vector<results::ServerRow> servers;
  nlohmann::json servers_json = nlohmann::json::object();
  for (auto [key, spec] : {std::pair{"a", &a}, std::pair{"b", &b}}) {
    auto rows = results::LoadServers(*reader, spec->run, &err);
    if (!rows) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
    servers_json[key] = nullptr;
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
      if (it->model != spec->model) continue;
      servers.push_back(*it);
      servers_json[key] = report::ServerRowJson(*it);
      break;
    }
  }
  // Flaky tasks of each side's model over the database's evaluation runs
  // (docs/history.md), so a reader knows which discordant tasks are noise.
  std::vector<std::pair<std::string, std::vector<report::FlakyTask>>> flaky;
  if (o.flaky) {
    auto h = report::LoadHistory(*reader, {.models = {a.model, b.model}}, &err);
    if (!h) {
      std::cerr << kWho << err << '\n';
      return kExitInfra;
    }
    for (const auto& name : {a.model, b.model}) {
      if (!flaky.empty() && flaky.back().first == name) continue;
      flaky.emplace_back(name, report::FlakyTasksOf(*h, name));
    }
  }
  std::string flaky_text;
  for (const auto& [name, tasks] : flaky) {
    flaky_text += report::FlakyNoteText(name, tasks);
  }
  if (o.flaky && flaky_text.empty()) {
    flaky_text = "note: no flaky task in the history of " +
                 (a.model == b.model ? a.model : a.model + " or " + b.model) +
                 "\n";
  }
  if (o.format == "json") {
    nlohmann::json j = report::CompareJson(r);
    if (has_probes) j["probes"] = report::ProbeComparisonJson(probes);
    if (!servers.empty()) j["servers"] = servers_json;
    if (o.flaky) {
      j["flaky_tasks"] = nlohmann::json::object();
      for (const auto& [name, tasks] : flaky) {
        j["flaky_tasks"][name] = report::FlakyJson(tasks);
      }
    }
    std::cout << j.dump(2) << '\n';
  } else if (o.format == "markdown") {
    std::cout << report::RenderCompareMarkdown(Shown(r));
    if (!flaky_text.empty()) std::cout << "- " << flaky_text;
    if (has_probes) std::cout << report::RenderProbeComparison(probes, true);
    std::cout << report::RenderServerMarkdown(servers);
  } else {
    std::cout << report::RenderCompareTable(Shown(r),
                                            UseColor("auto", STDOUT_FILENO));
    std::cout << flaky_text;
    if (has_probes) std::cout << report::RenderProbeComparison(probes, false);
    if (!servers.empty())
      std::cout << '\n' << report::RenderServerTable(servers);
  }
  if (o.fail_if_worse && r.paired.verdict == "worse") {
    std::cerr << kWho << o.b << " is significantly worse than " << o.a
              << " (--fail-if-worse)\n";
    return kExitWorse;
  }
  return kExitOk;
}

}  // namespace

Command AddCompareCommand(CLI::App& root) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* app = root.add_subcommand(
      "compare",
      "Is model B better or worse than model A? Paired per-task statistics");
  app->add_option("a", o->a, "Model A (baseline): MODEL or RUN:MODEL")
      ->required();
  app->add_option("b", o->b, "Model B (candidate): MODEL or RUN:MODEL")
      ->required();
  AddDbOption(app, &o->db);
  app->add_option("--run", o->run,
                  "Run of the plain MODEL names (default: the latest run "
                  "that has them)")
      ->check(AtLeast(1));
  app->add_flag("--fail-if-worse", o->fail_if_worse,
                "Exit 1 when B is significantly worse than A");
  app->add_option("--format", o->format, "table, json or markdown")
      ->check(CLI::IsMember({"table", "json", "markdown"}));
  app->add_flag("--flaky", o->flaky,
                "Also name the tasks that are flaky in the history of A's "
                "and B's models (docs/history.md)");
  return {app, [o] { return Compare(*o); }};
}

}  // namespace endstate::cli
