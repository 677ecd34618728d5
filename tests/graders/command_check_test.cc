// The command check, run in the real bubblewrap sandbox.
#include <gtest/gtest.h>

#include "sandbox/process.h"
#include "tests/graders/grader_fixture.h"

namespace endstate::graders::testing {
namespace {

using nlohmann::json;

class CommandCheckTest : public GraderTest {
 protected:
  void SetUp() override {
    ASSERT_FALSE(sandbox::BwrapPath().empty()) << "bwrap not installed: scripts/bootstrap";
    GraderTest::SetUp();
    WriteTaskFile("workspace/data.csv", "model,tps\nqwen,41.5\n");
    Start();
  }
};

TEST_F(CommandCheckTest, ExitCodeAndStdout) {
  CheckResult r = Run({{"kind", "command"}, {"run", "test -f data.csv"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  EXPECT_EQ("command: exit code 0", r.detail);
  EXPECT_EQ("command", r.kind);
  EXPECT_GT(r.duration_ms, 0);
  r = Run({{"kind", "command"},
           {"run", "grep -c qwen data.csv"},
           {"stdout_contains", {"1"}}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  r = Run({{"kind", "command"}, {"run", "grep -c llama data.csv"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("command: exit code 1, want 0; last output \"0\"", r.detail);
  r = Run({{"kind", "command"},
           {"run", "grep -c llama data.csv"},
           {"exit_code", 1}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  r = Run({{"kind", "command"},
           {"run", "cat data.csv"},
           {"stdout_contains", {"qwen", "llama", "mistral"}}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("command: stdout lacks \"llama\", \"mistral\"", r.detail);
  r = Run({{"kind", "command"}, {"run", "echo oops >&2; exit 3"}});
  EXPECT_EQ("command: exit code 3, want 0; last output \"oops\"", r.detail);
}

TEST_F(CommandCheckTest, SeesTheFinalWorkspaceWithoutNetwork) {
  Put("out/result.txt", "done\n");
  CheckResult r = Run({{"kind", "command"},
                       {"run", "cat out/result.txt"},
                       {"stdout_contains", "done"}});
  EXPECT_EQ(Verdict::kPassed, r.verdict) << r.detail;
  r = Run({{"kind", "command"},
           {"run", "exec 3<>/dev/tcp/1.1.1.1/80 && echo connected"}});
  EXPECT_EQ(Verdict::kFailed, r.verdict) << r.detail;
}

TEST_F(CommandCheckTest, Timeout) {
  CheckResult r =
      Run({{"kind", "command"}, {"run", "sleep 5"}, {"timeout_s", 1}});
  EXPECT_EQ(Verdict::kFailed, r.verdict);
  EXPECT_EQ("command: timed out after 1 s", r.detail);
  EXPECT_LT(r.duration_ms, 4000);
}

TEST(CommandValidation, Messages) {
  EXPECT_EQ("run: missing field (expected a bash command)",
            Invalid({{"kind", "command"}}));
  EXPECT_EQ("run: expected a bash command, got [\"ls\"]",
            Invalid({{"kind", "command"}, {"run", {"ls"}}}));
  EXPECT_EQ("exit_code: expected an integer from 0 to 255, got 300",
            Invalid({{"kind", "command"}, {"run", "ls"}, {"exit_code", 300}}));
  EXPECT_EQ("timeout_s: expected an integer from 1 to 600, got 0",
            Invalid({{"kind", "command"}, {"run", "ls"}, {"timeout_s", 0}}));
  EXPECT_EQ(
      "stdout_contains: expected a text or a list of texts, got 3",
      Invalid({{"kind", "command"}, {"run", "ls"}, {"stdout_contains", 3}}));
}

}  // namespace
}  // namespace endstate::graders::testing
