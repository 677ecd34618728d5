// World: the directory layout of one attempt and the servers around it.
//
//   <base>/<task-id>-<pid>-<n>-<rand>/
//     workspace/              the agent's workspace (bound at /workspace)
//     initial/workspace/      pristine copy, after the repos were built
//     initial/hosts/<name>/   pristine copy of each deploy host's root
//     hosts/<name>/root/      the host's live root (bound at /srv by sshd)
//     hosts/<name>/ssh/       sshd config, pid file, logs, known_hosts
//
// One FixtureServer serves task.world.sites straight from the task folder
// (read-only, nothing to copy) and each deploy host's live docroot.
#include "sandbox/world.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <system_error>
#include <utility>

#include "sandbox/fixture_server.h"
#include "sandbox/git_builder.h"
#include "sandbox/ssh_host.h"
#include "sandbox/world_disk.h"
#include "sandbox/world_sweep.h"
#include "util/confine.h"
#include "util/files.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;

// Copies each layer of `tree` into `to`, in order; later layers replace
// earlier files (tasks/task.h Tree).
bool CopyLayers(const tasks::Tree& tree, const fs::path& to, std::string* err) {
  for (const tasks::TreeLayer& layer : tree.layers) {
    if (!util::CopyTree(layer.from, to / layer.at, err)) return false;
  }
  return true;
}

// "Site.Test:8080" -> "site.test".
std::string NormalizeHost(std::string host) {
  size_t colon = host.rfind(':');
  if (colon != std::string::npos) host.resize(colon);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return host;
}

class LiveWorld : public World {
 public:
  LiveWorld(fs::path dir, WorldOptions options)
      : options_(std::move(options)),
        dir_(std::move(dir)),
        workspace_(dir_ / "workspace"),
        initial_workspace_(dir_ / "initial" / "workspace") {}

  ~LiveWorld() override {
    fixture_.reset();
    ssh_hosts_.clear();
    // A kept world moves off its tmpfs (or, when it cannot, stays on it
    // intact: world_disk.h).
    std::string unused;
    if (options_.keep && options_.shell.max_world_bytes > 0) {
      KeepWorldDisk(dir_, &unused);
    }
    if (!options_.keep && !dir_.empty()) {
      UnmountWorldDisk(dir_);
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  bool Build(const tasks::Task& task, std::string* err) {
    std::error_code ec;
    if (!task.world.workspace.empty()) {
      if (!CopyLayers(task.world.workspace, workspace_, err)) return false;
    } else if (!fs::create_directories(workspace_, ec) && ec) {
      *err = "cannot create " + workspace_.string() + ": " + ec.message();
      return false;
    }
    for (const tasks::RepoSpec& repo : task.world.repos) {
      std::string repo_err;
      if (!BuildRepo(workspace_, repo, &initial_refs_[repo.path], &repo_err)) {
        *err = "repo " + repo.path + ": " + repo_err;
        return false;
      }
    }
    if (!util::CopyTree(workspace_, initial_workspace_, err)) return false;
    for (const tasks::HostSpec& spec : task.world.hosts) {
      if (!AddHost(spec, err)) return false;
    }
    return StartFixtureServer(task, err);
  }

  const fs::path& dir() const override { return dir_; }
  const fs::path& workspace() const override { return workspace_; }
  const fs::path& initial_workspace() const override {
    return initial_workspace_;
  }
  std::optional<fs::path> InitialHostRoot(
      const std::string& host) const override {
    auto it = initial_hosts_.find(host);
    if (it == initial_hosts_.end()) return std::nullopt;
    return it->second;
  }
  const std::map<std::string, std::map<std::string, std::string>>&
  initial_refs() const override {
    return initial_refs_;
  }

  std::vector<std::string> HttpHosts() const override { return http_hosts_; }
  std::optional<std::string> HttpAddress(
      const std::string& host) const override {
    std::string name = NormalizeHost(host);
    if (!fixture_ ||
        !std::binary_search(http_hosts_.begin(), http_hosts_.end(), name)) {
      return std::nullopt;
    }
    return "127.0.0.1:" + std::to_string(fixture_->port());
  }

  const std::vector<DeployHost>& deploy_hosts() const override {
    return hosts_;
  }
  const DeployHost* FindHost(const std::string& name) const override {
    for (const DeployHost& h : hosts_) {
      if (h.name == name) return &h;
    }
    return nullptr;
  }

  ProcessResult RunShell(const std::string& command,
                         const ShellLimits& limits) const override {
    ProcessSpec spec = ShellSpec(command, limits);
    spec.abort_on_stop = true;  // the agent's commands end with a stopped run
    return RunProcess(spec);
  }

  ProcessResult RunCheckCommand(const std::string& command,
                                const ShellLimits& limits) const override {
    ProcessSpec spec = ShellSpec(command, limits);
    spec.argv = {"/bin/bash", "-o", "pipefail", "-c", command};
    for (auto& [key, value] : spec.env) {
      if (key == "HOME") value = "/tmp";  // a fresh tmpfs, not the workspace
    }
    spec.env.insert(spec.env.end(),
                    {// What python3 -I does, for every python3 the command
                     // starts: no cwd or script directory on sys.path (a
                     // planted re.py), no user site, no PYTHON* variables.
                     {"PYTHONSAFEPATH", "1"},
                     {"PYTHONNOUSERSITE", "1"},
                     // No ~/.gitconfig the agent could have written.
                     {"GIT_CONFIG_GLOBAL", "/dev/null"}});
    return RunProcess(spec);
  }

 private:
  ProcessSpec ShellSpec(const std::string& command,
                        const ShellLimits& limits) const {
    ProcessSpec spec;
    spec.argv = {"/bin/bash", "-c", command};
    Mount workspace;
    workspace.host = workspace_;
    workspace.inside = kWorkspaceInside;
    workspace.writable = true;
    spec.mounts = {workspace};
    spec.workdir = kWorkspaceInside;
    spec.env = {
        {"PATH", "/usr/local/bin:/usr/bin:/bin"},
        {"HOME", kWorkspaceInside},
        {"LANG", "C.UTF-8"},
        {"GIT_AUTHOR_NAME", "Endstate Agent"},
        {"GIT_AUTHOR_EMAIL", "agent@lab.test"},
        {"GIT_COMMITTER_NAME", "Endstate Agent"},
        {"GIT_COMMITTER_EMAIL", "agent@lab.test"},
        {"GIT_CONFIG_NOSYSTEM", "1"},
        // `git config safe.directory '*'` without a config file: the
        // workspace is owned by the host's root, not by uid 1000.
        {"GIT_CONFIG_COUNT", "1"},
        {"GIT_CONFIG_KEY_0", "safe.directory"},
        {"GIT_CONFIG_VALUE_0", "*"},
    };
    spec.limits = limits;
    return spec;
  }

 public:
  bool RunOnHost(const std::string& host, const std::string& command,
                 const ShellLimits& limits, ExecResult* result,
                 std::string* err) const override {
    const DeployHost* target = FindHost(host);
    if (!target) {
      *err = "unknown host: " + host;
      return false;
    }
    std::unique_ptr<SshSession> session = SshSession::Connect(target->ssh, err);
    if (!session) return false;
    return session->Exec(command, limits.timeout, limits.max_output_bytes,
                         result, err);
  }

  const WorldOptions& options() const override { return options_; }

 private:
  bool AddHost(const tasks::HostSpec& spec, std::string* err) {
    if (FindHost(spec.name)) {
      *err = "host " + spec.name + " is declared twice";
      return false;
    }
    fs::path host_dir = dir_ / "hosts" / spec.name;
    DeployHost host;
    host.name = spec.name;
    host.root = host_dir / "root";
    std::error_code ec;
    if (!CopyLayers(spec.files, host.root, err)) return false;
    fs::create_directories(host.root, ec);  // for the check (no files)
    // The host's files may hold symlinks (`srv -> /`): the docroot is
    // created and served only where the one confinement rule allows.
    std::string why;
    if (util::ResolveBelow(
            {.root = host.root, .inside = "", .name = "the host root"},
            spec.docroot, &host.docroot, &why) != util::ConfineError::kNone) {
      *err = "host " + spec.name + ": docroot: " + why;
      return false;
    }
    // The docroot exists from the start, as on a real web host.
    fs::create_directories(host.docroot, ec);
    if (ec) {
      *err = "cannot create " + host.docroot.string() + ": " + ec.message();
      return false;
    }
    fs::path initial = dir_ / "initial" / "hosts" / spec.name;
    if (!util::CopyTree(host.root, initial, err)) return false;
    initial_hosts_[spec.name] = initial;

    SshHostOptions ssh;
    ssh.name = spec.name;
    ssh.root = host.root;
    ssh.state_dir = host_dir / "ssh";
    ssh.limits = options_.shell;
    std::string ssh_err;
    std::unique_ptr<SshHost> sshd = SshHost::Start(ssh, &ssh_err);
    if (!sshd) {
      *err = "host " + spec.name + ": " + ssh_err;
      return false;
    }
    host.ssh = sshd->target();
    ssh_hosts_.push_back(std::move(sshd));
    hosts_.push_back(std::move(host));
    return true;
  }

  bool StartFixtureServer(const tasks::Task& task, std::string* err) {
    std::map<std::string, ServedDir> served;
    for (const auto& [name, site_dir] : task.world.sites) {
      served[NormalizeHost(name)] = {.dir = site_dir, .jail = site_dir};
    }
    // A host session may replace the docroot by a symlink: the host root
    // (bound at /srv, not replaceable from inside) is the jail.
    for (const DeployHost& host : hosts_) {
      if (!served
               .emplace(NormalizeHost(host.name),
                        ServedDir{.dir = host.docroot, .jail = host.root})
               .second) {
        *err = "host " + host.name + " is both a site and a deploy host";
        return false;
      }
    }
    for (const auto& entry : served) http_hosts_.push_back(entry.first);
    fixture_ = FixtureServer::StartJailed(served, err);
    return fixture_ != nullptr;
  }

  const WorldOptions options_;
  const fs::path dir_, workspace_, initial_workspace_;
  std::map<std::string, fs::path> initial_hosts_;
  std::map<std::string, std::map<std::string, std::string>> initial_refs_;
  std::vector<DeployHost> hosts_;
  std::vector<std::unique_ptr<SshHost>> ssh_hosts_;
  std::unique_ptr<FixtureServer> fixture_;
  std::vector<std::string> http_hosts_;  // sorted (from a std::map)
};

}  // namespace

std::unique_ptr<World> World::Create(const tasks::Task& task,
                                     const WorldOptions& options,
                                     std::string* err) {
  if (BwrapPath().empty()) {
    *err = "bwrap not found: apt-get install bubblewrap";
    return nullptr;
  }
  std::string prefix = (task.id.empty() ? std::string("world") : task.id) + "-";
  fs::path dir = util::MakeTempDir(options.base, prefix, err);
  if (dir.empty()) return nullptr;
  // The world lives wherever options.base says; keep it root-only writable
  // like the base (sshd is picky about the paths it reads).
  ::chmod(dir.c_str(), 0755);
  if (options.shell.max_world_bytes > 0 &&
      !MountWorldDisk(dir, options.shell.max_world_bytes, err)) {
    std::error_code ec;
    fs::remove(dir, ec);
    return nullptr;
  }
  // A kept world outlives its process on purpose: SweepStaleWorlds must
  // leave it alone.
  if (options.keep) util::WriteFile(dir / kKeepMarker, "");
  auto world = std::make_unique<LiveWorld>(dir, options);
  if (!world->Build(task, err)) return nullptr;  // ~LiveWorld cleans up
  return world;
}

}  // namespace endstate::sandbox
