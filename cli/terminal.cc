#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace endstate::cli {

bool UseColor(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return isatty(fd) == 1;
}

int TerminalColumns(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char* columns = std::getenv("COLUMNS");
  if (!columns) return 0;
  int n = 0;
  const char* end = columns + std::strlen(columns);
  auto [ptr, ec] = std::from_chars(columns, end, n);
  if (ec != std::errc() || ptr != end || n <= 0 || n > 10000) return 0;
  return n;
}

}  // namespace endstate::cli
