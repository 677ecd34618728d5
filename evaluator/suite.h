// Loads the task suite for a command, with every check and every scripted
// tool call validated (graders::ValidateCheck, tool schemas).
#pragma once

#include <string>
#include <vector>

#include "tasks/loader.h"

namespace endstate::evaluator {

tasks::LoadOptions StrictLoadOptions();

// Loads `suite_dir` ("" = the bundled suite): the tasks named in `ids`, in
// that order, and only those (a broken task file of another folder does not
// matter); every task folder when `ids` is empty. Returns false and sets
// *err (one line per broken task file of those loaded, or an unknown id with
// the known ones) on failure.
bool LoadTasks(const std::string& suite_dir,
               const std::vector<std::string>& ids,
               std::vector<tasks::Task>* tasks, std::string* err);

}  // namespace endstate::evaluator
