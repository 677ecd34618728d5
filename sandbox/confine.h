// Reading a file below a world directory through the one path-confinement
// rule (util/confine.h, sandbox side: `inside` is "/workspace" or "/srv"),
// as the graders do. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>

#include "util/confine.h"

namespace endstate::sandbox {

// The rule itself lives in util/confine.h (the task loader, below sandbox/
// in the layers, uses it too); these names keep the callers' spelling.
using util::ConfinedTree;
using util::ConfineError;
using util::ResolveBelow;

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
