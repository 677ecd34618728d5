// Subcommand registration: each subcommand lives in its own cmd_*.cc, adds
// its options and help to the CLI11 app, and returns the action to run when
// it was selected. Actions return a process exit code (evaluator/cli.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace endstate::evaluator {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

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
Command AddHistoryCommand(CLI::App& root);      // cmd_history.cc
Command AddExportCommand(CLI::App& root);       // cmd_export.cc
// `runs delete` and `runs prune` below `runs` (cmd_runs_delete.cc); the
// returned action runs the one that was selected, or returns -1 when
// neither was.
std::function<int()> AddRunsDeleteCommands(CLI::App& runs);

}  // namespace endstate::evaluator
