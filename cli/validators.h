// CLI11 validators with messages a user can act on. CLI11's own
// PositiveNumber prints "Value 0 not in range 0.000000 to 1.79769e+308";
// these say "--epochs: expected an integer >= 1, got '0'" (CLI11 prefixes
// the option's name). Stateless; safe to share.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace endstate::cli {

// An integer (base 10, no sign for min >= 0) of at least `min`. Its help
// name is POSITIVE for min 1 and NONNEGATIVE for min 0, as CLI11's were.
CLI::Validator AtLeast(long long min);

}  // namespace endstate::cli
