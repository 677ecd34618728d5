// Loads and validates task folders (format: docs/tasks.md).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace endstate::tasks {

// The suite's folder of shared fixtures (e.g. the lab site that many tasks
// start from): a task's trees may layer folders from <suite>/_shared/
// (docs/tasks.md, "Shared fixtures"). It holds no task.yaml.
inline constexpr char kSharedFolder[] = "_shared";

struct LoadOptions {
  // Validates one check's fields; returns false with a message naming the
  // field and the expectation (the loader prefixes file and line). Unset =
  // only `kind` is required.
  std::function<bool(const CheckSpec&, std::string* err)> validate_check;
  // Validates one scripted tool call (known tool, arguments match schema).
  std::function<bool(const ToolCallSpec&, std::string* err)> validate_call;
};

// Loads tasks/<dir>/task.yaml. On error returns false and sets *err to
// "<file>:<line>: <field>: <expectation>".
bool LoadTask(const std::filesystem::path& task_dir, const LoadOptions& opts,
              Task* task, std::string* err);

// Loads every subfolder of `suite_dir` holding a task.yaml, sorted by id.
// Collects one message per broken task in *errors (and skips it).
std::vector<Task> LoadSuite(const std::filesystem::path& suite_dir,
                            const LoadOptions& opts,
                            std::vector<std::string>* errors);

// The bundled suite: $ENDSTATE_TASKS, else <source dir>/tasks.
std::filesystem::path DefaultSuiteDir();

}  // namespace endstate::tasks
