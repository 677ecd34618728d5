// Runs command lines for end-to-end tests, as a user's shell would.
#pragma once

#include <string>

namespace endstate::test {

struct ShellResult {
  int exit_code = -1;  // -1 when the command could not run or was signalled
  std::string out;     // stdout (plus stderr when the command merges it)
};

// Runs `command` with /bin/sh and captures its stdout.
ShellResult Shell(const std::string& command);

// Runs the endstate binary under test with `args`; stderr is merged into
// out unless `merge_stderr` is false (then it is discarded).
ShellResult RunCli(const std::string& args, bool merge_stderr = true);

}  // namespace endstate::test
