// Warnings about `command` checks whose truth does not depend on a command
// succeeding, for `endstate tasks check` (docs/graders.md). The agent owns
// the workspace: it can make any command fail (chmod 000, a FIFO, a
// deleted file), so a check must not turn a failure into a pass:
//   `! grep -q old f`                true when grep cannot read f
//   `test "$(a)" = "$(b)"`           true when a and b both fail (empty)
//   `diff <(a) <(b)`                 the same; pipefail does not see a or b
// Heuristic (regular expressions over the command text, not a shell
// parser): a warning is a prompt to rewrite, never an error. Thread-safe.
#pragma once

#include <string>
#include <vector>

namespace endstate::graders {

// The warnings for the bash command `run`, each one sentence naming the
// pattern ("negates a command ('! ...'): ..."); empty when none applies.
std::vector<std::string> LintCheckCommand(const std::string& run);

}  // namespace endstate::graders
