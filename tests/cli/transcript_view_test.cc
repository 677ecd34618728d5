// The text and JSON forms of a recorded attempt (`endstate show`).
#include "cli/transcript_view.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "cli/terminal.h"

namespace endstate::cli {
namespace {

results::Transcript Small() {
  results::Transcript t;
  t.attempt = {.id = 3,
               .run_id = 1,
               .model = "m",
               .task = "t",
               .task_title = "A task",
               .epoch = 2,
               .try_number = 2,
               .parent_attempt_id = 1,
               .status = "finished",
               .outcome = "error",
               .termination = "model_error",
               .error = "HTTP 503",
               .turns = 1,
               .prompt_tokens = 10,
               .completion_tokens = 3,
               .wall_ms = 12.34,
               .started_at = "S",
               .finished_at = "F"};
  results::TurnRecord turn;
  turn.index = 0;
  turn.raw_request =
      R"({"messages":[{"role":"system","content":"sys"},{"role":"user","content":"Do it.\nNow."}]})";
  for (int i = 1; i <= 10; ++i)
    turn.reasoning += "r" + std::to_string(i) + "\n";
  turn.finish_reason = "tool_calls";
  turn.prompt_tokens = 10;
  turn.completion_tokens = -1;
  turn.ttft_ms = 1.5;
  turn.duration_ms = 2;
  results::ToolCallRecord call;
  call.call_id = "c1";
  call.name = "run_shell";
  call.arguments_raw = R"({"command":"ls"})";
  call.result = std::string(20, 'x');
  call.exit_code = 0;
  call.duration_ms = 0.25;
  turn.tool_calls.push_back(call);
  t.turns.push_back(turn);
  t.checks.push_back(
      {.index = 0,
       .kind = "file_contains",
       .spec_json = R"({"name":"has it","kind":"file_contains"})",
       .verdict = "error",
       .detail = "cannot read"});
  return t;
}

TEST(TranscriptViewTest, RendersEveryPartFoldedAndCut) {
  ViewOptions o;
  o.max_result_bytes = 8;
  EXPECT_EQ(
      "attempt 3  (run 1)\n"
      "  model:        m\n"
      "  task:         t (A task)\n"
      "  epoch:        3   try 2\n"
      "  parent:       attempt 1\n"
      "  outcome:      error\n"
      "  termination:  model_error\n"
      "  error:        HTTP 503\n"
      "  turns:        1\n"
      "  tokens:       10 prompt, 3 completion\n"
      "  time:         wall 12.3 ms, model 0.0 ms, tools 0.0 ms, grading 0.0 "
      "ms\n"
      "  started:      S\n"
      "  finished:     F\n"
      "\n"
      "instruction\n"
      "  Do it.\n"
      "  Now.\n"
      "\n"
      "turn 1  tool_calls · 10+? tokens · 2.0 ms (ttft 1.5 ms)\n"
      "  reasoning:\n"
      "    r1\n    r2\n    r3\n    r4\n"
      "    [... 6 more lines]\n"
      "  call 1: run_shell  [c1]\n"
      "    {\n"
      "      \"command\": \"ls\"\n"
      "    }\n"
      "    result (exit 0, 0.2 ms):\n"
      "      xxxxxxxx\n"
      "      [... 12 more bytes]\n"
      "\n"
      "checks: 0 of 1 passed\n"
      "  ERROR  file_contains  has it: cannot read\n",
      RenderTranscript(Small(), o));
  o.full = true;
  std::string full = RenderTranscript(Small(), o);
  EXPECT_NE(std::string::npos, full.find("    r10\n"));
  EXPECT_NE(std::string::npos, full.find("      " + std::string(20, 'x')));
}

TEST(TranscriptViewTest, JsonNullsWhatWasNotReported) {
  auto j = TranscriptJson(Small(), false);
  EXPECT_EQ(1, j["attempt"]["parent_attempt_id"]);
  EXPECT_EQ(2, j["attempt"]["try"]);
  EXPECT_EQ("Do it.\nNow.", j["instruction"]);
  EXPECT_TRUE(j["turns"][0]["completion_tokens"].is_null());
  EXPECT_EQ(1.5, j["turns"][0]["ttft_ms"]);
  EXPECT_EQ("ls", j["turns"][0]["tool_calls"][0]["arguments"]["command"]);
  EXPECT_EQ(0, j["turns"][0]["tool_calls"][0]["exit_code"]);
  EXPECT_EQ("has it", j["checks"][0]["spec"]["name"]);
  results::Transcript none;
  auto empty = TranscriptJson(none, false);
  EXPECT_TRUE(empty["instruction"].is_null());
  EXPECT_TRUE(empty["attempt"]["parent_attempt_id"].is_null());
  EXPECT_TRUE(empty["attempt"]["outcome"].is_null());
}

TEST(TranscriptViewTest, ColorOnlyWhenAskedOrOnATerminal) {
  EXPECT_TRUE(UseColor("always", -1));
  EXPECT_FALSE(UseColor("never", -1));
  EXPECT_FALSE(UseColor("auto", -1));  // not a terminal
  EXPECT_EQ(
      "  \x1b[32mPASS \x1b[0m  k\n",
      RenderCheck({.kind = "k", .spec_json = "{}", .verdict = "passed"}, true));
}

}  // namespace
}  // namespace endstate::cli
