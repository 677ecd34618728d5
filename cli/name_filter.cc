#include "cli/name_filter.h"

#include <algorithm>
#include <iostream>

#include "cli/cli.h"
#include "results/display_name.h"
#include "results/run_names.h"

namespace endstate::cli {
namespace {

std::string List(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

}  // namespace

int CheckRunFilters(const std::string& cmd, results::RunReader& reader,
                    int64_t run, std::string* model, const std::string& task,
                    std::vector<std::string>* models) {
  std::string err;
  auto names = results::LoadRunNames(reader, run, &err);
  if (!names) {
    std::cerr << "endstate " << cmd << ": " << err << '\n';
    return kExitInfra;
  }
  if (models) *models = names->models;
  const std::string who = "endstate " + cmd + ": run " + std::to_string(run);
  if (!model->empty()) {
    const std::string recorded =
        results::ResolveModelName(*model, names->models);
    if (recorded.empty()) {
      std::cerr << who << " has no model '" << *model << "' (models: "
                << List(results::DisplayModelNames(names->models)) << ")\n";
      return kExitUsage;
    }
    *model = recorded;
  }
  if (!task.empty() && std::find(names->tasks.begin(), names->tasks.end(),
                                 task) == names->tasks.end()) {
    std::cerr << who << " has no task '" << task
              << "' (tasks: " << List(names->tasks) << ")\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace endstate::cli
