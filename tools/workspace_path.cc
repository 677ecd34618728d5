#include "tools/workspace_path.h"

#include <system_error>

#include "sandbox/confine.h"
#include "sandbox/world.h"

namespace endstate::tools {
namespace fs = std::filesystem;

bool ResolveWorkspacePath(const fs::path& workspace, const std::string& rel,
                          fs::path* out, std::string* err) {
  const sandbox::ConfinedTree tree{workspace, sandbox::kWorkspaceInside,
                                   "the workspace"};
  return sandbox::ResolveBelow(tree, rel, out, err) ==
         sandbox::ConfineError::kNone;
}

std::string DisplayPath(const fs::path& workspace, const fs::path& path) {
  std::error_code ec;
  fs::path root = fs::weakly_canonical(workspace, ec);
  if (ec) root = workspace;
  fs::path rel = path.lexically_relative(root);
  if (rel.empty()) return path.string();
  return rel.string();
}

}  // namespace endstate::tools
