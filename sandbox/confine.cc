// ReadBelow: resolve with the one rule, then open without following a
// symlink and without blocking.
#include "sandbox/confine.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/files.h"

namespace endstate::sandbox {
namespace fs = std::filesystem;

ReadState ReadBelow(const ConfinedTree& tree, const std::string& rel,
                    size_t max_bytes, std::string* content, std::string* why) {
  fs::path path;
  std::string err;
  switch (ResolveBelow(tree, rel, &path, &err)) {
    case ConfineError::kNone:
    case ConfineError::kSpecial:  // said below as "is a fifo, not a ..."
      break;
    case ConfineError::kOutside:
    case ConfineError::kLeaves:
      *why = "leads outside " + std::string(tree.name);
      return ReadState::kRefused;
    default:
      *why = err;
      return ReadState::kRefused;
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      *why = "no such file";
      return ReadState::kMissing;
    }
    *why = std::string("cannot be read: ") + std::strerror(errno);
    return ReadState::kUnreadable;
  }
  if (S_ISDIR(st.st_mode)) {
    *why = "is a directory";
    return ReadState::kDirectory;
  }
  std::string reason;
  util::ReadOptions options{.follow_symlinks = false, .max_bytes = max_bytes};
  if (!util::ReadRegularFile(path, options, content, &reason)) {
    const bool open_failed = errno != 0;
    *why = open_failed ? "cannot be read: " + reason : reason;
    return ReadState::kUnreadable;
  }
  return ReadState::kRead;
}

}  // namespace endstate::sandbox
