// A task folder whose task.yaml has one bad check field, for tests of how
// loading reports it: `path: [a]` on line 8 (its check starts on line 7).
#pragma once

#include <filesystem>
#include <string>

#include "util/files.h"

namespace endstate::test {

// Writes <suite>/broken/. Returns the message loading it gives.
inline std::string WriteBrokenTask(const std::filesystem::path& suite) {
  std::filesystem::create_directories(suite / "broken/workspace");
  util::WriteFile(suite / "broken/task.yaml",
                  "id: broken\ntitle: Broken\nlevel: easy\ninstruction: x\n"
                  "world: {workspace: workspace}\nchecks:\n"
                  "  - kind: file_contains\n    path: [a]\n    text: x\n"
                  "solution:\n  - say: Done.\n");
  return (suite / "broken/task.yaml").string() +
         ":8: checks[0]: path: expected a workspace path, got [\"a\"]";
}

}  // namespace endstate::test
