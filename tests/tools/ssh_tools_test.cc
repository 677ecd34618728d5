// scp_upload and ssh_exec against real, confined deploy hosts.
#include "tools/ssh_tools.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/ssh_world.h"

namespace endstate::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SshToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(world_.ok()) << world_.error();
    world_.mutable_options().shell.timeout = std::chrono::seconds(5);
    ASSERT_TRUE(world_.AddHost("prod.test", {{"www/index.html", "old\n"}}))
        << world_.error();
    ASSERT_TRUE(world_.AddHost("staging.test", {})) << world_.error();
    ctx_.world = &world_;
    WriteLocal("dist/index.html", "<h1>new</h1>\n");
  }
  void WriteLocal(const std::string& rel, const std::string& content) {
    fs::path p = world_.workspace() / rel;
    fs::create_directories(p.parent_path());
    ASSERT_TRUE(util::WriteFile(p, content));
  }
  fs::path Root(const std::string& host) { return world_.FindHost(host)->root; }
  ToolResult Upload(const json& args) { return upload_->Call(args, ctx_); }
  ToolResult Exec(const json& args) { return exec_->Call(args, ctx_); }

  testing::SshWorld world_;
  ToolContext ctx_;
  std::unique_ptr<Tool> upload_ = MakeScpUploadTool();
  std::unique_ptr<Tool> exec_ = MakeSshExecTool();
};

TEST_F(SshToolsTest, SchemasValidateTheirArguments) {
  EXPECT_EQ("scp_upload", upload_->schema().name);
  EXPECT_EQ("ssh_exec", exec_->schema().name);
  EXPECT_EQ("", ValidateArgs(upload_->schema().parameters,
                             {{"local_path", "a"},
                              {"host", "prod.test"},
                              {"remote_path", "/srv/www/a"},
                              {"make_dirs", true}}));
  EXPECT_EQ("missing required field 'remote_path'",
            ValidateArgs(upload_->schema().parameters,
                         {{"local_path", "a"}, {"host", "prod.test"}}));
  EXPECT_EQ("missing required field 'command'",
            ValidateArgs(exec_->schema().parameters, {{"host", "prod.test"}}));
}

TEST_F(SshToolsTest, UploadsAWorkspaceFile) {
  ToolResult r = Upload({{"local_path", "dist/index.html"},
                         {"host", "prod.test"},
                         {"remote_path", "/srv/www/index.html"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ("uploaded 13 bytes to prod.test:/srv/www/index.html", r.content);
  EXPECT_EQ("<h1>new</h1>\n",
            util::ReadFile(Root("prod.test") / "www/index.html").value_or(""));
  // The other host is untouched.
  EXPECT_FALSE(fs::exists(Root("staging.test") / "www/index.html"));
}

TEST_F(SshToolsTest, RelativeAndDirectoryDestinations) {
  ToolResult r = Upload({{"local_path", "dist/index.html"},
                         {"host", "staging.test"},
                         {"remote_path", "www/./a.html"}});
  EXPECT_EQ("uploaded 13 bytes to staging.test:/srv/www/a.html", r.content);
  r = Upload({{"local_path", "dist/index.html"},
              {"host", "staging.test"},
              {"remote_path", "/srv/www"}});
  EXPECT_EQ("uploaded 13 bytes to staging.test:/srv/www/index.html", r.content);
  r = Upload({{"local_path", "/workspace/dist/index.html"},
              {"host", "staging.test"},
              {"remote_path", "/srv/new/"},
              {"make_dirs", true}});
  EXPECT_EQ("uploaded 13 bytes to staging.test:/srv/new/index.html", r.content);
  EXPECT_TRUE(fs::exists(Root("staging.test") / "new/index.html"));
}

TEST_F(SshToolsTest, MissingDirectoryNeedsMakeDirs) {
  ToolResult r = Upload({{"local_path", "dist/index.html"},
                         {"host", "prod.test"},
                         {"remote_path", "/srv/www/docs/v2/index.html"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "upload to prod.test failed: no such directory: /srv/www/docs/v2 "
      "(set make_dirs to create it)",
      r.content);
  r = Upload({{"local_path", "dist/index.html"},
              {"host", "prod.test"},
              {"remote_path", "/srv/www/docs/v2/index.html"},
              {"make_dirs", true}});
  EXPECT_EQ("uploaded 13 bytes to prod.test:/srv/www/docs/v2/index.html",
            r.content);
}

TEST_F(SshToolsTest, UnknownHostListsTheWorldsHosts) {
  ToolResult r = Upload({{"local_path", "dist/index.html"},
                         {"host", "x.test"},
                         {"remote_path", "/srv/a"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "unknown host 'x.test'; deploy hosts in this world: prod.test, "
      "staging.test",
      r.content);
  r = Exec({{"host", "example.com"}, {"command", "true"}});
  EXPECT_EQ(
      "unknown host 'example.com'; deploy hosts in this world: prod.test, "
      "staging.test",
      r.content);
}

TEST_F(SshToolsTest, LocalPathIsConfinedToTheWorkspace) {
  ToolResult r = Upload({{"local_path", "../secret"},
                         {"host", "prod.test"},
                         {"remote_path", "/srv/a"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("path '../secret' leaves the workspace", r.content);
  r = Upload({{"local_path", "nope.txt"},
              {"host", "prod.test"},
              {"remote_path", "/srv/a"}});
  EXPECT_EQ("no such file in the workspace: nope.txt", r.content);
  r = Upload({{"local_path", "dist"},
              {"host", "prod.test"},
              {"remote_path", "/srv/a"}});
  EXPECT_EQ("'dist' is a directory; scp_upload sends one file at a time",
            r.content);
}

TEST_F(SshToolsTest, UploadOutsideSrvFails) {
  ToolResult r = Upload({{"local_path", "dist/index.html"},
                         {"host", "prod.test"},
                         {"remote_path", "/var/www/index.html"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "upload to prod.test failed: no such directory: /var/www (set "
      "make_dirs to create it); the host's files are below /srv",
      r.content);
}

TEST_F(SshToolsTest, KeepsExecutableBit) {
  WriteLocal("deploy.sh", "#!/bin/sh\necho deployed\n");
  ::chmod((world_.workspace() / "deploy.sh").c_str(), 0755);
  ASSERT_FALSE(Upload({{"local_path", "deploy.sh"},
                       {"host", "prod.test"},
                       {"remote_path", "deploy.sh"}})
                   .is_error);
  ToolResult r = Exec({{"host", "prod.test"}, {"command", "./deploy.sh"}});
  EXPECT_EQ("exit code 0\n--- stdout ---\ndeployed\n", r.content);
}

TEST_F(SshToolsTest, ExecRendersExitCodeAndStreams) {
  ToolResult r =
      Exec({{"host", "prod.test"},
            {"command", "cat www/index.html; echo bad >&2; exit 2"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("exit code 2\n--- stdout ---\nold\n--- stderr ---\nbad\n",
            r.content);
  r = Exec({{"host", "staging.test"}, {"command", "hostname; pwd"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(0, r.exit_code);
  EXPECT_EQ("exit code 0\n--- stdout ---\nstaging.test\n/srv\n", r.content);
}

TEST_F(SshToolsTest, ExecTimesOut) {
  world_.mutable_options().shell.timeout = std::chrono::milliseconds(500);
  ToolResult r = Exec({{"host", "prod.test"}, {"command", "sleep 10"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("timed out after 0.5s; the command was killed\n", r.content);
}

TEST_F(SshToolsTest, ExecOutputIsCapped) {
  world_.mutable_options().shell.max_output_bytes = 100;
  ToolResult r = Exec({{"host", "prod.test"}, {"command", "seq 1000"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_NE(std::string::npos,
            r.content.find("[output truncated: each stream keeps at most 100 "
                           "bytes]\n"))
      << r.content;
  EXPECT_LT(r.content.size(), 300u);
}

// The sessions of a deploy host share one memory cgroup of
// max_total_memory_bytes (sandbox/ssh_host.cc): an allocation bomb is
// killed inside it, the tool result says so (a tool error), and the host's
// sshd and the harness go on.
TEST_F(SshToolsTest, ExecMemoryTotalIsBounded) {
  if (!fs::exists("/sys/fs/cgroup/memory/tasks")) {
    GTEST_SKIP() << "no cgroup v1 memory controller: ssh_exec sessions run "
                    "without a memory total here";
  }
  world_.mutable_options().shell.max_total_memory_bytes = 256ull << 20;
  ASSERT_TRUE(world_.AddHost("mem.test", {})) << world_.error();
  ToolResult r = Exec(
      {{"host", "mem.test"},
       {"command", "python3 -c 'b = bytearray(600 << 20); print(len(b))'"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(137, r.exit_code);
  EXPECT_EQ(
      "exit code 137\n--- stderr ---\n[memory limit hit: the sessions of "
      "mem.test together (and their /tmp) may use at most 256 MiB; a process "
      "was killed]\n",
      r.content);
  r = Exec({{"host", "mem.test"}, {"command", "echo alive"}});
  EXPECT_EQ("exit code 0\n--- stdout ---\nalive\n", r.content);
  r = Exec(
      {{"host", "mem.test"},
       {"command", "python3 -c 'b = bytearray(100 << 20); print(len(b))'"}});
  EXPECT_EQ("exit code 0\n--- stdout ---\n104857600\n", r.content);
}

}  // namespace
}  // namespace endstate::tools
