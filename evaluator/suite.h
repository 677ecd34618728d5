// Loads the task suite for a command, with every check and every scripted
// tool call validated (graders::ValidateCheck, tool schemas).
#pragma once

#include <string>
#include <vector>

#include "tasks/loader.h"

namespace endstate::evaluator {

tasks::LoadOptions StrictLoadOptions();

// Loads `suite_dir` ("" = the bundled suite) and keeps the tasks named in
// `ids` (all when empty, in suite order). Returns false and sets *err (every
// broken task file, or an unknown id with the known ones) on failure.
bool LoadTasks(const std::string& suite_dir,
               const std::vector<std::string>& ids,
               std::vector<tasks::Task>* tasks, std::string* err);

}  // namespace endstate::evaluator
