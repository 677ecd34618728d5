// Confinement of tool paths to the attempt's workspace. Every file tool
// resolves the model's path here before touching the disk.
#pragma once

#include <filesystem>
#include <string>

namespace endstate::tools {

// sandbox::ResolveBelow (sandbox/confine.h, the one confinement rule) for
// the workspace. Resolves `rel`, a path as the model wrote it, to a host path
// inside `workspace` (the host directory seen as sandbox::kWorkspaceInside by
// the shell). Accepts relative paths and absolute paths under /workspace. Each
// existing component is resolved physically: a symlink is followed (an
// absolute target under /workspace maps onto the workspace, as the shell
// would see it), and `..` goes to the parent of what was resolved so far.
// Refuses, returning false and setting *err to a message for the model:
//   "path is empty"
//   "path '../x' leaves the workspace"
//   "path '/etc/passwd' is outside the workspace; use a path relative to
//    the workspace (or below /workspace)"
//   "path 'link/x' leaves the workspace through symlink 'link'"
//   "path 'fifo' is a special file (fifo); only regular files and
//    directories can be used"
// On success *out is absolute, free of symlinks in its existing part, and
// below weakly_canonical(workspace) (or equal to it); the last components
// may not exist yet.
bool ResolveWorkspacePath(const std::filesystem::path& workspace,
                          const std::string& rel, std::filesystem::path* out,
                          std::string* err);

// `path` (a result of ResolveWorkspacePath) relative to the workspace, as
// shown to the model: "docs/a.html", or "." for the workspace itself.
std::string DisplayPath(const std::filesystem::path& workspace,
                        const std::filesystem::path& path);

}  // namespace endstate::tools
