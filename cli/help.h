// The finishing touches of every `--help` (docs/cli.md, "Help"): a footer
// with examples and the command's exit codes, and each option's default
// value where its description does not already say it (not an empty list
// or a "not given" sentinel such as 0 or -1). Applied once, after
// every subcommand registered its options (cli/commands.h).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace endstate::cli {

// Adds the footers and defaults to `root` and all its subcommands, at any
// depth. A subcommand without examples of its own gets only the exit
// codes.
void FinishHelp(CLI::App& root);

// The footer of the command at `path` ("run", "runs delete"; "" = the bare
// `endstate`): "Examples:" lines (when there are some) and "Exit codes:".
std::string HelpFooter(const std::string& path);

}  // namespace endstate::cli
