// list_files: the tree below a workspace path, one entry per line, in tree
// order. Git internals are not listed, but a ".git/" line shows the repo.
#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "tools/builtin_tools.h"
#include "tools/workspace_path.h"

namespace endstate::tools {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

// More than this many entries are summarized in one line.
constexpr size_t kMaxEntries = 2000;

struct Lister {
  fs::path root;  // canonical workspace
  std::vector<std::string> lines;
  size_t omitted = 0;

  void Add(std::string line) {
    if (lines.size() < kMaxEntries) {
      lines.push_back(std::move(line));
    } else {
      ++omitted;
    }
  }

  // One line for `path`; recurses into real directories.
  void Visit(const fs::path& path, bool recurse_self) {
    std::error_code ec;
    const std::string name = path.lexically_relative(root).generic_string();
    fs::file_status st = fs::symlink_status(path, ec);
    if (ec) return;
    switch (st.type()) {
      case fs::file_type::directory:
        if (recurse_self) {
          if (name != ".") Add(name + "/");
          VisitChildren(path);
        }
        return;
      case fs::file_type::symlink:
        Add(name + " -> " + fs::read_symlink(path, ec).string());
        return;
      case fs::file_type::regular:
        Add(name + "  " + std::to_string(fs::file_size(path, ec)));
        return;
      default:
        Add(name + "  (special file)");
        return;
    }
  }

  void VisitChildren(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> children;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      children.push_back(it->path());
    }
    std::sort(children.begin(), children.end(),
              [](const fs::path& a, const fs::path& b) {
                return a.filename().string() < b.filename().string();
              });
    for (const auto& child : children) {
      if (child.filename() == ".git" &&
          fs::is_directory(fs::symlink_status(child, ec))) {
        Add(child.lexically_relative(root).generic_string() + "/");
        continue;
      }
      Visit(child, true);
    }
  }
};

ToolResult ListFiles(const json& args, const ToolContext& ctx) {
  if (ctx.world == nullptr) return ErrorResult("no world is attached");
  const std::string rel = args.value("path", std::string("."));
  fs::path path;
  std::string err;
  if (!ResolveWorkspacePath(ctx.world->workspace(), rel, &path, &err)) {
    return ErrorResult(err);
  }
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) {
    return ErrorResult("no such file or directory: " + rel);
  }
  Lister lister;
  lister.root = fs::weakly_canonical(ctx.world->workspace(), ec);
  if (fs::is_directory(path, ec)) {
    lister.VisitChildren(path);
  } else {
    lister.Visit(path, false);
  }
  if (lister.lines.empty()) return TextResult("(no files in " + rel + ")");
  std::string out;
  for (const auto& line : lister.lines) out += line + "\n";
  if (lister.omitted > 0) {
    out += "[... " + std::to_string(lister.omitted) +
           " more entries not shown; list a subfolder]\n";
  }
  return TextResult(out);
}

}  // namespace

std::unique_ptr<Tool> MakeListFilesTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "list_files",
          "List every file and folder below a workspace path, recursively, "
          "one per line: paths relative to the workspace, folders ending in "
          "'/', files followed by their size in bytes. Contents of .git "
          "folders are not listed.",
          {{"type", "object"},
           {"properties",
            {{"path",
              {{"type", "string"},
               {"minLength", 1},
               {"description",
                "Folder (or file) relative to the workspace; default \".\""},
               {"default", "."}}}}},
           {"additionalProperties", false}}},
      &ListFiles);
}

}  // namespace endstate::tools
