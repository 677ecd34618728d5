// The one path-confinement rule of endstate. Every place that turns a path
// named by the agent or by a task into a host path below a directory
// resolves it here:
//   - sandbox side (tree.inside set, e.g. "/workspace", "/srv"): the file
//     tools, scp and every grader (workspace and each deploy host's root),
//     so a tool and a grader never disagree about the same symlink;
//   - host side (tree.inside empty): the task loader (task-relative paths,
//     ResolveTaskPath), the world set-up (repo paths, docroots) and the git
//     builder (repo paths, commit paths), which write as root.
//
// The rule: the path is resolved one component at a time against the
// disk, as the sandboxed shell would see it with `root` mounted at
// `inside`. A symlink is followed (an absolute target under `inside` maps
// onto `root`); a symlink or `..` that would leave `root` is refused, as is
// a final component that is a special file (fifo, socket, device). On the
// host side there is no `inside`: an absolute path or an absolute symlink
// target always leaves. With an empty `root` nothing is looked up on disk
// (a lexical check for paths below a folder that does not exist yet, e.g.
// a docroot named in task.yaml). Opening the result is util::ReadFile with
// follow_symlinks = false (O_NOFOLLOW | O_NONBLOCK, fstat requires a
// regular file), so a file swapped after resolution cannot block or lead
// out either. Thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace endstate::util {

// One confined directory tree: `root` on the host (empty: lexical only),
// seen as `inside` in the sandbox (empty: host side), named `name` in
// messages ("the workspace", "the host root", "the task folder").
struct ConfinedTree {
  std::filesystem::path root;
  std::string_view inside;
  std::string_view name;
};

enum class ConfineError {
  kNone,
  kEmpty,        // "path is empty" / "path contains a NUL byte"
  kOutside,      // absolute path not under `inside` (sandbox side only)
  kLeaves,       // ".." or a symlink leads out of root; on the host side
                 // also an absolute path
  kSpecial,      // the final component is a fifo, socket or device
  kUnavailable,  // root itself cannot be resolved, a link unreadable,
                 // too many levels of symlinks
};

// Resolves `rel` (relative, or absolute under tree.inside) below
// tree.root. On success returns kNone and sets *out: absolute, free of
// symlinks in its existing part, below weakly_canonical(root) (or equal to
// it); the last components may not exist. With an empty root, *out is the
// normalized relative path ("" for "."). Otherwise sets *err to a message,
// e.g. (for the workspace):
//   "path '../x' leaves the workspace"
//   "path '/etc/passwd' is outside the workspace; use a path relative to
//    the workspace (or below /workspace)"
//   "path 'link/x' leaves the workspace through symlink 'link'"
//   "path 'fifo' is a special file (fifo); only regular files and
//    directories can be used"
// and on the host side the one text for every escape:
//   "path '/etc' leaves the task folder"
//   "path '../..' leaves the task folder"
//   "path 'etc-link' leaves the task folder through symlink 'etc-link'"
ConfineError ResolveBelow(const ConfinedTree& tree, const std::string& rel,
                          std::filesystem::path* out, std::string* err);

// Host side, for a path a task file names relative to its folder `base`
// (which may reach a sibling folder such as "../_shared/lab-site"):
// `base / rel`, normalized lexically, must fall below one of `roots`
// (absolute, lexically normal; the first that holds it is used), and the
// rest is resolved below that root with ResolveBelow (host side, named
// `name`), so a symlink may not leave that root. Sets *out to the
// lexically normal path on success. Messages name `rel` as written:
//   "path '../../etc' leaves the task folder"
//   "path '../_shared/x/up' leaves the task folder through symlink 'x/up'"
ConfineError ResolveTaskPath(const std::filesystem::path& base,
                             const std::string& rel,
                             const std::vector<std::filesystem::path>& roots,
                             std::string_view name, std::filesystem::path* out,
                             std::string* err);

}  // namespace endstate::util
