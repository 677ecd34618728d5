// run_shell and web_fetch (and the file tools alongside them) in a real
// sandbox::World: real bubblewrap, real fixture HTTP server.
#include <gtest/gtest.h>

#include "sandbox/world.h"
#include "tools/builtin_tools.h"
#include "util/files.h"

namespace endstate::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class WorldToolsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string err;
    task_dir_ = new fs::path(
        util::MakeTempDir("/tmp/endstate-tools-tests", "task-", &err));
    ASSERT_FALSE(task_dir_->empty()) << err;
    fs::create_directories(*task_dir_ / "workspace");
    fs::create_directories(*task_dir_ / "site/docs");
    util::WriteFile(*task_dir_ / "workspace/hello.txt", "hello\n");
    util::WriteFile(*task_dir_ / "site/index.html",
                    "<html><head><title>Lab</title></head><body><h1>Welcome"
                    "</h1><p>Read the <a href=\"/docs/\">docs</a>.</p>"
                    "</body></html>");
    util::WriteFile(*task_dir_ / "site/docs/index.html", "<h2>Docs</h2>");
    util::WriteFile(*task_dir_ / "site/data.json", "{\"n\": 1}\n");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*task_dir_, ec);
    delete task_dir_;
  }

  void SetUp() override {
    tasks::Task task;
    task.id = "tools-world-test";
    task.dir = *task_dir_;
    task.world.workspace = *task_dir_ / "workspace";
    task.world.sites["site.test"] = *task_dir_ / "site";
    sandbox::WorldOptions options;
    options.shell.max_output_bytes = 1000;
    std::string err;
    world_ = sandbox::World::Create(task, options, &err);
    ASSERT_NE(nullptr, world_) << err;
    ctx_.world = world_.get();
  }

  ToolResult Run(const std::unique_ptr<Tool>& tool, const json& args) {
    EXPECT_EQ("", ValidateArgs(tool->schema().parameters, args));
    return tool->Call(args, ctx_);
  }

  static fs::path* task_dir_;
  std::unique_ptr<sandbox::World> world_;
  ToolContext ctx_;
  std::unique_ptr<Tool> shell_ = MakeRunShellTool();
  std::unique_ptr<Tool> fetch_ = MakeWebFetchTool();
  std::unique_ptr<Tool> write_ = MakeWriteFileTool();
  std::unique_ptr<Tool> read_ = MakeReadFileTool();
};
fs::path* WorldToolsTest::task_dir_ = nullptr;

TEST_F(WorldToolsTest, RunShellReportsExitCodeAndStreams) {
  ToolResult r = Run(shell_, {{"command", "pwd; cat hello.txt"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(0, r.exit_code);
  EXPECT_EQ("exit code 0\n--- stdout ---\n/workspace\nhello\n", r.content);

  r = Run(shell_, {{"command", "echo out; echo err >&2; exit 3"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(3, r.exit_code);
  EXPECT_EQ("exit code 3\n--- stdout ---\nout\n--- stderr ---\nerr\n",
            r.content);

  r = Run(shell_, {{"command", "true"}});
  EXPECT_EQ("exit code 0\n", r.content);
}

TEST_F(WorldToolsTest, RunShellTimeoutAndOutputCap) {
  ToolResult r = Run(shell_, {{"command", "sleep 30"}, {"timeout_s", 1}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("timed out after 1s; the process tree was killed\n", r.content);

  r = Run(shell_, {{"command", "head -c 5000 /dev/zero | tr '\\0' a"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ("exit code 0\n--- stdout ---\n" + std::string(1000, 'a') +
                "\n[output truncated: each stream keeps at most 1000 bytes]\n",
            r.content);
}

TEST_F(WorldToolsTest, ShellAndFileToolsSeeTheSameWorkspace) {
  ToolResult r = Run(write_, {{"path", "new/x.txt"}, {"content", "from tool"}});
  ASSERT_FALSE(r.is_error) << r.content;
  r = Run(shell_, {{"command",
                    "cat /workspace/new/x.txt && "
                    "ln -s /workspace/hello.txt link && "
                    "ln -s /etc/passwd bad"}});
  EXPECT_EQ("exit code 0\n--- stdout ---\nfrom tool\n", r.content);
  // A link made inside the sandbox with an absolute /workspace target.
  EXPECT_EQ("hello\n", Run(read_, {{"path", "link"}}).content);
  r = Run(read_, {{"path", "bad"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("path 'bad' leaves the workspace through symlink 'bad'", r.content);
}

TEST_F(WorldToolsTest, WebFetchServesTheWorldsSites) {
  ToolResult r = Run(fetch_, {{"url", "http://site.test/"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(
      "HTTP 200 http://site.test/\n\nTitle: Lab\n\n# Welcome\n\nRead the "
      "docs [/docs/].\n",
      r.content);
  r = Run(fetch_, {{"url", "http://site.test/docs/"}});
  EXPECT_EQ("HTTP 200 http://site.test/docs/\n\n## Docs\n", r.content);
  r = Run(fetch_, {{"url", "http://site.test/data.json"}});
  EXPECT_EQ("HTTP 200 http://site.test/data.json\n\n{\"n\": 1}\n", r.content);
}

TEST_F(WorldToolsTest, WebFetchRefusals) {
  ToolResult r = Run(fetch_, {{"url", "http://site.test/missing.html"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("HTTP 404 http://site.test/missing.html\n\n404 not found\n",
            r.content);
  r = Run(fetch_, {{"url", "http://example.com/"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("host 'example.com' is not part of this world; hosts: site.test",
            r.content);
  r = Run(fetch_, {{"url", "file:///etc/passwd"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "only http:// URLs of this world's hosts can be fetched (hosts: "
      "site.test)",
      r.content);
}

}  // namespace
}  // namespace endstate::tools
