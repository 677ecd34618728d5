// The one path-confinement rule of endstate. Every place that turns a path
// the agent (or a task) names into a host path below a world directory
// resolves it here: the file tools (workspace), the graders (workspace and
// each deploy host's root), so a tool and a grader never disagree about
// the same symlink.
//
// The rule: the path is resolved one component at a time against the
// disk, as the sandboxed shell would see it with `root` mounted at
// `inside` ("/workspace", "/srv"). A symlink is followed (an absolute
// target under `inside` maps onto `root`); a symlink or `..` that would
// leave `root` is refused, as is a final component that is a special file
// (fifo, socket, device). Opening the result is util::ReadFile with
// follow_symlinks = false (O_NOFOLLOW | O_NONBLOCK, fstat requires a
// regular file), so a file swapped after resolution cannot block or lead
// out either. Thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace endstate::sandbox {

// One confined directory tree: `root` on the host, seen as `inside` in the
// sandbox, named `name` in messages ("the workspace", "the host root").
struct ConfinedTree {
  std::filesystem::path root;
  std::string_view inside;
  std::string_view name;
};

enum class ConfineError {
  kNone,
  kEmpty,        // "path is empty" / "path contains a NUL byte"
  kOutside,      // absolute path not under `inside`
  kLeaves,       // ".." or a symlink leads out of root
  kSpecial,      // the final component is a fifo, socket or device
  kUnavailable,  // root itself cannot be resolved, a link unreadable,
                 // too many levels of symlinks
};

// Resolves `rel` (relative, or absolute under tree.inside) below
// tree.root. On success returns kNone and sets *out: absolute, free of
// symlinks in its existing part, below weakly_canonical(root) (or equal to
// it); the last components may not exist. Otherwise sets *err to a
// message for the model, e.g. (for the workspace):
//   "path '../x' leaves the workspace"
//   "path '/etc/passwd' is outside the workspace; use a path relative to
//    the workspace (or below /workspace)"
//   "path 'link/x' leaves the workspace through symlink 'link'"
//   "path 'fifo' is a special file (fifo); only regular files and
//    directories can be used"
ConfineError ResolveBelow(const ConfinedTree& tree, const std::string& rel,
                          std::filesystem::path* out, std::string* err);

// What ReadBelow found.
enum class ReadState { kRead, kMissing, kRefused, kDirectory, kUnreadable };

// Resolves `rel` with ResolveBelow and reads it as a regular file of at
// most `max_bytes` (util::ReadFile, no symlink followed, never blocks).
// Sets *content on kRead; otherwise *why says what it is, without the
// path: "no such file", "is a directory", "leads outside the workspace",
// "is a fifo, not a regular file", "is 70000000 bytes, over the
// 67108864-byte limit", "cannot be read: Permission denied".
ReadState ReadBelow(const ConfinedTree& tree, const std::string& rel,
                    size_t max_bytes, std::string* content, std::string* why);

// The bound on a file a grader reads from a world, in bytes.
inline constexpr size_t kMaxGradedFileBytes = 64 * 1024 * 1024;

}  // namespace endstate::sandbox
