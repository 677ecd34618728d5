// Counts the lines a minimal line diff adds and removes (Myers' O(ND)
// algorithm), for the one-file `unchanged` check.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace endstate::graders {

struct LineDiffStats {
  size_t added = 0;              // lines only in the new text
  size_t removed = 0;            // lines only in the old text
  size_t first_change_line = 0;  // 1-based line of the old text; 0 if equal
};

// Splits on '\n'; a final line without '\n' still counts, an empty text has
// no lines.
std::vector<std::string_view> SplitLines(std::string_view text);

// A shortest edit script between the lines of `before` and `after`.
LineDiffStats DiffLines(std::string_view before, std::string_view after);

}  // namespace endstate::graders
