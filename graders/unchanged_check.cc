// The `unchanged` check: the workspace against the pristine initial copy,
// either as a tree (globs, new files) or as one file's line diff.
#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "graders/check_kinds.h"
#include "graders/check_support.h"
#include "graders/line_diff.h"
#include "util/files.h"

namespace endstate::graders {
namespace fs = std::filesystem;

namespace {

// What a tree entry is, for comparison: file bytes or a symlink's target.
struct Entry {
  bool is_link = false;
  fs::path path;  // absolute
};

// Every regular file and symlink below `root` (relative '/' paths), without
// descending into the `.git` directories of the task's repositories:
// repository state is the git check's job. Those are the `.git`
// directories of the initial workspace: ListTree(initial, nullptr, &repos)
// collects them, ListTree(now, &repos, nullptr) skips only those, so a
// `.git` file or directory the agent added anywhere else is compared like
// any other file.
std::map<std::string, Entry> ListTree(const fs::path& root,
                                      const std::set<std::string>* skip,
                                      std::set<std::string>* repos) {
  std::map<std::string, Entry> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(
      root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& e = *it;
    std::string rel = e.path().lexically_relative(root).generic_string();
    if (e.path().filename() == ".git" && e.is_directory(ec) &&
        !e.is_symlink(ec) &&
        (repos != nullptr || (skip != nullptr && skip->count(rel) > 0))) {
      if (repos != nullptr) repos->insert(rel);
      it.disable_recursion_pending();
      continue;
    }
    if (e.is_symlink(ec)) {
      out[rel] = {true, e.path()};
    } else if (e.is_regular_file(ec)) {
      out[rel] = {false, e.path()};
    }
  }
  return out;
}

bool SameEntry(const Entry& a, const Entry& b) {
  if (a.is_link != b.is_link) return false;
  std::error_code ec1, ec2;
  if (a.is_link)
    return fs::read_symlink(a.path, ec1) == fs::read_symlink(b.path, ec2);
  if (fs::file_size(a.path, ec1) != fs::file_size(b.path, ec2) || ec1 || ec2) {
    return false;
  }
  auto x = util::ReadFile(a.path), y = util::ReadFile(b.path);
  return x && y && *x == *y;
}

std::string Part(const std::vector<std::string>& names, const char* what) {
  if (names.size() == 1 && std::string(what) != "new") {
    return names[0] + " " + what;
  }
  if (std::string(what) == "new") {
    return std::to_string(names.size()) +
           (names.size() == 1 ? " new file: " : " new files: ") +
           JoinNames(names);
  }
  return std::to_string(names.size()) + " files " + what + ": " +
         JoinNames(names);
}

CheckResult RunTree(const json& s, const sandbox::World& world) {
  std::vector<std::string> paths = GetStrings(s, "paths");
  if (paths.empty()) paths = {"**"};
  std::vector<std::string> except = GetStrings(s, "except");
  bool allow_new = GetString(s, "new_files", "forbid") == "allow";
  auto watched = [&](const std::string& rel) {
    return AnyGlobMatches(paths, rel) && !AnyGlobMatches(except, rel);
  };
  std::set<std::string> repos;
  std::map<std::string, Entry> before =
      ListTree(world.initial_workspace(), nullptr, &repos);
  std::map<std::string, Entry> after =
      ListTree(world.workspace(), &repos, nullptr);
  std::vector<std::string> modified, deleted, added;
  size_t same = 0;
  for (const auto& [rel, entry] : before) {
    if (!watched(rel)) continue;
    auto it = after.find(rel);
    if (it == after.end()) {
      deleted.push_back(rel);
    } else if (!SameEntry(entry, it->second)) {
      modified.push_back(rel);
    } else {
      ++same;
    }
  }
  if (!allow_new) {
    for (const auto& [rel, entry] : after) {
      if (watched(rel) && before.count(rel) == 0) added.push_back(rel);
    }
  }
  std::vector<std::string> parts;
  if (!modified.empty()) parts.push_back(Part(modified, "modified"));
  if (!deleted.empty()) parts.push_back(Part(deleted, "deleted"));
  if (!added.empty()) parts.push_back(Part(added, "new"));
  if (parts.empty()) {
    return Passed("unchanged: " + std::to_string(same) +
                  (same == 1 ? " file identical" : " files identical"));
  }
  std::string detail = "unchanged: ";
  for (size_t i = 0; i < parts.size(); ++i) {
    detail += (i > 0 ? "; " : "") + parts[i];
  }
  return Failed(detail);
}

CheckResult RunOneFile(const json& s, const sandbox::World& world) {
  std::string rel = GetString(s, "path");
  std::string detail;
  auto before = ReadInside(world.initial_workspace(), rel, &detail);
  if (!before) return Errored(rel + ": not in the initial workspace");
  fs::path now;
  if (ResolveInside(world.workspace(), rel, &now) == PathState::kMissing) {
    return Failed(rel + ": deleted");
  }
  auto after = ReadInside(world.workspace(), rel, &detail);
  if (!after) return Failed(detail);
  size_t max_added = GetInt(s, "max_added_lines", 0);
  size_t max_removed = GetInt(s, "max_removed_lines", 0);
  LineDiffStats st = DiffLines(*before, *after);
  std::string counts = "+" + std::to_string(st.added) + " -" +
                       std::to_string(st.removed) + " lines";
  std::string allowed = "allowed +" + std::to_string(max_added) + " -" +
                        std::to_string(max_removed);
  if (st.added > max_added || st.removed > max_removed) {
    return Failed(rel + ": " + counts + " from line " +
                  std::to_string(st.first_change_line) + ", " + allowed);
  }
  return Passed(rel + ": " + counts + ", " + allowed);
}

}  // namespace

bool ValidateUnchanged(const tasks::CheckSpec& check, std::string* err) {
  const json& s = check.spec;
  if (s.is_object() && s.contains("path")) {
    return OnlyFields(s, {"path", "max_added_lines", "max_removed_lines"},
                      err) &&
           WorkspacePathField(s, "path", true, err) &&
           OptInt(s, "max_added_lines", 0, LLONG_MAX, err) &&
           OptInt(s, "max_removed_lines", 0, LLONG_MAX, err);
  }
  if (!OnlyFields(s, {"paths", "except", "new_files"}, err) ||
      !OptStringList(s, "paths", "a non-empty list of globs", err) ||
      !OptStringList(s, "except", "a non-empty list of globs", err) ||
      !OptEnum(s, "new_files", {"forbid", "allow"}, err)) {
    return false;
  }
  for (const char* field : {"paths", "except"}) {
    for (const auto& g : GetStrings(s, field)) {
      if (g.empty() || g[0] == '/' || !IsConfinedPath(g)) {
        return FieldError(
            field, "globs must be relative to the workspace, got " + Quote(g),
            err);
      }
    }
  }
  return true;
}

CheckResult RunUnchanged(const tasks::CheckSpec& check,
                         const sandbox::World& world) {
  return check.spec.contains("path") ? RunOneFile(check.spec, world)
                                     : RunTree(check.spec, world);
}

}  // namespace endstate::graders
