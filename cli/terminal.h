// What the CLI knows about the terminal it writes to: whether to colour it.
#pragma once

#include <string>

namespace endstate::cli {

// Whether to colour output written to file descriptor `fd`: mode "always" or
// "never", else ("auto") when fd is a terminal and NO_COLOR is unset or
// empty (https://no-color.org).
bool UseColor(const std::string& mode, int fd);

}  // namespace endstate::cli
