// The endstate command line: `main` only dispatches to the subcommands, each
// in its own file with its own help (cmd_*.cc).
#pragma once

namespace endstate::cli {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;  // tasks check found broken tasks
inline constexpr int kExitUsage = 2;        // bad flags, config or task files
inline constexpr int kExitInfra = 3;        // infrastructure failure

int Main(int argc, char** argv);

}  // namespace endstate::cli
