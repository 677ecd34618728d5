// The agent loop end to end: the real OpenAI-compatible client against the
// scripted server, real tools in a real world, turns handed to the sink.
#include "evaluator/agent_loop.h"

#include <gtest/gtest.h>

#include "evaluator/script.h"
#include "evaluator/suite.h"
#include "models/factory.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "util/files.h"
#include "util/stop.h"

namespace endstate::evaluator {
namespace {

namespace fs = std::filesystem;
using test::ChatCompletion;
using test::ScriptedResponse;

constexpr char kEdit[] =
    R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})";

class AgentLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "loop-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    test::WriteTinySuite(root_);
    ASSERT_TRUE(tasks::LoadTask(root_ / "tiny-title", StrictLoadOptions(),
                                &task_, &err))
        << err;
    world_ = sandbox::World::Create(task_, {}, &err);
    ASSERT_TRUE(world_) << err;
    model_.name = "scripted";
    model_.provider = "openai";
    model_.base_url = server_.base_url();
    model_.model = "test-model";
    model_.retry.initial_backoff = std::chrono::milliseconds(1);
    model_.retry.max_tries = 3;
  }
  void TearDown() override {
    world_.reset();
    fs::remove_all(root_);
  }
  LoopResult Run(LoopLimits limits = {}) {
    std::string err;
    auto client = models::MakeClient(model_, ScriptFor(task_), {}, &err);
    EXPECT_TRUE(client) << err;
    turns_.clear();
    return RunAgentLoop(task_, "system", *client, *world_, limits,
                        [this](const results::TurnRecord& t) {
                          turns_.push_back(t);
                          return true;
                        });
  }
  std::string About() {
    return util::ReadFile(world_->workspace() / "about.html").value_or("");
  }

  fs::path root_;
  tasks::Task task_;
  std::unique_ptr<sandbox::World> world_;
  test::ScriptedServer server_;
  models::ModelConfig model_;
  std::vector<results::TurnRecord> turns_;
};

TEST_F(AgentLoopTest, StreamingCallThenStop) {
  model_.stream = true;
  server_.Push(ScriptedResponse::Stream(
      ChatCompletion("", {{"c1", "edit_file", kEdit}})));
  server_.Push(ScriptedResponse::Stream(ChatCompletion("Fixed the title.")));
  LoopResult r = Run();
  EXPECT_EQ("agent_stop", ::endstate::results::TerminationName(r.termination));
  EXPECT_EQ(2, r.turns);
  EXPECT_EQ(200, r.prompt_tokens);
  EXPECT_NE(std::string::npos, About().find("<title>About the Lab</title>"));
  ASSERT_EQ(2u, turns_.size());
  ASSERT_EQ(1u, turns_[0].tool_calls.size());
  EXPECT_EQ("edit_file", turns_[0].tool_calls[0].name);
  EXPECT_EQ("", turns_[0].tool_calls[0].error_kind);
  EXPECT_FALSE(turns_[0].tool_calls[0].is_error);
  EXPECT_GE(turns_[0].ttft_ms, 0);
  EXPECT_EQ("Fixed the title.", turns_[1].content);
  // The tool result went back to the model with the call's id.
  auto second = server_.requests()[1].json();
  const auto& msgs = second["messages"];
  EXPECT_EQ("tool", msgs.back()["role"]);
  EXPECT_EQ("c1", msgs.back()["tool_call_id"]);
}

// A stopped run (util/stop.h) ends the attempt before its next turn, as
// cancelled: no further request is sent.
TEST_F(AgentLoopTest, StopEndsTheLoopBeforeTheNextTurnAsCancelled) {
  server_.Push(
      ScriptedResponse::Json(ChatCompletion("", {{"c1", "edit_file", kEdit}})));
  server_.Push(ScriptedResponse::Json(ChatCompletion("Fixed the title.")));
  std::string err;
  auto client = models::MakeClient(model_, ScriptFor(task_), {}, &err);
  ASSERT_TRUE(client) << err;
  LoopResult r = RunAgentLoop(task_, "system", *client, *world_, {},
                              [](const results::TurnRecord&) {
                                util::RequestStop();  // Ctrl-C after turn 0
                                return true;
                              });
  util::ClearStopForTest();
  EXPECT_EQ("cancelled", ::endstate::results::TerminationName(r.termination));
  EXPECT_EQ(kCancelledError, r.error);
  EXPECT_EQ(1, r.turns);
  EXPECT_EQ(1u, server_.requests().size());
  EXPECT_EQ(results::Outcome::kError, results::FixedOutcome(r.termination));
}

TEST_F(AgentLoopTest, MalformedCallsAreReturnedAsToolErrors) {
  server_.Push(ScriptedResponse::Json(
      ChatCompletion("", {{"c1", "edit_file", R"({"path": "about.html", )"}})));
  server_.Push(
      ScriptedResponse::Json(ChatCompletion("", {{"c2", "edit_files", "{}"}})));
  server_.Push(ScriptedResponse::Json(
      ChatCompletion("", {{"c3", "edit_file", R"({"path":"about.html"})"}})));
  server_.Push(ScriptedResponse::Json(ChatCompletion(
      "<tool_call>{\"name\":\"edit_file\",\"arguments\":{}}</tool_call>")));
  server_.Push(
      ScriptedResponse::Json(ChatCompletion("", {{"c4", "edit_file", kEdit}})));
  server_.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
  LoopResult r = Run();
  EXPECT_EQ("agent_stop", ::endstate::results::TerminationName(r.termination));
  ASSERT_EQ(6u, turns_.size());
  EXPECT_EQ("invalid_json", turns_[0].tool_calls[0].error_kind);
  EXPECT_EQ("unknown_tool", turns_[1].tool_calls[0].error_kind);
  EXPECT_EQ("schema_violation", turns_[2].tool_calls[0].error_kind);
  EXPECT_EQ("leaked_markup", turns_[3].tool_calls[0].error_kind);
  EXPECT_FALSE(turns_[3].leaked_markup.empty());
  EXPECT_EQ("", turns_[4].tool_calls[0].error_kind);
  EXPECT_NE(std::string::npos, About().find("About the Lab"));
  // The leaked call was explained to the model in a user turn.
  auto fifth = server_.requests()[4].json();
  EXPECT_EQ("user", fifth["messages"].back()["role"]);
  EXPECT_EQ(0u, fifth["messages"].back()["content"].get<std::string>().find(
                    "Error (leaked_markup)"));
}

TEST_F(AgentLoopTest, ServerErrorIsRetried) {
  server_.Push(ScriptedResponse::Status(500, R"({"error":"boom"})"));
  server_.Push(ScriptedResponse::Json(ChatCompletion("Nothing to do.")));
  LoopResult r = Run();
  EXPECT_EQ("agent_stop", ::endstate::results::TerminationName(r.termination));
  ASSERT_EQ(1u, turns_.size());
  EXPECT_EQ(1, turns_[0].retries);
}

TEST_F(AgentLoopTest, ExhaustedRetriesAreModelError) {
  for (int i = 0; i < 3; ++i)
    server_.Push(ScriptedResponse::Status(503, "down"));
  LoopResult r = Run();
  EXPECT_EQ("model_error", ::endstate::results::TerminationName(r.termination));
  EXPECT_NE(std::string::npos, r.error.find("503")) << r.error;
  EXPECT_EQ(0, r.turns);
}

TEST_F(AgentLoopTest, MaxTurnsStopsTheLoop) {
  for (int i = 0; i < 3; ++i) {
    server_.Push(ScriptedResponse::Json(
        ChatCompletion("", {{"c", "list_files", "{}"}})));
  }
  LoopResult r = Run({.max_turns = 3});
  EXPECT_EQ("max_turns", ::endstate::results::TerminationName(r.termination));
  EXPECT_EQ(3, r.turns);
  EXPECT_EQ(0u, server_.pending());
}

TEST_F(AgentLoopTest, TokenLimitStopsTheLoop) {
  for (int i = 0; i < 3; ++i) {
    server_.Push(ScriptedResponse::Json(
        ChatCompletion("", {{"c", "list_files", "{}"}})));
  }
  LoopResult r = Run({.max_tokens = 200});
  EXPECT_EQ("token_limit", ::endstate::results::TerminationName(r.termination));
  EXPECT_EQ(2, r.turns);  // 120 tokens per turn: stops after the second
}

}  // namespace
}  // namespace endstate::evaluator
