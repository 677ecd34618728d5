// read_file, write_file and edit_file: workspace files, confined by
// ResolveWorkspacePath. Writes go through a temporary file and a rename in
// the same directory, so a reader never sees half a file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

#include "tools/builtin_tools.h"
#include "tools/text_limits.h"
#include "tools/workspace_path.h"

namespace endstate::tools {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

// Closes a file descriptor on scope exit.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  // Closes now; returns false when close() reported an error.
  bool Reset() {
    if (fd_ < 0) return true;
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0;
  }

 private:
  int fd_;
};

// Resolves args["path"] against the world's workspace.
bool Resolve(const json& args, const ToolContext& ctx, fs::path* out,
             std::string* rel, std::string* err) {
  if (ctx.world == nullptr) {
    *err = "no world is attached to this call";
    return false;
  }
  *rel = args.value("path", std::string("."));
  return ResolveWorkspacePath(ctx.world->workspace(), *rel, out, err);
}

// Writes `content` to `path` through a temporary file in the same directory
// and rename(2). Keeps the mode of an existing file, else 0644.
// "No space left on device" inside a world means its own disk is full
// (sandbox/world_disk.h): say which limit.
std::string SpaceError(int e, const ToolContext& ctx) {
  std::string err = std::strerror(e);
  if (e == ENOSPC && ctx.world != nullptr) {
    err += " (the world disk limit of " +
           std::to_string(ctx.world->options().shell.max_world_bytes >> 20) +
           " MiB is reached)";
  }
  return err;
}

bool WriteAtomically(const fs::path& path, std::string_view content,
                     const ToolContext& ctx, std::string* err) {
  mode_t mode = 0644;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  std::string tmpl = (path.parent_path() / ".endstate-write-XXXXXX").string();
  UniqueFd fd(::mkstemp(tmpl.data()));
  if (fd.get() < 0) {
    *err = SpaceError(errno, ctx);
    return false;
  }
  size_t done = 0;
  bool ok = true;
  while (ok && done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<size_t>(n);
  }
  if (ok) ok = ::fchmod(fd.get(), mode) == 0;
  if (!fd.Reset()) ok = false;
  if (ok) ok = ::rename(tmpl.c_str(), path.c_str()) == 0;
  if (!ok) {
    *err = SpaceError(errno, ctx);
    ::unlink(tmpl.c_str());
  }
  return ok;
}

ToolResult ReadFile(const json& args, const ToolContext& ctx) {
  fs::path path;
  std::string rel, err;
  if (!Resolve(args, ctx, &path, &rel, &err)) return ErrorResult(err);
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return ErrorResult("file not found: " + rel);
  if (fs::is_directory(st)) {
    return ErrorResult(rel +
                       " is a directory; use list_files to see what it holds");
  }
  const uintmax_t size = fs::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) return ErrorResult("cannot read " + rel);
  // Read only what can be shown (the whole file when there is no cap).
  size_t want = static_cast<size_t>(size);
  if (ctx.max_result_bytes > 0 && want > ctx.max_result_bytes) {
    want = ctx.max_result_bytes;
  }
  std::string data(want, '\0');
  in.read(data.data(), static_cast<std::streamsize>(want));
  data.resize(static_cast<size_t>(in.gcount()));
  if (LooksBinary(data, data.size() < size)) {
    return TextResult(rel + " is a binary file (" + std::to_string(size) +
                      " bytes); it cannot be shown as text");
  }
  if (size == 0) return TextResult("(" + rel + " is empty)");
  return TextResult(CapWithMarker(data, ctx.max_result_bytes, size));
}

ToolResult WriteFile(const json& args, const ToolContext& ctx) {
  fs::path path;
  std::string rel, err;
  if (!Resolve(args, ctx, &path, &rel, &err)) return ErrorResult(err);
  const auto& content = args.at("content").get_ref<const std::string&>();
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return ErrorResult(rel + " is a directory; give a file path");
  }
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return ErrorResult("cannot create the folders for " + rel + ": " +
                       ec.message());
  }
  if (!WriteAtomically(path, content, ctx, &err)) {
    return ErrorResult("cannot write " + rel + ": " + err);
  }
  return TextResult("wrote " + std::to_string(content.size()) + " bytes to " +
                    rel);
}

ToolResult EditFile(const json& args, const ToolContext& ctx) {
  fs::path path;
  std::string rel, err;
  if (!Resolve(args, ctx, &path, &rel, &err)) return ErrorResult(err);
  const auto& old_text = args.at("old_text").get_ref<const std::string&>();
  const auto& new_text = args.at("new_text").get_ref<const std::string&>();
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return ErrorResult("file not found: " + rel);
  if (fs::is_directory(st)) return ErrorResult(rel + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrorResult("cannot read " + rel);
  std::string data((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t count = 0, first = std::string::npos;
  for (size_t pos = data.find(old_text); pos != std::string::npos;
       pos = data.find(old_text, pos + old_text.size())) {
    if (count++ == 0) first = pos;
  }
  if (count == 0) return ErrorResult("old_text not found in " + rel);
  if (count > 1) {
    return ErrorResult("old_text occurs " + std::to_string(count) +
                       " times in " + rel +
                       "; include more context to make it unique");
  }
  data.replace(first, old_text.size(), new_text);
  if (!WriteAtomically(path, data, ctx, &err)) {
    return ErrorResult("cannot write " + rel + ": " + err);
  }
  return TextResult("edited " + rel + ": replaced 1 occurrence");
}

json PathProperty(const char* description) {
  return {{"type", "string"}, {"minLength", 1}, {"description", description}};
}

}  // namespace

std::unique_ptr<Tool> MakeReadFileTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "read_file",
          "Read a text file of the workspace. Returns its contents (cut at "
          "32 KiB with a marker). Binary files are reported, not shown.",
          {{"type", "object"},
           {"properties",
            {{"path", PathProperty("File path relative to the workspace "
                                   "(or absolute below /workspace), e.g. "
                                   "\"about.html\"")}}},
           {"required", {"path"}},
           {"additionalProperties", false}}},
      &ReadFile);
}

std::unique_ptr<Tool> MakeWriteFileTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "write_file",
          "Create or replace a file of the workspace with the given content. "
          "Missing parent folders are created.",
          {{"type", "object"},
           {"properties",
            {{"path", PathProperty("File path relative to the workspace, "
                                   "e.g. \"docs/index.html\"")},
             {"content",
              {{"type", "string"},
               {"description", "The complete new contents of the file"}}}}},
           {"required", {"path", "content"}},
           {"additionalProperties", false}}},
      &WriteFile);
}

std::unique_ptr<Tool> MakeEditFileTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "edit_file",
          "Replace one exact piece of text in a workspace file. old_text "
          "must occur exactly once in the file (include surrounding lines "
          "to make it unique); it is replaced by new_text.",
          {{"type", "object"},
           {"properties",
            {{"path", PathProperty("File path relative to the workspace")},
             {"old_text",
              {{"type", "string"},
               {"minLength", 1},
               {"description",
                "Exact text to replace, including whitespace and line "
                "breaks; must occur exactly once"}}},
             {"new_text",
              {{"type", "string"},
               {"description",
                "Text that replaces old_text (may be empty)"}}}}},
           {"required", {"path", "old_text", "new_text"}},
           {"additionalProperties", false}}},
      &EditFile);
}

}  // namespace endstate::tools
