#include <gtest/gtest.h>

#include "tools/builtin_tools.h"

namespace endstate::tools {
namespace {

TEST(RenderProcessOutput, OmitsEmptyStreams) {
  EXPECT_EQ("exit code 0\n", RenderProcessOutput("exit code 0", "", "", "", 0));
  EXPECT_EQ("exit code 1\n--- stderr ---\nboom\n",
            RenderProcessOutput("exit code 1", "", "boom", "", 100));
  // A missing final newline is added before the next section.
  EXPECT_EQ("exit code 0\n--- stdout ---\na\n--- stderr ---\nb\nnote\n",
            RenderProcessOutput("exit code 0", "a", "b", "note\n", 0));
}

TEST(RenderProcessOutput, SplitsTheBudgetBetweenStreams) {
  // Fixed part: 12 + 15 + 15 + 2 = 44 bytes; 200 - 44 = 156 for the
  // streams. stderr needs 4, so stdout gets 152 (127 kept + 25 marker).
  std::string text = RenderProcessOutput("exit code 0", std::string(500, 'o'),
                                         "err\n", "", 200);
  EXPECT_EQ("exit code 0\n--- stdout ---\n" + std::string(126, 'o') +
                "\n[... truncated 374 bytes]\n--- stderr ---\nerr\n",
            text);
  EXPECT_LE(text.size(), 200u);
}

}  // namespace
}  // namespace endstate::tools
