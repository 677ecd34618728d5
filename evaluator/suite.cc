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

bool LoadTasks(const std::string& suite_dir,
               const std::vector<std::string>& ids,
               std::vector<tasks::Task>* out, std::string* err) {
  const std::filesystem::path dir = suite_dir.empty()
                                        ? tasks::DefaultSuiteDir()
                                        : std::filesystem::path(suite_dir);
  std::vector<std::string> errors;
  std::vector<tasks::Task> all =
      tasks::LoadSuite(dir, StrictLoadOptions(), &errors);
  if (!errors.empty()) {
    *err = "";
    for (const auto& e : errors) *err += (err->empty() ? "" : "\n") + e;
    return false;
  }
  if (all.empty()) {
    *err = dir.string() + ": no tasks (expected folders holding task.yaml)";
    return false;
  }
  if (ids.empty()) {
    *out = std::move(all);
    return true;
  }
  out->clear();
  for (const auto& id : ids) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const tasks::Task& t) { return t.id == id; });
    if (it == all.end()) {
      std::string known;
      for (const auto& t : all) known += (known.empty() ? "" : ", ") + t.id;
      *err = "--task '" + id + "': no such task in " + dir.string() +
             " (known: " + known + ")";
      return false;
    }
    out->push_back(*it);
  }
  return true;
}

}  // namespace endstate::evaluator
