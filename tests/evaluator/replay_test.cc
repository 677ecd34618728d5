// The pieces of replay without the binary: recorded responses and the
// replay client, the rebuilt history, the agent loop started from a history,
// re-execution of recorded calls in a real world and the divergence text.
#include "evaluator/replay.h"

#include <gtest/gtest.h>

#include "evaluator/agent_loop.h"
#include "evaluator/suite.h"
#include "models/builtin_replay.h"
#include "tests/evaluator/tiny_suite.h"
#include "util/files.h"

namespace endstate::evaluator {
namespace {

namespace fs = std::filesystem;

constexpr char kEdit[] =
    R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})";

results::ToolCallRecord Call(int index, const std::string& id,
                             const std::string& name, const std::string& args,
                             const std::string& result,
                             const std::string& kind = "") {
  results::ToolCallRecord c;
  c.index = index;
  c.call_id = id;
  c.name = name;
  c.arguments_raw = args;
  c.result = result;
  c.error_kind = kind;
  c.is_error = !kind.empty();
  return c;
}

// A transcript of tiny-title: a broken call, leaked markup, the edit, done.
results::Transcript Recorded() {
  results::Transcript t;
  t.attempt.id = 7;
  results::TurnRecord t0;
  t0.index = 0;
  t0.raw_request =
      R"({"model":"m","messages":[{"role":"system","content":"SYS"},{"role":"user","content":"INSTR"}]})";
  t0.reasoning = "thinking";
  t0.finish_reason = "tool_calls";
  t0.prompt_tokens = 10;
  t0.completion_tokens = 2;
  t0.tool_calls.push_back(
      Call(0, "c0", "edit_file", R"({"path":"ab)", "", "invalid_json"));
  results::TurnRecord t1;
  t1.index = 1;
  t1.content = "<tool_call>{}</tool_call>";
  t1.finish_reason = "stop";
  t1.leaked_markup = "tool_call_tag";
  t1.tool_calls.push_back(Call(0, "", "", t1.content,
                               "Error (leaked_markup): no", "leaked_markup"));
  results::TurnRecord t2;
  t2.index = 2;
  t2.finish_reason = "tool_calls";
  t2.tool_calls.push_back(Call(0, "c2", "edit_file", kEdit, ""));
  results::TurnRecord t3;
  t3.index = 3;
  t3.content = "Done.";
  t3.finish_reason = "stop";
  t.turns = {t0, t1, t2, t3};
  return t;
}

TEST(RecordedResponsesTest, AssistantTurnsExactlyAsRecorded) {
  results::Transcript t = Recorded();
  results::TurnRecord failed;
  failed.index = 4;
  failed.finish_reason = "error";
  t.turns.push_back(failed);
  auto r = evaluator::RecordedResponses(t);
  ASSERT_EQ(4u, r.size());  // the failed call is left out
  EXPECT_EQ("assistant", r[0].message.role);
  EXPECT_EQ("thinking", r[0].message.reasoning);
  ASSERT_EQ(1u, r[0].message.tool_calls.size());
  EXPECT_EQ("c0", r[0].message.tool_calls[0].id);
  EXPECT_EQ(R"({"path":"ab)", r[0].message.tool_calls[0].arguments);
  EXPECT_EQ(10, r[0].usage.prompt_tokens);
  EXPECT_EQ("tool_calls", r[0].finish_reason);
  EXPECT_EQ("<tool_call>{}</tool_call>", r[1].message.content);
  EXPECT_TRUE(r[1].message.tool_calls.empty());  // leaked: no call was made
  EXPECT_EQ(kEdit, r[2].message.tool_calls[0].arguments);
  EXPECT_EQ(-1, r[2].usage.prompt_tokens);

  models::ModelConfig config;
  config.name = "replay";
  config.provider = "builtin";
  config.model = "replay";
  auto client = models::MakeReplayClient(config, r);
  models::CompletionRequest req;
  req.messages.push_back({.role = "user", .content = "hi"});
  for (size_t i = 0; i < r.size(); ++i) {
    models::CompletionResponse out;
    models::ModelError err;
    ASSERT_TRUE(client->Complete(req, &out, &err)) << i;
    EXPECT_EQ(r[i].message.content, out.message.content);
    EXPECT_NE(std::string::npos, out.raw_request.find("\"hi\""));
  }
  models::CompletionResponse out;
  models::ModelError err;
  EXPECT_FALSE(client->Complete(req, &out, &err));
  EXPECT_EQ("replay: the record has no turn 5 (it has 4)", err.message);
}

TEST(RecordedHistoryTest, MessagesAsTheLoopSentThem) {
  results::Transcript t = Recorded();
  auto m = RecordedHistory(t, 3, "fallback", "fallback");
  ASSERT_EQ(8u, m.size());
  EXPECT_EQ("system", m[0].role);
  EXPECT_EQ("SYS", m[0].content);
  EXPECT_EQ("INSTR", m[1].content);
  EXPECT_EQ("assistant", m[2].role);
  EXPECT_EQ("thinking", m[2].reasoning);
  EXPECT_EQ(R"({"path":"ab)", m[2].tool_calls[0].arguments);
  EXPECT_EQ("tool", m[3].role);
  EXPECT_EQ("c0", m[3].tool_call_id);
  EXPECT_EQ("edit_file", m[3].name);
  EXPECT_EQ("assistant", m[4].role);
  EXPECT_TRUE(m[4].tool_calls.empty());
  EXPECT_EQ("user", m[5].role);  // what the loop told about the markup
  EXPECT_EQ("Error (leaked_markup): no", m[5].content);
  EXPECT_EQ("assistant", m[6].role);
  EXPECT_EQ("tool", m[7].role);
  EXPECT_EQ("c2", m[7].tool_call_id);

  // K = 0: only the opening; an unreadable request uses the fallbacks.
  t.turns[0].raw_request = "not json";
  auto fresh = RecordedHistory(t, 0, "S", "I");
  ASSERT_EQ(2u, fresh.size());
  EXPECT_EQ("S", fresh[0].content);
  EXPECT_EQ("I", fresh[1].content);
}

class ReplayWorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "replay-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    test::WriteTinySuite(root_);
    ASSERT_TRUE(tasks::LoadTask(root_ / "tiny-title", StrictLoadOptions(),
                                &task_, &err))
        << err;
  }
  void TearDown() override { fs::remove_all(root_); }
  std::unique_ptr<sandbox::World> NewWorld() {
    std::string err;
    auto w = sandbox::World::Create(task_, {}, &err);
    EXPECT_TRUE(w) << err;
    return w;
  }
  std::string About(const sandbox::World& w) {
    return util::ReadFile(w.workspace() / "about.html").value_or("");
  }
  fs::path root_;
  tasks::Task task_;
};

TEST_F(ReplayWorldTest, ReexecutesCallsAndFindsTheFirstDivergence) {
  results::Transcript t = Recorded();
  auto world = NewWorld();
  ASSERT_TRUE(world);
  // Recorded results are empty: every executed call differs.
  ReexecutionReport r = ReexecuteToolCalls(t, task_, *world);
  EXPECT_EQ(4, r.turns);
  EXPECT_EQ(2, r.executed);
  EXPECT_EQ(1, r.skipped);
  EXPECT_EQ(2, r.differing);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(0, r.first->turn);
  EXPECT_EQ("edit_file", r.first->tool);
  EXPECT_EQ(0u, r.first->offset);
  EXPECT_TRUE(r.first->replayed_error);  // broken JSON fails again
  EXPECT_NE(std::string::npos, About(*world).find("About the Lab"));

  // With the results a first run gave, a fresh world matches exactly.
  results::Transcript with = t;
  auto first_world = NewWorld();
  ASSERT_TRUE(first_world);
  ReexecutionReport probe = ReexecuteToolCalls(t, task_, *first_world, 1);
  ASSERT_TRUE(probe.first);
  EXPECT_EQ(1, probe.turns);
  EXPECT_EQ(1, probe.executed);
  EXPECT_EQ(std::string::npos, About(*first_world).find("About the Lab"));
  with.turns[0].tool_calls[0].result = probe.first->replayed;
  with.turns[0].tool_calls[0].is_error = true;
  auto third = NewWorld();
  ASSERT_TRUE(third);
  ReexecutionReport third_r = ReexecuteToolCalls(with, task_, *third, 1);
  EXPECT_EQ(0, third_r.differing);
  EXPECT_FALSE(third_r.first);
}

TEST(RenderDivergenceTest, BothTextsAroundTheByteEscaped) {
  Divergence d{.turn = 2,
               .call = 0,
               .tool = "run_shell",
               .offset = 6,
               .recorded = "line1\nA tail",
               .replayed = "line1\nB tail",
               .recorded_error = false,
               .replayed_error = true};
  EXPECT_EQ(
      "  recorded: \"line1\\nA tail\"\n"
      "  replayed: \"line1\\nB tail\" (error)\n",
      RenderDivergence(d));
  EXPECT_EQ(
      "  recorded: \"...1\\nA ...\"\n"
      "  replayed: \"...1\\nB ...\" (error)\n",
      RenderDivergence(d, 2));
}

// A client that records what it was sent and answers "Done.".
class CapturingClient final : public models::Client {
 public:
  bool Complete(const models::CompletionRequest& req,
                models::CompletionResponse* out, models::ModelError*) override {
    seen = req.messages;
    *out = models::CompletionResponse{};
    out->message.role = "assistant";
    out->message.content = "Done.";
    out->finish_reason = "stop";
    out->usage.prompt_tokens = 5;
    out->usage.completion_tokens = 1;
    return true;
  }
  std::vector<models::Message> seen;
};

TEST_F(ReplayWorldTest, AgentLoopContinuesFromAHistory) {
  auto world = NewWorld();
  ASSERT_TRUE(world);
  CapturingClient client;
  LoopStart start{.messages = RecordedHistory(Recorded(), 3, "S", "I"),
                  .first_turn = 3};
  std::vector<results::TurnRecord> turns;
  LoopResult r = RunAgentLoop(
      task_, "unused", client, *world, {},
      [&](const results::TurnRecord& t) {
        turns.push_back(t);
        return true;
      },
      &start);
  EXPECT_EQ("agent_stop", ::endstate::results::TerminationName(r.termination));
  EXPECT_EQ(4, r.turns);          // counted from the recorded start
  EXPECT_EQ(5, r.prompt_tokens);  // only the new turn's
  ASSERT_EQ(1u, turns.size());
  EXPECT_EQ(3, turns[0].index);
  ASSERT_EQ(8u, client.seen.size());
  EXPECT_EQ("SYS", client.seen[0].content);
  EXPECT_EQ("c2", client.seen[7].tool_call_id);

  // max_turns counts the recorded turns too.
  LoopResult capped = RunAgentLoop(
      task_, "unused", client, *world, {.max_turns = 3},
      [](const results::TurnRecord&) { return true; }, &start);
  EXPECT_EQ("max_turns",
            ::endstate::results::TerminationName(capped.termination));
  EXPECT_EQ(3, capped.turns);
}

}  // namespace
}  // namespace endstate::evaluator
