#include "tools/workspace_path.h"

#include <deque>
#include <system_error>
#include <vector>

#include "sandbox/world.h"

namespace endstate::tools {
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

// The part of `abs` below /workspace ("" for /workspace itself), or false
// when `abs` is elsewhere.
bool StripWorkspacePrefix(const std::string& abs, std::string* rest) {
  const std::string inside = sandbox::kWorkspaceInside;
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

bool ResolveWorkspacePath(const fs::path& workspace, const std::string& rel,
                          fs::path* out, std::string* err) {
  if (rel.empty()) {
    *err = "path is empty";
    return false;
  }
  if (rel.find('\0') != std::string::npos) {
    *err = "path contains a NUL byte";
    return false;
  }
  std::deque<std::string> queue;
  if (rel[0] == '/') {
    std::string rest;
    if (!StripWorkspacePrefix(rel, &rest)) {
      *err = "path '" + rel +
             "' is outside the workspace; use a path relative to the "
             "workspace (or below " +
             sandbox::kWorkspaceInside + ")";
      return false;
    }
    PushComponents(rest, &queue, false);
  } else {
    PushComponents(rel, &queue, false);
  }

  std::error_code ec;
  const fs::path root = fs::weakly_canonical(workspace, ec);
  if (ec) {
    *err = "workspace unavailable: " + ec.message();
    return false;
  }
  std::vector<std::string> parts;  // resolved, relative to root
  fs::path current = root;         // root / parts
  int links = 0;
  while (!queue.empty()) {
    std::string c = std::move(queue.front());
    queue.pop_front();
    if (c == "..") {
      if (parts.empty()) {
        *err = "path '" + rel + "' leaves the workspace";
        return false;
      }
      parts.pop_back();
      current = current.parent_path();
      continue;
    }
    fs::path next = current / c;
    // Checked for every component, even after a missing one: "no/../link"
    // must not skip the check of "link".
    {
      fs::file_status st = fs::symlink_status(next, ec);
      if (!ec && fs::is_symlink(st)) {
        if (++links > kMaxSymlinks) {
          *err = "path '" + rel + "' has too many levels of symlinks";
          return false;
        }
        std::string link_name;
        for (const auto& p : parts) link_name += p + "/";
        link_name += c;
        const std::string target = fs::read_symlink(next, ec).string();
        if (ec) {
          *err = "cannot read symlink '" + link_name + "': " + ec.message();
          return false;
        }
        if (!target.empty() && target[0] == '/') {
          std::string rest;
          if (!StripWorkspacePrefix(target, &rest)) {
            *err = "path '" + rel + "' leaves the workspace through symlink '" +
                   link_name + "'";
            return false;
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
              *err = "path '" + rel +
                     "' leaves the workspace through symlink '" + link_name +
                     "'";
              return false;
            }
          }
          PushComponents(target, &queue, true);
        }
        continue;
      }
    }
    parts.push_back(c);
    current = next;
  }

  {
    fs::file_status st = fs::status(current, ec);
    if (!ec) {
      if (const char* kind = SpecialKind(st.type())) {
        *err = "path '" + rel + "' is a special file (" + kind +
               "); only regular files and directories can be used";
        return false;
      }
    }
  }
  *out = current;
  return true;
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
