#include "cli/cli.h"

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/help.h"

namespace endstate::cli {

void AddDbOption(CLI::App* app, std::string* db) {
  app->add_option("--db", *db, "SQLite database (default ./endstate.db)");
}

namespace {

bool DatabaseExists(const std::string& cmd, const std::string& db) {
  std::error_code ec;
  if (std::filesystem::exists(db, ec)) return true;
  std::cerr << "endstate " << cmd << ": " << db
            << ": no such database (run `endstate run --db " << db
            << "` first)\n";
  return false;
}

}  // namespace

std::optional<results::RunReader> OpenRecord(const std::string& cmd,
                                             const std::string& db,
                                             int* exit_code) {
  *exit_code = kExitUsage;
  if (!DatabaseExists(cmd, db)) return std::nullopt;
  std::string err;
  auto reader = results::RunReader::Open(db, &err);
  if (!reader) {
    std::cerr << "endstate " << cmd << ": " << err << '\n';
    if (err.find("not an endstate database") == std::string::npos)
      *exit_code = kExitInfra;
  }
  return reader;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "endstate: which LLM deployment actually finishes real work.\n"
      "Runs multi-step agent tasks against model endpoints in isolated "
      "worlds, grades the end state, records every turn in SQLite.",
      "endstate"};
  app.set_version_flag("--version",
                       std::string("endstate ") + ENDSTATE_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  std::vector<Command> commands = {AddRunCommand(app), AddReportCommand(app),
                                   AddTasksCommand(app)};
  for (auto add : {AddShowCommand, AddRunsCommand, AddAttemptsCommand,
                   AddReplayCommand, AddCompareCommand, AddServeReplayCommand,
                   AddProbeCommand, AddMergeCommand, AddServeCommand,
                   AddHistoryCommand, AddExportCommand}) {
    commands.push_back(add(app));
  }
  FinishHelp(app);
  if (argc <= 1) {  // bare `endstate`: the usage, as a usage error
    std::cerr << app.help();
    return kExitUsage;
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

}  // namespace endstate::cli
