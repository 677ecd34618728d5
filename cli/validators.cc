#include "cli/validators.h"

#include <charconv>

namespace endstate::cli {

CLI::Validator AtLeast(long long min) {
  const std::string name = min == 1   ? "POSITIVE"
                           : min == 0 ? "NONNEGATIVE"
                                      : ">=" + std::to_string(min);
  return CLI::Validator(
      [min](std::string& in) -> std::string {
        long long v = 0;
        const char* end = in.data() + in.size();
        const auto [p, ec] = std::from_chars(in.data(), end, v);
        if (ec != std::errc() || p != end || v < min) {
          return "expected an integer >= " + std::to_string(min) + ", got '" +
                 in + "'";
        }
        return {};
      },
      name);
}

}  // namespace endstate::cli
