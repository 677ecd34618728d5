// The resolution walks the components of the path with a queue, keeping
// the resolved part as a list of names below the root. Each component is
// lstat'ed before it is entered: a symlink's target is pushed back onto the
// queue (after checking it does not climb out, so the message can name the
// link) instead of letting the kernel follow it, which is what keeps a
// symlink from leading out even when the path itself names only
// components inside.
#include "sandbox/confine.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <system_error>
#include <vector>

#include "util/files.h"

namespace endstate::sandbox {
namespace fs = std::filesystem;
namespace {

// Linux's own limit on symlinks followed in one lookup.
constexpr int kMaxSymlinks = 40;

// Splits on '/', dropping empty components and ".".
void PushComponents(const std::string& path, std::deque<std::string>* q,
                    bool front) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  if (front) {
    q->insert(q->begin(), parts.begin(), parts.end());
  } else {
    q->insert(q->end(), parts.begin(), parts.end());
  }
}

// The part of `abs` below `inside` ("" for `inside` itself), or false when
// `abs` is elsewhere.
bool StripPrefix(const std::string& abs, std::string_view inside,
                 std::string* rest) {
  if (abs.compare(0, inside.size(), inside) != 0) return false;
  if (abs.size() == inside.size()) {
    rest->clear();
    return true;
  }
  if (abs[inside.size()] != '/') return false;
  *rest = abs.substr(inside.size() + 1);
  return true;
}

const char* SpecialKind(fs::file_type type) {
  switch (type) {
    case fs::file_type::block:
      return "block device";
    case fs::file_type::character:
      return "character device";
    case fs::file_type::fifo:
      return "fifo";
    case fs::file_type::socket:
      return "socket";
    default:
      return nullptr;
  }
}

}  // namespace

ConfineError ResolveBelow(const ConfinedTree& tree, const std::string& rel,
                          fs::path* out, std::string* err) {
  const std::string name(tree.name);
  if (rel.empty()) {
    *err = "path is empty";
    return ConfineError::kEmpty;
  }
  if (rel.find('\0') != std::string::npos) {
    *err = "path contains a NUL byte";
    return ConfineError::kEmpty;
  }
  std::deque<std::string> queue;
  if (rel[0] == '/') {
    std::string rest;
    if (!StripPrefix(rel, tree.inside, &rest)) {
      *err = "path '" + rel + "' is outside " + name +
             "; use a path relative to " + name + " (or below " +
             std::string(tree.inside) + ")";
      return ConfineError::kOutside;
    }
    PushComponents(rest, &queue, false);
  } else {
    PushComponents(rel, &queue, false);
  }

  std::error_code ec;
  const fs::path root = fs::weakly_canonical(tree.root, ec);
  if (ec) {
    *err = name + " unavailable: " + ec.message();
    return ConfineError::kUnavailable;
  }
  std::vector<std::string> parts;  // resolved, relative to root
  fs::path current = root;         // root / parts
  int links = 0;
  while (!queue.empty()) {
    std::string c = std::move(queue.front());
    queue.pop_front();
    if (c == "..") {
      if (parts.empty()) {
        *err = "path '" + rel + "' leaves " + name;
        return ConfineError::kLeaves;
      }
      parts.pop_back();
      current = current.parent_path();
      continue;
    }
    fs::path next = current / c;
    // Checked for every component, even after a missing one: "no/../link"
    // must not skip the check of "link".
    fs::file_status st = fs::symlink_status(next, ec);
    if (!ec && fs::is_symlink(st)) {
      if (++links > kMaxSymlinks) {
        *err = "path '" + rel + "' has too many levels of symlinks";
        return ConfineError::kUnavailable;
      }
      std::string link_name;
      for (const auto& p : parts) link_name += p + "/";
      link_name += c;
      const std::string target = fs::read_symlink(next, ec).string();
      if (ec) {
        *err = "cannot read symlink '" + link_name + "': " + ec.message();
        return ConfineError::kUnavailable;
      }
      const std::string leaves = "path '" + rel + "' leaves " + name +
                                 " through symlink '" + link_name + "'";
      if (!target.empty() && target[0] == '/') {
        std::string rest;
        if (!StripPrefix(target, tree.inside, &rest)) {
          *err = leaves;
          return ConfineError::kLeaves;
        }
        parts.clear();
        current = root;
        PushComponents(rest, &queue, true);
      } else {
        // A relative target that climbs out fails at its "..", but the
        // message should name the link, so check here.
        std::deque<std::string> probe;
        PushComponents(target, &probe, false);
        long depth = static_cast<long>(parts.size());
        for (const auto& p : probe) {
          depth += p == ".." ? -1 : 1;
          if (depth < 0) {
            *err = leaves;
            return ConfineError::kLeaves;
          }
        }
        PushComponents(target, &queue, true);
      }
      continue;
    }
    parts.push_back(c);
    current = next;
  }

  *out = current;  // also for kSpecial: the caller may report the type
  fs::file_status st = fs::symlink_status(current, ec);
  if (!ec) {
    if (const char* kind = SpecialKind(st.type())) {
      *err = "path '" + rel + "' is a special file (" + kind +
             "); only regular files and directories can be used";
      return ConfineError::kSpecial;
    }
  }
  return ConfineError::kNone;
}

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
