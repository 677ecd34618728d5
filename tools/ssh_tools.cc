// scp_upload and ssh_exec: the model's only way onto the deploy hosts.
#include "tools/ssh_tools.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "sandbox/ssh_client.h"
#include "tools/builtin_tools.h"
#include "tools/text_limits.h"
#include "tools/workspace_path.h"
#include "util/files.h"

namespace endstate::tools {
using nlohmann::json;
namespace {

namespace fs = std::filesystem;

// Files larger than this are refused before connecting (the host's file
// size limit would cut them anyway).
constexpr uint64_t kMaxUploadBytes = 64ull << 20;

// The deploy host `name` of the world, or nullptr with a message listing
// the hosts the model may use.
const sandbox::DeployHost* FindDeployHost(const sandbox::World& world,
                                          const std::string& name,
                                          std::string* err) {
  std::string names;
  for (const auto& h : world.deploy_hosts()) {
    if (h.name == name) return &h;
    names += (names.empty() ? "" : ", ") + h.name;
  }
  *err = "unknown host '" + name + "'; " +
         (names.empty() ? "this world has no deploy hosts"
                        : "deploy hosts in this world: " + names);
  return nullptr;
}

// "30s", or "1.5s".
std::string Seconds(std::chrono::milliseconds ms) {
  std::string s = std::to_string(ms.count() / 1000);
  if (ms.count() % 1000 != 0) {
    std::string frac = std::to_string(ms.count() % 1000);
    s += "." + std::string(3 - frac.size(), '0') + frac;
    while (s.back() == '0') s.pop_back();
  }
  return s + "s";
}

ToolResult ScpUpload(const json& args, const ToolContext& ctx) {
  if (ctx.world == nullptr) return ErrorResult("no world is attached");
  const std::string local = args.at("local_path").get<std::string>();
  const std::string host_name = args.at("host").get<std::string>();
  std::string remote = args.at("remote_path").get<std::string>();
  const bool make_dirs = args.value("make_dirs", false);
  std::string err;
  const sandbox::DeployHost* host = FindDeployHost(*ctx.world, host_name, &err);
  if (!host) return ErrorResult(err);
  fs::path file;
  if (!ResolveWorkspacePath(ctx.world->workspace(), local, &file, &err)) {
    return ErrorResult(err);
  }
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) {
    return ErrorResult("no such file in the workspace: " + local);
  }
  if (S_ISDIR(st.st_mode)) {
    return ErrorResult("'" + local +
                       "' is a directory; scp_upload sends one file at a time");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxUploadBytes) {
    return ErrorResult("'" + local + "' is too large to upload (" +
                       std::to_string(st.st_size) + " bytes)");
  }
  std::optional<std::string> content = util::ReadFile(file, &err);
  if (!content) return ErrorResult("cannot read " + local + ": " + err);

  if (remote.empty()) return ErrorResult("remote_path is empty");
  const bool into_dir = remote.back() == '/';
  if (remote[0] != '/')
    remote = std::string(sandbox::kHostRootInside) + "/" + remote;
  remote = fs::path(remote).lexically_normal().generic_string();
  while (remote.size() > 1 && remote.back() == '/') remote.pop_back();

  auto session = sandbox::SshSession::Connect(host->ssh, &err);
  if (!session) return ErrorResult("cannot reach " + host_name + ": " + err);
  std::optional<sandbox::RemoteEntry> existing = session->Stat(remote, &err);
  if ((existing && existing->is_dir) || into_dir) {
    remote += "/" + file.filename().string();
  }
  // Keep the executable bits of scripts; everything else is rw-r--r--.
  const int mode = (st.st_mode & 0111) ? 0755 : 0644;
  if (!session->WriteFile(remote, *content, mode, make_dirs, &err)) {
    if (err.rfind("no such directory: ", 0) == 0) {
      err += " (set make_dirs to create it)";
    }
    if (remote.rfind(std::string(sandbox::kHostRootInside) + "/", 0) != 0) {
      err += "; the host's files are below /srv";
    }
    return ErrorResult("upload to " + host_name + " failed: " + err);
  }
  return TextResult("uploaded " + std::to_string(content->size()) +
                    " bytes to " + host_name + ":" + remote);
}

ToolResult SshExec(const json& args, const ToolContext& ctx) {
  if (ctx.world == nullptr) return ErrorResult("no world is attached");
  const std::string host_name = args.at("host").get<std::string>();
  const std::string command = args.at("command").get<std::string>();
  std::string err;
  const sandbox::DeployHost* host = FindDeployHost(*ctx.world, host_name, &err);
  if (!host) return ErrorResult(err);
  const sandbox::ShellLimits& limits = ctx.world->options().shell;
  auto session = sandbox::SshSession::Connect(host->ssh, &err);
  if (!session) return ErrorResult("cannot reach " + host_name + ": " + err);
  sandbox::ExecResult er;
  if (!session->Exec(command, limits.timeout, limits.max_output_bytes, &er,
                     &err)) {
    return ErrorResult("ssh_exec on " + host_name + " failed: " + err);
  }
  ToolResult r;
  r.exit_code = er.exit_code;
  const std::string status =
      er.timed_out ? "timed out after " + Seconds(limits.timeout) +
                         "; the command was killed"
                   : "exit code " + std::to_string(er.exit_code);
  std::string notes;
  if (er.output_truncated) {
    notes = "[output truncated: each stream keeps at most " +
            std::to_string(limits.max_output_bytes) + " bytes]\n";
  }
  r.content =
      RenderProcessOutput(status, SanitizeUtf8(er.out), SanitizeUtf8(er.err),
                          notes, ctx.max_result_bytes);
  r.is_error = er.timed_out || er.exit_code != 0;
  return r;
}

}  // namespace

std::unique_ptr<Tool> MakeScpUploadTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "scp_upload",
          "Upload one file from the workspace to a deploy host (over SFTP). "
          "On the host, its files are below /srv (the web root is "
          "/srv/www). Replaces an existing file.",
          {{"type", "object"},
           {"properties",
            {{"local_path",
              {{"type", "string"},
               {"minLength", 1},
               {"description", "File in the workspace, e.g. dist/index.html"}}},
             {"host",
              {{"type", "string"},
               {"minLength", 1},
               {"description", "Deploy host name, e.g. prod.test"}}},
             {"remote_path",
              {{"type", "string"},
               {"minLength", 1},
               {"description",
                "Destination on the host: absolute (/srv/www/index.html) or "
                "relative to /srv; a directory keeps the file's name"}}},
             {"make_dirs",
              {{"type", "boolean"},
               {"description",
                "Create missing parent directories (default false)"}}}}},
           {"required", {"local_path", "host", "remote_path"}},
           {"additionalProperties", false}}},
      &ScpUpload);
}

std::unique_ptr<Tool> MakeSshExecTool() {
  return std::make_unique<FunctionTool>(
      ToolSchema{
          "ssh_exec",
          "Run a command with `bash -c` on a deploy host, in /srv (the "
          "host's files; the web root is /srv/www). No network access from "
          "there; time and output are limited. Returns the exit code, then "
          "stdout and stderr.",
          {{"type", "object"},
           {"properties",
            {{"host",
              {{"type", "string"},
               {"minLength", 1},
               {"description", "Deploy host name, e.g. prod.test"}}},
             {"command",
              {{"type", "string"},
               {"minLength", 1},
               {"description", "The bash command line to run"}}}}},
           {"required", {"host", "command"}},
           {"additionalProperties", false}}},
      &SshExec);
}

}  // namespace endstate::tools
