// A deploy host for SSH tests: a temp dir below the worlds' base with a
// host root (www/index.html) and a running SshHost, plus a session to it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "sandbox/ssh_client.h"
#include "sandbox/ssh_host.h"
#include "util/files.h"

namespace endstate::sandbox::testing {

class SshHostFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    dir_ = util::MakeTempDir("/var/tmp/endstate-worlds", "ssh-test-", &err);
    ASSERT_FALSE(dir_.empty()) << err;
    root_ = dir_ / "root";
    std::filesystem::create_directories(root_ / "www");
    ASSERT_TRUE(util::WriteFile(root_ / "www/index.html", "<h1>old</h1>\n"));
    host_ = SshHost::Start(Options(), &err);
    ASSERT_TRUE(host_) << err;
    session_ = SshSession::Connect(host_->target(), &err);
    ASSERT_TRUE(session_) << err;
  }
  void TearDown() override {
    session_.reset();
    host_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  virtual SshHostOptions Options() {
    ShellLimits limits;
    limits.max_file_bytes = 1 << 20;
    return {.name = "prod.test",
            .root = root_,
            .state_dir = dir_ / "state",
            .limits = limits};
  }
  // Runs `command` with a 10 s timeout and 64 KiB output cap.
  ExecResult Run(const std::string& command) {
    ExecResult r;
    std::string err;
    EXPECT_TRUE(
        session_->Exec(command, std::chrono::seconds(10), 64 << 10, &r, &err))
        << err;
    return r;
  }

  std::filesystem::path dir_, root_;
  std::unique_ptr<SshHost> host_;
  std::unique_ptr<SshSession> session_;
};

}  // namespace endstate::sandbox::testing
