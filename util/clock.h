// Elapsed time and the machine's name, as every layer records them.
#pragma once

#include <chrono>
#include <string>

namespace endstate::util {

using SteadyClock = std::chrono::steady_clock;

// Milliseconds (fractional) from `start` to now, on the steady clock.
double MsSince(SteadyClock::time_point start);

// gethostname(), or "" when it fails. Recorded with every run.
std::string HostName();

}  // namespace endstate::util
