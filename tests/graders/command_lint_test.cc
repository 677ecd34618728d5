// The `tasks check` warnings about command checks whose truth does not
// depend on a command succeeding (graders/command_lint.h).
#include "graders/command_lint.h"

#include <gtest/gtest.h>

namespace endstate::graders {
namespace {

const char kNegation[] =
    "negates a command ('! ...'): the check passes when the command fails "
    "for any reason (an unreadable file, a missing one); test its exit code "
    "for the one failure that means success (grep: 1)";
const char kCompare[] =
    "compares the outputs of two commands: the check passes when both fail "
    "(both print nothing); capture each with x=\"$(cmd)\" && ... so a "
    "failure fails the check";

using Warnings = std::vector<std::string>;

TEST(CommandLintTest, NegatedCommandsAreFlagged) {
  EXPECT_EQ(Warnings{kNegation}, LintCheckCommand("! grep -q old a.css"));
  EXPECT_EQ(Warnings{kNegation},
            LintCheckCommand("test -f a && ! grep -rn x ."));
  EXPECT_EQ(Warnings{kNegation}, LintCheckCommand("if ! git diff; then x; fi"));
}

TEST(CommandLintTest, ComparedOutputsAreFlagged) {
  EXPECT_EQ(Warnings{kCompare},
            LintCheckCommand("test \"$(git show a:R)\" = \"$(git show b:R)\""));
  EXPECT_EQ(Warnings{kCompare}, LintCheckCommand("diff <(cat a) <(cat b)"));
}

TEST(CommandLintTest, SafeFormsAreNotFlagged) {
  EXPECT_EQ(Warnings{}, LintCheckCommand("[ ! -e draft.html ]"));
  EXPECT_EQ(Warnings{}, LintCheckCommand("test ! -f x"));
  EXPECT_EQ(Warnings{},
            LintCheckCommand("grep -rn old .; a=$?; test $a -eq 1"));
  EXPECT_EQ(Warnings{}, LintCheckCommand("x=\"$(git show a:R)\" && test "
                                         "\"$x\" = \"fixed text\""));
  EXPECT_EQ(Warnings{}, LintCheckCommand("echo 'wow!' | grep -q wow"));
}

}  // namespace
}  // namespace endstate::graders
