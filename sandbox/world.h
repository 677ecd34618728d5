// The per-attempt world: a fresh workspace, the fixture web hosts, the SSH
// deploy hosts. Everything an attempt may touch lives below one directory,
// and concurrent worlds never share files.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/process.h"
#include "sandbox/ssh_client.h"
#include "tasks/task.h"

namespace endstate::sandbox {

// Inside the sandbox the workspace is always here (shell cwd, tool paths).
inline constexpr char kWorkspaceInside[] = "/workspace";
// Inside a deploy host's sandbox its writable root is here; its docroot is
// kHostRootInside + "/" + HostSpec::docroot.
inline constexpr char kHostRootInside[] = "/srv";

struct WorldOptions {
  // Worlds are created below this directory. Every component must be owned
  // by root and not group/world-writable when deploy hosts are used (sshd
  // refuses otherwise), hence not /tmp.
  std::filesystem::path base = "/var/tmp/endstate-worlds";
  bool keep = false;  // leave the directory on disk after destruction
                      // (copied off its tmpfs: world_disk.h)
  ShellLimits shell;  // defaults for run_shell / ssh_exec / command checks
};

// A deploy host of a live world.
struct DeployHost {
  std::string name;               // "prod.test"
  std::filesystem::path root;     // host dir bound at /srv inside
  std::filesystem::path docroot;  // absolute host path served live
  SshTarget ssh;                  // how to reach its sshd
};

class World {
 public:
  // Builds the world for `task`: copies the workspace, builds the task's git
  // repositories, copies each host's initial tree, starts one fixture HTTP
  // server serving every site and every host's docroot by Host header, and
  // one sshd per deploy host. Returns nullptr and sets *err (naming the
  // missing dependency and how to install it, e.g. "bwrap not found: apt-get
  // install bubblewrap") on failure. Thread-safe across worlds.
  static std::unique_ptr<World> Create(const tasks::Task& task,
                                       const WorldOptions& options,
                                       std::string* err);
  // Stops the servers, then removes the directory unless options.keep.
  virtual ~World() = default;

  virtual const std::filesystem::path& dir() const = 0;        // world root
  virtual const std::filesystem::path& workspace() const = 0;  // host path
  // A pristine copy of the initial workspace (after repos were built), for
  // `unchanged` checks.
  virtual const std::filesystem::path& initial_workspace() const = 0;
  // A pristine copy of each host's initial root, keyed by host name.
  virtual std::optional<std::filesystem::path> InitialHostRoot(
      const std::string& host) const = 0;
  // Branch/tag refs of each repo right after it was built:
  // repo path -> ("refs/heads/main" -> hex commit id).
  virtual const std::map<std::string, std::map<std::string, std::string>>&
  initial_refs() const = 0;

  // Host names served over HTTP ("site.test", "prod.test", ...).
  virtual std::vector<std::string> HttpHosts() const = 0;
  // "127.0.0.1:PORT" serving `host` (any port the URL named), or nullopt
  // when `host` is not part of this world.
  virtual std::optional<std::string> HttpAddress(
      const std::string& host) const = 0;

  virtual const std::vector<DeployHost>& deploy_hosts() const = 0;
  virtual const DeployHost* FindHost(const std::string& name) const = 0;

  // Runs `bash -c command` isolated, cwd /workspace, workspace writable.
  virtual ProcessResult RunShell(const std::string& command,
                                 const ShellLimits& limits) const = 0;
  // Runs a `command` check's command: as RunShell, but the agent cannot
  // plant what it runs with: HOME is an empty tmpfs (/tmp), python3 runs
  // as with -I (PYTHONSAFEPATH, PYTHONNOUSERSITE; -E holds as the
  // environment is fixed), no global git config, and `bash -o pipefail`
  // so a failing command in a pipeline fails the check. cwd stays
  // /workspace for the task's relative paths. The default (for test
  // worlds) is RunShell.
  virtual ProcessResult RunCheckCommand(const std::string& command,
                                        const ShellLimits& limits) const {
    return RunShell(command, limits);
  }
  // Runs `bash -c command` on `host` through its sshd (a fresh session), as
  // the ssh_exec tool does; the command is confined like RunShell with the
  // host root at /srv. Returns false and sets *err when the host is unknown
  // or unreachable.
  virtual bool RunOnHost(const std::string& host, const std::string& command,
                         const ShellLimits& limits, ExecResult* result,
                         std::string* err) const = 0;
  virtual const WorldOptions& options() const = 0;
};

}  // namespace endstate::sandbox
