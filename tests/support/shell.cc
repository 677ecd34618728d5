#include "tests/support/shell.h"

#include <sys/wait.h>

#include <cstdio>

namespace endstate::test {

ShellResult Shell(const std::string& command) {
  ShellResult r;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

ShellResult RunCli(const std::string& args, bool merge_stderr) {
  return Shell(std::string(ENDSTATE_BINARY) + " " + args +
               (merge_stderr ? " 2>&1" : " 2>/dev/null"));
}

}  // namespace endstate::test
