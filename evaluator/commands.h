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

}  // namespace endstate::evaluator
