// `endstate runs` and `endstate attempts`: find runs and attempts in the
// database without writing SQL. Formats: docs/cli.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/name_filter.h"
#include "cli/transcript_view.h"
#include "cli/validators.h"
#include "results/browse.h"
#include "results/display_name.h"
#include "results/failed_checks.h"
#include "results/run_meta.h"
#include "results/run_settings.h"
#include "results/store.h"
#include "results/transcript.h"
#include "util/format.h"

namespace endstate::cli {
namespace {

// Left-aligned columns separated by two spaces; the last is not padded.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      std::string cell = r[i];
      if (i + 1 < r.size()) cell.resize(width[i] + 2, ' ');
      line += cell;
    }
    out += line + "\n";
  }
  return out;
}

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000);
  return buf;
}

// The first line of `text`, cut to `max` bytes with "..." when longer.
std::string OneLine(const std::string& text, size_t max) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max) line = line.substr(0, max) + "...";
  return line;
}

struct RunsOptions {
  std::string db = "endstate.db";
  bool json = false;
  std::vector<std::string> labels;  // --label KEY=VALUE filters
};

int Runs(const RunsOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("runs", o.db, &code);
  if (!reader) return code;
  std::string err;
  std::map<std::string, std::string> wanted;
  if (!results::ParseLabels(o.labels, &wanted, &err)) {
    std::cerr << "endstate runs: --label " << err << '\n';
    return kExitUsage;
  }
  auto runs = results::ListRuns(*reader, &err);
  if (!runs) {
    std::cerr << "endstate runs: " << err << '\n';
    return kExitInfra;
  }
  std::erase_if(*runs, [&](const results::RunRow& r) {
    return !results::HasLabels(r.labels, wanted);
  });
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *runs) {
      auto settings = results::LoadRunSettings(*reader, r.id, &err);
      if (!settings) {
        std::cerr << "endstate runs: " << err << '\n';
        return kExitInfra;
      }
      out.push_back({{"id", r.id},
                     {"started_at", r.started_at},
                     {"finished_at", r.finished_at.empty()
                                         ? nlohmann::json(nullptr)
                                         : nlohmann::json(r.finished_at)},
                     {"status", r.status},
                     {"args", r.args},
                     {"models", r.models},
                     {"attempts", r.attempts},
                     {"passed", r.passed},
                     {"failed", r.failed},
                     {"errored", r.errored},
                     {"unfinished", r.unfinished},
                     {"kind", r.kind},
                     {"labels", r.labels},
                     {"note", r.note},
                     {"settings", *settings}});
    }
    std::cout << out.dump(2) << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"id", "status", "started", "finished", "models", "attempts", "passed",
       "labels", "note"}};
  for (const auto& r : *runs) {
    std::string models;
    for (const auto& m : results::DisplayModelNames(r.models))
      models += (models.empty() ? "" : ",") + m;
    rows.push_back({std::to_string(r.id), r.status, r.started_at,
                    r.finished_at.empty() ? "-" : r.finished_at,
                    models.empty() ? "-" : models, std::to_string(r.attempts),
                    std::to_string(r.passed),
                    r.labels.empty() ? "-" : results::LabelsText(r.labels),
                    r.note.empty() ? "-" : OneLine(r.note, 60)});
  }
  if (runs->empty()) {
    std::cout << "no runs in " << o.db
              << (wanted.empty() ? "" : " with those labels") << '\n';
    return kExitOk;
  }
  std::cout << Table(rows);
  return kExitOk;
}

struct AttemptsOptions {
  std::string db = "endstate.db";
  int64_t run = 0;  // 0 = latest
  bool failed = false;
  std::string outcome;
  std::string model, task;
  bool json = false;
};

int Attempts(const AttemptsOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("attempts", o.db, &code);
  if (!reader) return code;
  std::string err;
  int64_t run = o.run;
  if (run == 0) {
    auto latest = reader->LatestRun(&err);
    if (!latest) {
      std::cerr << "endstate attempts: " << o.db << ": "
                << (err.empty() ? "no runs recorded" : err) << '\n';
      return err.empty() ? kExitUsage : kExitInfra;
    }
    run = *latest;
  }
  std::string model = o.model;
  std::vector<std::string> models;
  if (int rc =
          CheckRunFilters("attempts", *reader, run, &model, o.task, &models);
      rc != kExitOk) {
    return rc;
  }
  results::AttemptFilter filter{.model = model,
                                .task = o.task,
                                .outcome = o.outcome,
                                .failed_or_error = o.failed};
  auto rows = results::ListAttemptHeaders(*reader, run, filter, &err);
  if (!rows) {
    std::cerr << "endstate attempts: " << err << '\n';
    return kExitInfra;
  }
  auto failed = results::LoadFailedChecks(reader->db(), run, &err);
  if (!failed) {
    std::cerr << "endstate attempts: " << err << '\n';
    return kExitInfra;
  }
  // Why each attempt did not pass (results/failed_checks.h).
  auto reason = [&](const results::AttemptHeader& a) {
    auto it = failed->find(a.id);
    const results::FailedCheck* first =
        it == failed->end() ? nullptr : &it->second.front();
    return results::WhyNotPassed(a.outcome, a.termination, first);
  };
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : *rows) {
      nlohmann::json j = AttemptHeaderJson(a);
      auto it = failed->find(a.id);
      j["failed_checks"] = FailedChecksJson(
          it == failed->end() ? std::vector<results::FailedCheck>{}
                              : it->second);
      const std::string why = reason(a);
      j["reason"] = why.empty() ? nlohmann::json(nullptr) : nlohmann::json(why);
      out.push_back(std::move(j));
    }
    std::cout << out.dump(2) << '\n';
    return kExitOk;
  }
  if (rows->empty()) {
    std::cout << "no matching attempts in run " << run << '\n';
    return kExitOk;
  }
  std::vector<std::vector<std::string>> table = {
      {"id", "model", "task", "epoch", "try", "outcome", "termination", "turns",
       "wall", "parent", "reason"}};
  const auto shown = results::DisplayModelNameMap(models);
  for (const auto& a : *rows) {
    auto name = shown.find(a.model);
    const std::string why = reason(a);
    table.push_back(
        {std::to_string(a.id), name == shown.end() ? a.model : name->second,
         a.task, std::to_string(util::Ordinal(a.epoch)),
         std::to_string(a.try_number),
         a.outcome.empty() ? "(" + a.status + ")" : a.outcome,
         a.termination.empty() ? "-" : a.termination, std::to_string(a.turns),
         Seconds(a.wall_ms),
         a.parent_attempt_id ? std::to_string(a.parent_attempt_id) : "-",
         why.empty() ? "-" : OneLine(why, 80)});
  }
  std::cout << Table(table);
  return kExitOk;
}

}  // namespace

Command AddRunsCommand(CLI::App& root) {
  auto o = std::make_shared<RunsOptions>();
  CLI::App* app = root.add_subcommand("runs", "List the recorded runs");
  AddDbOption(app, &o->db);
  app->add_flag("--json", o->json, "JSON array (docs/cli.md)");
  app->add_option("--label", o->labels,
                  "Only runs with this label (repeatable: all must match)")
      ->type_name("KEY=VALUE");
  std::function<int()> maintenance = AddRunsDeleteCommands(*app);
  return {app, [o, maintenance] {
            int code = maintenance();
            return code >= 0 ? code : Runs(*o);
          }};
}

Command AddAttemptsCommand(CLI::App& root) {
  auto o = std::make_shared<AttemptsOptions>();
  CLI::App* app = root.add_subcommand("attempts", "List the attempts of a run");
  AddDbOption(app, &o->db);
  app->add_option("--run", o->run,
                  "Run id (default: the latest evaluation run)")
      ->check(AtLeast(1));
  CLI::Option* failed =
      app->add_flag("--failed", o->failed,
                    "Only attempts that did not pass (failed or error)");
  app->add_option("--outcome", o->outcome, "Only this outcome")
      ->check(CLI::IsMember({"passed", "failed", "error"}))
      ->excludes(failed);
  app->add_option("--model", o->model,
                  "Only this model (its name or the short name tables show)");
  app->add_option("--task", o->task, "Only this task id");
  app->add_flag("--json", o->json, "JSON array of attempt headers");
  return {app, [o] { return Attempts(*o); }};
}

}  // namespace endstate::cli
