// Subcommand registration: each subcommand lives in its own cmd_*.cc, adds
// its options and help to the CLI11 app, and returns the action to run when
// it was selected. Actions return a process exit code (cli/cli.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "results/reader.h"

namespace endstate::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Adds `--db PATH` (default ./endstate.db) bound to *db: every command that
// reads or writes the record names it the same way.
void AddDbOption(CLI::App* app, std::string* db);
// Opens the record at `db` read-only for command `cmd` (results/reader.h).
// On failure prints to stderr "endstate CMD: PATH: no such database (run
// `endstate run --db PATH` first)", "endstate CMD: PATH: not an endstate
// database (...)" (both set *exit_code to kExitUsage) or SQLite's reason
// (kExitInfra), and returns nullopt.
std::optional<results::RunReader> OpenRecord(const std::string& cmd,
                                             const std::string& db,
                                             int* exit_code);

Command AddRunCommand(CLI::App& root);
Command AddReportCommand(CLI::App& root);
Command AddTasksCommand(CLI::App& root);
Command AddShowCommand(CLI::App& root);         // cmd_show.cc
Command AddRunsCommand(CLI::App& root);         // cmd_runs.cc
Command AddAttemptsCommand(CLI::App& root);     // cmd_runs.cc
Command AddReplayCommand(CLI::App& root);       // cmd_replay.cc
Command AddCompareCommand(CLI::App& root);      // cmd_compare.cc
Command AddServeReplayCommand(CLI::App& root);  // cmd_serve_replay.cc
Command AddMergeCommand(CLI::App& root);        // cmd_merge.cc
Command AddProbeCommand(CLI::App& root);        // cmd_probe.cc
Command AddServeCommand(CLI::App& root);        // cmd_serve.cc
Command AddHistoryCommand(CLI::App& root);      // cmd_history.cc
Command AddExportCommand(CLI::App& root);       // cmd_export.cc
// `runs delete` and `runs prune` below `runs` (cmd_runs_delete.cc); the
// returned action runs the one that was selected, or returns -1 when
// neither was.
std::function<int()> AddRunsDeleteCommands(CLI::App& runs);

}  // namespace endstate::cli
