// The resolution walks the components of the path with a queue, keeping
// the resolved part as a list of names below the root. Each component is
// lstat'ed before it is entered: a symlink's target is pushed back onto the
// queue (after checking it does not climb out, so the message can name the
// link) instead of letting the kernel follow it, which is what keeps a
// symlink from leading out even when the path itself names only
// components inside.
#include "util/confine.h"

#include <algorithm>
#include <deque>
#include <system_error>

namespace endstate::util {
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
// `abs` is elsewhere. On the host side (`inside` empty) every absolute
// path is elsewhere.
bool StripPrefix(const std::string& abs, std::string_view inside,
                 std::string* rest) {
  if (inside.empty()) return false;
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

// ResolveBelow, walking `walk` (relative to tree.root) and naming `shown`
// in messages.
ConfineError Resolve(const ConfinedTree& tree, const std::string& shown,
                     const std::string& walk, fs::path* out, std::string* err) {
  const std::string name(tree.name);
  const bool on_disk = !tree.root.empty();
  std::error_code ec;
  fs::path root;
  if (on_disk) {
    root = fs::weakly_canonical(tree.root, ec);
    if (ec) {
      *err = name + " unavailable: " + ec.message();
      return ConfineError::kUnavailable;
    }
  }
  std::deque<std::string> queue;
  PushComponents(walk, &queue, false);
  std::vector<std::string> parts;  // resolved, relative to root
  fs::path current = root;         // root / parts
  int links = 0;
  while (!queue.empty()) {
    std::string c = std::move(queue.front());
    queue.pop_front();
    if (c == "..") {
      if (parts.empty()) {
        *err = "path '" + shown + "' leaves " + name;
        return ConfineError::kLeaves;
      }
      parts.pop_back();
      current = current.parent_path();
      continue;
    }
    fs::path next = current / c;
    // Checked for every component, even after a missing one: "no/../link"
    // must not skip the check of "link".
    fs::file_status st;
    if (on_disk) st = fs::symlink_status(next, ec);
    if (on_disk && !ec && fs::is_symlink(st)) {
      if (++links > kMaxSymlinks) {
        *err = "path '" + shown + "' has too many levels of symlinks";
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
      const std::string leaves = "path '" + shown + "' leaves " + name +
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
  if (!on_disk) return ConfineError::kNone;
  fs::file_status st = fs::symlink_status(current, ec);
  if (!ec) {
    if (const char* kind = SpecialKind(st.type())) {
      *err = "path '" + shown + "' is a special file (" + kind +
             "); only regular files and directories can be used";
      return ConfineError::kSpecial;
    }
  }
  return ConfineError::kNone;
}

// The checks every path gets before it is walked.
ConfineError CheckText(const std::string& rel, std::string* err) {
  if (rel.empty()) {
    *err = "path is empty";
    return ConfineError::kEmpty;
  }
  if (rel.find('\0') != std::string::npos) {
    *err = "path contains a NUL byte";
    return ConfineError::kEmpty;
  }
  return ConfineError::kNone;
}

// Whether `full` (lexically normal) is `root` or below it.
bool Below(const fs::path& root, const fs::path& full) {
  auto [end, unused] =
      std::mismatch(root.begin(), root.end(), full.begin(), full.end());
  return end == root.end();
}

}  // namespace

ConfineError ResolveBelow(const ConfinedTree& tree, const std::string& rel,
                          fs::path* out, std::string* err) {
  if (ConfineError e = CheckText(rel, err); e != ConfineError::kNone) return e;
  if (rel[0] != '/') return Resolve(tree, rel, rel, out, err);
  std::string rest;
  if (StripPrefix(rel, tree.inside, &rest)) {
    return Resolve(tree, rel, rest, out, err);
  }
  const std::string name(tree.name);
  if (tree.inside.empty()) {
    *err = "path '" + rel + "' leaves " + name;
    return ConfineError::kLeaves;
  }
  *err = "path '" + rel + "' is outside " + name + "; use a path relative to " +
         name + " (or below " + std::string(tree.inside) + ")";
  return ConfineError::kOutside;
}

ConfineError ResolveTaskPath(const fs::path& base, const std::string& rel,
                             const std::vector<fs::path>& roots,
                             std::string_view name, fs::path* out,
                             std::string* err) {
  if (ConfineError e = CheckText(rel, err); e != ConfineError::kNone) return e;
  const fs::path full = (base / rel).lexically_normal();
  const auto root =
      std::find_if(roots.begin(), roots.end(),
                   [&](const fs::path& r) { return Below(r, full); });
  if (rel[0] == '/' || root == roots.end()) {
    *err = "path '" + rel + "' leaves " + std::string(name);
    return ConfineError::kLeaves;
  }
  fs::path resolved;
  ConfineError e =
      Resolve({.root = *root, .inside = "", .name = name}, rel,
              full.lexically_relative(*root).generic_string(), &resolved, err);
  if (e == ConfineError::kNone) *out = full;
  return e;
}

}  // namespace endstate::util
