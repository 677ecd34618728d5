// A sandbox::World for tests of the SSH tools and remote checks: a real
// workspace directory and real deploy hosts (SshHost: sshd on loopback,
// confined sessions), each with a pristine initial copy of its root. No
// HTTP hosts and no shell. Header-only.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "sandbox/ssh_host.h"
#include "sandbox/world.h"
#include "util/files.h"

namespace endstate::testing {

class SshWorld : public sandbox::World {
 public:
  // Creates the world directory (below the worlds' base: sshd wants a
  // root-owned path) with an empty workspace. Check ok() / error().
  SshWorld() {
    dir_ = util::MakeTempDir("/var/tmp/endstate-worlds", "ssh-world-", &error_);
    workspace_ = dir_ / "workspace";
    std::filesystem::create_directories(workspace_);
  }
  ~SshWorld() override {
    ssh_hosts_.clear();  // stop sshd before removing its files
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  bool ok() const { return !dir_.empty() && error_.empty(); }
  const std::string& error() const { return error_; }

  // Adds deploy host `name` whose root holds `files` (relative path ->
  // content), snapshots it as the initial copy and starts its sshd.
  bool AddHost(const std::string& name,
               const std::map<std::string, std::string>& files) {
    namespace fs = std::filesystem;
    fs::path root = dir_ / "hosts" / name;
    fs::create_directories(root / "www");
    for (const auto& [rel, content] : files) {
      fs::create_directories((root / rel).parent_path());
      if (!util::WriteFile(root / rel, content, &error_)) return false;
    }
    if (!util::CopyTree(root, dir_ / "initial" / name, &error_)) return false;
    sandbox::SshHostOptions o;
    o.name = name;
    o.root = root;
    o.state_dir = dir_ / "ssh" / name;
    o.limits = options_.shell;
    auto host = sandbox::SshHost::Start(o, &error_);
    if (!host) return false;
    hosts_.push_back({.name = name,
                      .root = root,
                      .docroot = root / "www",
                      .ssh = host->target()});
    ssh_hosts_.push_back(std::move(host));
    return true;
  }

  sandbox::WorldOptions& mutable_options() { return options_; }

  const std::filesystem::path& dir() const override { return dir_; }
  const std::filesystem::path& workspace() const override { return workspace_; }
  const std::filesystem::path& initial_workspace() const override {
    return workspace_;
  }
  std::optional<std::filesystem::path> InitialHostRoot(
      const std::string& host) const override {
    if (!FindHost(host)) return std::nullopt;
    return dir_ / "initial" / host;
  }
  const std::map<std::string, std::map<std::string, std::string>>&
  initial_refs() const override {
    return refs_;
  }
  std::vector<std::string> HttpHosts() const override { return {}; }
  std::optional<std::string> HttpAddress(const std::string&) const override {
    return std::nullopt;
  }
  const std::vector<sandbox::DeployHost>& deploy_hosts() const override {
    return hosts_;
  }
  const sandbox::DeployHost* FindHost(const std::string& name) const override {
    for (const auto& h : hosts_) {
      if (h.name == name) return &h;
    }
    return nullptr;
  }
  sandbox::ProcessResult RunShell(const std::string&,
                                  const sandbox::ShellLimits&) const override {
    sandbox::ProcessResult r;
    r.error = "SshWorld has no shell";
    return r;
  }
  bool RunOnHost(const std::string&, const std::string&,
                 const sandbox::ShellLimits&, sandbox::ExecResult*,
                 std::string* err) const override {
    *err = "this test world runs no host commands";
    return false;
  }
  const sandbox::WorldOptions& options() const override { return options_; }

 private:
  std::string error_;
  std::filesystem::path dir_, workspace_;
  std::map<std::string, std::map<std::string, std::string>> refs_;
  std::vector<sandbox::DeployHost> hosts_;
  std::vector<std::unique_ptr<sandbox::SshHost>> ssh_hosts_;
  sandbox::WorldOptions options_;
};

}  // namespace endstate::testing
