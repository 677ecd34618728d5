// Loads and validates task folders (format: docs/tasks.md).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace endstate::tasks {

// The file every task folder holds.
inline constexpr char kTaskFile[] = "task.yaml";

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
// "<file>:<line>: <field>: <expectation>" (the line of the offending key or
// value), or MissingTaskFile(dir) when the folder holds no task.yaml.
bool LoadTask(const std::filesystem::path& task_dir, const LoadOptions& opts,
              Task* task, std::string* err);

// Why `task_dir` holds no task file: "<dir>: the task file is named
// task.yml; expected task.yaml" (also Task.yaml, task.YAML), else "<dir>: no
// task.yaml (every folder of a suite is a task, except folders starting with
// '_' or '.')".
std::string MissingTaskFile(const std::filesystem::path& task_dir);

// The task folders of a suite, sorted by name (= task id): every subfolder
// except those starting with '_' (shared fixtures, e.g. _shared) or '.'.
// Reads only the folder listing, no task file. Returns false and sets *err
// ("<dir>: no such task folder") when `suite_dir` is not a folder.
bool ListTaskFolders(const std::filesystem::path& suite_dir,
                     std::vector<std::filesystem::path>* dirs,
                     std::string* err);

// Loads every task folder of `suite_dir` (ListTaskFolders), sorted by id.
// Collects one message per broken task or missing task file in *errors
// (and skips it).
std::vector<Task> LoadSuite(const std::filesystem::path& suite_dir,
                            const LoadOptions& opts,
                            std::vector<std::string>* errors);

// The bundled suite: $ENDSTATE_TASKS, else <source dir>/tasks.
std::filesystem::path DefaultSuiteDir();

}  // namespace endstate::tasks
