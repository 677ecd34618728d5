#include "evaluator/suite.h"

#include <algorithm>

#include "graders/grader.h"
#include "tools/tool.h"

namespace endstate::evaluator {

tasks::LoadOptions StrictLoadOptions() {
  tasks::LoadOptions opts;
  opts.validate_check = [](const tasks::CheckSpec& check, std::string* err) {
    return graders::ValidateCheck(check, err);
  };
  opts.validate_call = [](const tasks::ToolCallSpec& call, std::string* err) {
    const tools::Tool* tool = tools::Registry::Default().Find(call.tool);
    if (!tool) {
      *err = "unknown tool '" + call.tool + "'";
      return false;
    }
    std::string problem =
        models::ValidateArgs(tool->schema().parameters, call.arguments);
    if (!problem.empty()) {
      *err = call.tool + " args: " + problem;
      return false;
    }
    return true;
  };
  return opts;
}

namespace {

// Joins one message per line.
std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

bool LoadTasks(const std::string& suite_dir,
               const std::vector<std::string>& ids,
               std::vector<tasks::Task>* out, std::string* err) {
  const std::filesystem::path dir = suite_dir.empty()
                                        ? tasks::DefaultSuiteDir()
                                        : std::filesystem::path(suite_dir);
  std::vector<std::string> errors;
  if (ids.empty()) {
    std::vector<tasks::Task> all =
        tasks::LoadSuite(dir, StrictLoadOptions(), &errors);
    if (!errors.empty()) {
      *err = Lines(errors);
      return false;
    }
    if (all.empty()) {
      *err = dir.string() + ": no tasks (expected folders holding task.yaml)";
      return false;
    }
    *out = std::move(all);
    return true;
  }
  // Only the named tasks load: a broken task file elsewhere in the suite
  // does not stop a run of the others (`tasks check` finds it).
  std::vector<std::filesystem::path> dirs;
  if (!tasks::ListTaskFolders(dir, &dirs, err)) return false;
  out->clear();
  for (const auto& id : ids) {
    auto it = std::find_if(dirs.begin(), dirs.end(), [&](const auto& d) {
      return d.filename().string() == id;
    });
    if (it == dirs.end()) {
      std::string known;
      for (const auto& d : dirs)
        known += (known.empty() ? "" : ", ") + d.filename().string();
      *err = "--task '" + id + "': no such task in " + dir.string() +
             " (known: " + known + ")";
      return false;
    }
    tasks::Task task;
    std::string task_err;
    if (tasks::LoadTask(*it, StrictLoadOptions(), &task, &task_err)) {
      out->push_back(std::move(task));
    } else {
      errors.push_back(task_err);
    }
  }
  if (!errors.empty()) {
    *err = Lines(errors);
    return false;
  }
  return true;
}

}  // namespace endstate::evaluator
