// Builds a task's git repositories deterministically with libgit2.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "tasks/task.h"

namespace endstate::sandbox {

// Creates the repository `spec` below `workspace` (workspace/spec.path),
// applies the commits in order, checks out spec.checkout into the working
// tree. Identical specs give identical commit ids. Fills *refs with every
// branch and tag name ("refs/heads/main") -> commit id (hex). Returns false
// and sets *err on failure.
bool BuildRepo(const std::filesystem::path& workspace,
               const tasks::RepoSpec& spec,
               std::map<std::string, std::string>* refs, std::string* err);

}  // namespace endstate::sandbox
