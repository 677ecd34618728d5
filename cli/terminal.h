// What the CLI knows about the terminal it writes to: whether to colour it
// and how wide it is.
#pragma once

#include <string>

namespace endstate::cli {

// Whether to colour output written to file descriptor `fd`: mode "always" or
// "never", else ("auto") when fd is a terminal and NO_COLOR is unset or
// empty (https://no-color.org).
bool UseColor(const std::string& mode, int fd);

// Columns of the terminal on file descriptor `fd` (ioctl TIOCGWINSZ), else
// $COLUMNS when it is a positive number (at most 10000), else 0 (unknown:
// e.g. output to a file or pipe with COLUMNS unset).
int TerminalColumns(int fd);

}  // namespace endstate::cli
