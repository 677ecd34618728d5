#include "evaluator/cli.h"

#include <iostream>

#include "evaluator/commands.h"

namespace endstate::evaluator {

int Main(int argc, char** argv) {
  CLI::App app{
      "endstate: which LLM deployment actually finishes real work.\n"
      "Runs multi-step agent tasks against model endpoints in isolated "
      "worlds, grades the end state, records every turn in SQLite."};
  app.set_version_flag("--version",
                       std::string("endstate ") + ENDSTATE_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  std::vector<Command> commands = {AddRunCommand(app), AddReportCommand(app),
                                   AddTasksCommand(app)};
  for (auto add :
       {AddShowCommand, AddRunsCommand, AddAttemptsCommand, AddReplayCommand,
        AddCompareCommand, AddServeReplayCommand, AddProbeCommand,
        AddMergeCommand, AddHistoryCommand, AddExportCommand}) {
    commands.push_back(add(app));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  for (const auto& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  std::cerr << app.help();
  return kExitUsage;
}

}  // namespace endstate::evaluator
