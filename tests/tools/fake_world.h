// A World for tool tests that need only a workspace and HTTP host names:
// the workspace is a real temporary directory, the hosts map to real
// loopback servers started by the test. RunShell is not available (the
// shell tests use a real sandbox::World).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sandbox/world.h"
#include "util/files.h"

namespace endstate::tools::testing {

class FakeWorld : public sandbox::World {
 public:
  FakeWorld() {
    std::string err;
    dir_ = util::MakeTempDir("/tmp/endstate-tools-tests", "world-", &err);
    workspace_ = dir_ / "workspace";
    std::filesystem::create_directories(workspace_);
  }
  ~FakeWorld() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::map<std::string, std::string> http;  // host -> "127.0.0.1:PORT"

  const std::filesystem::path& dir() const override { return dir_; }
  const std::filesystem::path& workspace() const override { return workspace_; }
  const std::filesystem::path& initial_workspace() const override {
    return workspace_;
  }
  std::optional<std::filesystem::path> InitialHostRoot(
      const std::string&) const override {
    return std::nullopt;
  }
  const std::map<std::string, std::map<std::string, std::string>>&
  initial_refs() const override {
    return refs_;
  }
  std::vector<std::string> HttpHosts() const override {
    std::vector<std::string> hosts;
    for (const auto& [h, a] : http) hosts.push_back(h);
    return hosts;
  }
  std::optional<std::string> HttpAddress(
      const std::string& host) const override {
    auto it = http.find(host);
    if (it == http.end()) return std::nullopt;
    return it->second;
  }
  const std::vector<sandbox::DeployHost>& deploy_hosts() const override {
    return hosts_;
  }
  const sandbox::DeployHost* FindHost(const std::string&) const override {
    return nullptr;
  }
  sandbox::ProcessResult RunShell(const std::string&,
                                  const sandbox::ShellLimits&) const override {
    sandbox::ProcessResult r;
    r.error = "FakeWorld has no shell";
    return r;
  }
  bool RunOnHost(const std::string&, const std::string&,
                 const sandbox::ShellLimits&, sandbox::ExecResult*,
                 std::string* err) const override {
    *err = "FakeWorld has no hosts";
    return false;
  }
  const sandbox::WorldOptions& options() const override { return options_; }

 private:
  std::filesystem::path dir_, workspace_;
  std::map<std::string, std::map<std::string, std::string>> refs_;
  std::vector<sandbox::DeployHost> hosts_;
  sandbox::WorldOptions options_;
};

}  // namespace endstate::tools::testing
