// How a real endpoint can end a turn (docs/models.md, "How a turn can
// end"): each wire shape seen from llama.cpp, vLLM, Ollama and Anthropic,
// served by the scripted server over real HTTP, through a whole attempt
// (world, loop, grading, SQLite record). Each test pins the outcome, the
// termination and how many requests were sent (the retry count).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "evaluator/agent_loop.h"
#include "evaluator/attempt.h"
#include "evaluator/suite.h"
#include "results/sqlite.h"
#include "results/store.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "util/files.h"

namespace endstate::evaluator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using results::Outcome;
using results::Termination;
using std::chrono::milliseconds;
using test::ChatCompletion;
using test::ScriptedResponse;

constexpr char kEdit[] =
    R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})";

// Real bodies (NOTES.md "Model servers").
constexpr char kLlamaCppTooLong[] =
    R"({"error":{"code":400,"message":"request (10061 tokens) exceeds the )"
    R"(available context size (4096 tokens), try increasing it","type":)"
    R"("exceed_context_size_error","n_prompt_tokens":10061,"n_ctx":4096}})";
constexpr char kVllmTooLong[] =
    R"({"object":"error","message":"This model's maximum context length is )"
    R"(4096 tokens. However, you requested 5000 tokens (904 in the messages, )"
    R"(4096 in the completion). Please reduce the length of the messages or )"
    R"(completion.","type":"BadRequestError","param":null,"code":400})";
constexpr char kAnthropicTooLong[] =
    R"({"type":"error","error":{"type":"invalid_request_error","message":)"
    R"("prompt is too long: 208310 tokens > 200000 maximum"}})";
constexpr char kLlamaCppFull[] =
    R"({"error":{"code":500,"message":"Context size has been exceeded.",)"
    R"("type":"server_error"}})";

json Chunk(const json& delta, const json& finish = nullptr) {
  return {{"id", "c"},
          {"object", "chat.completion.chunk"},
          {"choices",
           {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
}

class TurnEndingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "endings-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    test::WriteTinySuite(root_ / "suite");
    ASSERT_TRUE(tasks::LoadTask(root_ / "suite/tiny-title", StrictLoadOptions(),
                                &task_, &err))
        << err;
    db_ = (root_ / "r.db").string();
    store_ = results::Store::Open(db_, &err);
    ASSERT_TRUE(store_) << err;
    run_ = store_->BeginRun({}, &err);
    model_id_ = store_->AddModel(run_, {.name = "real"}, &err);
    task_id_ = store_->AddTask(run_, {.id = task_.id}, &err);
    model_.name = "real";
    model_.provider = "openai";
    model_.base_url = server_.base_url();
    model_.model = "m";
    model_.retry.max_tries = 3;
    model_.retry.initial_backoff = milliseconds(1);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }

  AttemptReport Attempt(models::CapacityGate* gate = nullptr) {
    AttemptSpec spec{.task = &task_,
                     .model = &model_,
                     .store = store_.get(),
                     .run_id = run_,
                     .model_id = model_id_,
                     .task_id = task_id_,
                     .gate = gate};
    return RunAttempt(spec, config_, {});
  }

  int64_t Int(const std::string& sql) {
    std::string err;
    auto db = results::Db::OpenReadOnly(db_, &err);
    EXPECT_TRUE(db) << err;
    auto v = db->QueryInt(sql.c_str(), &err);
    EXPECT_TRUE(v) << err << " in " << sql;
    return v.value_or(-1);
  }

  fs::path root_;
  std::string db_;
  tasks::Task task_;
  std::unique_ptr<results::Store> store_;
  int64_t run_ = 0, model_id_ = 0, task_id_ = 0;
  test::ScriptedServer server_;
  models::ModelConfig model_;
  Config config_;
};

// The conversation no longer fits: the model's doing, graded (the page is
// still wrong: failed), never retried, whatever the server's wording.
TEST_F(TurnEndingsTest, ContextExhaustionIsFailedAndNeverRetried) {
  for (const char* body : {kLlamaCppTooLong, kVllmTooLong, kAnthropicTooLong}) {
    SCOPED_TRACE(body);
    const size_t before = server_.requests().size();
    server_.Push(ScriptedResponse::Status(400, body));
    AttemptReport r = Attempt();
    EXPECT_EQ(Outcome::kFailed, r.outcome.outcome) << r.outcome.error;
    EXPECT_EQ(Termination::kContextExhausted, r.outcome.termination);
    EXPECT_EQ(before + 1, server_.requests().size());
    EXPECT_EQ(0, Int("SELECT retries FROM turns WHERE attempt_id = " +
                     std::to_string(r.attempt_id)));
  }
  EXPECT_EQ(
      "context_exhausted",
      std::string(results::TerminationName(Termination::kContextExhausted)));
}

// llama.cpp cuts the stream with an in-stream 500 when the slots sharing
// its KV cache fill it. Alone at concurrency 1, lowering cannot help: one
// request, then error server_capacity (not the generic model_error).
TEST_F(TurnEndingsTest, CapacityOverflowAloneIsAnErrorAfterOneRequest) {
  model_.stream = true;
  server_.Push(ScriptedResponse::Sse(
      {"data: " + Chunk({{"role", "assistant"}, {"content", "I will"}}).dump() +
           "\n\n",
       std::string("data: ") + kLlamaCppFull + "\n\n"}));
  models::CapacityGate gate("real", 1);
  AttemptReport r = Attempt(&gate);
  EXPECT_EQ(Outcome::kError, r.outcome.outcome);
  EXPECT_EQ(Termination::kServerCapacity, r.outcome.termination);
  EXPECT_EQ(
      "server capacity overflowed (stream error: Context size has been "
      "exceeded.) with this request alone at concurrency 1",
      r.outcome.error);
  EXPECT_EQ(1u, server_.requests().size());
  EXPECT_EQ(1, gate.limit());
}

// finish_reason "length" with no tool call: the model is told and goes on;
// three in a row end the attempt (truncated, graded: failed), and every
// cut reply is counted.
TEST_F(TurnEndingsTest, RepliesCutAtMaxTokensEndTheAttemptAfterThree) {
  for (int i = 0; i < 3; ++i) {
    server_.Push(
        ScriptedResponse::Json(ChatCompletion("t0 t1 t2 t3", {}, "length")));
  }
  AttemptReport r = Attempt();
  EXPECT_EQ(Outcome::kFailed, r.outcome.outcome);
  EXPECT_EQ(Termination::kTruncated, r.outcome.termination);
  EXPECT_EQ(3, r.outcome.truncated_turns);
  const auto reqs = server_.requests();
  ASSERT_EQ(3u, reqs.size());
  EXPECT_EQ(models::kDefaultMaxTokens, reqs[0].json()["max_tokens"]);
  const json last = reqs[1].json()["messages"].back();
  EXPECT_EQ("user", last["role"]);
  EXPECT_EQ(kTruncatedNote, last["content"].get<std::string>());
  EXPECT_EQ(3, Int("SELECT truncated_turns FROM attempts WHERE id = " +
                   std::to_string(r.attempt_id)));
  EXPECT_EQ(3, Int("SELECT count(*) FROM turns WHERE finish_reason = "
                   "'length'"));
}

// A streamed reply cut inside a tool call's arguments: the broken call is
// returned to the model as invalid JSON, the cut is counted, and the
// attempt goes on to pass.
TEST_F(TurnEndingsTest, CutInsideAToolCallIsCountedAndTheAttemptGoesOn) {
  model_.stream = true;
  server_.Push(ScriptedResponse::SseJson(
      {Chunk({{"role", "assistant"}}),
       Chunk({{"tool_calls",
               {{{"index", 0},
                 {"id", "call_1"},
                 {"type", "function"},
                 {"function",
                  {{"name", "edit_file"},
                   {"arguments", R"({"path":"about.ht)"}}}}}}}),
       Chunk(json::object(), "length")}));
  server_.Push(ScriptedResponse::Stream(
      ChatCompletion("", {{"call_2", "edit_file", kEdit}})));
  server_.Push(ScriptedResponse::Stream(ChatCompletion("Done.")));
  AttemptReport r = Attempt();
  EXPECT_EQ(Outcome::kPassed, r.outcome.outcome) << r.outcome.error;
  EXPECT_EQ(Termination::kAgentStop, r.outcome.termination);
  EXPECT_EQ(1, r.outcome.truncated_turns);
  EXPECT_EQ(3u, server_.requests().size());
  EXPECT_EQ(1, Int("SELECT count(*) FROM tool_calls WHERE error_kind = "
                   "'invalid_json'"));
}

// No content and no tool call, and OpenAI's refusal field: named, graded.
TEST_F(TurnEndingsTest, EmptyReplyAndRefusalAreNamed) {
  server_.Push(ScriptedResponse::Json(ChatCompletion("\n\n")));
  AttemptReport empty = Attempt();
  EXPECT_EQ(Outcome::kFailed, empty.outcome.outcome);
  EXPECT_EQ(Termination::kEmptyReply, empty.outcome.termination);

  json refusal = ChatCompletion("");
  refusal["choices"][0]["message"]["content"] = nullptr;
  refusal["choices"][0]["message"]["refusal"] = "I can't help with that.";
  server_.Push(ScriptedResponse::Json(refusal));
  AttemptReport refused = Attempt();
  EXPECT_EQ(Outcome::kFailed, refused.outcome.outcome);
  EXPECT_EQ(Termination::kRefusal, refused.outcome.termination);
  EXPECT_EQ(2u, server_.requests().size());
}

// Thinking models. llama.cpp without a reasoning parser leaves <think> in
// content; vLLM streams `reasoning` and reports reasoning tokens. Reasoning
// is recorded apart, never sent back, and counted on its own.
TEST_F(TurnEndingsTest, ReasoningIsRecordedApartAndNeverSentBack) {
  json think = ChatCompletion("<think>The title is wrong.</think>\n\n",
                              {{"call_1", "edit_file", kEdit}});
  think["usage"]["completion_tokens"] = 40;
  server_.Push(ScriptedResponse::Json(think));
  model_.stream = false;
  json done = ChatCompletion("Done.");
  done["choices"][0]["message"]["reasoning"] = "All set.";
  done["usage"]["completion_tokens_details"] = {{"reasoning_tokens", 7}};
  server_.Push(ScriptedResponse::Json(done));
  AttemptReport r = Attempt();
  EXPECT_EQ(Outcome::kPassed, r.outcome.outcome) << r.outcome.error;
  const auto reqs = server_.requests();
  ASSERT_EQ(2u, reqs.size());
  const json replayed = reqs[1].json()["messages"][2];
  EXPECT_EQ("assistant", replayed["role"]);
  EXPECT_TRUE(replayed["content"].is_null());  // no <think> text sent back
  EXPECT_FALSE(replayed.contains("reasoning"));
  std::string err;
  auto db = results::Db::OpenReadOnly(db_, &err);
  ASSERT_TRUE(db) << err;
  auto s = results::Stmt::Prepare(
      *db,
      "SELECT reasoning, content, reasoning_tokens FROM turns ORDER BY idx",
      &err);
  ASSERT_TRUE(s) << err;
  ASSERT_EQ(results::Stmt::StepResult::kRow, s->Step(&err));
  EXPECT_EQ("The title is wrong.", s->Text(0));
  EXPECT_EQ("", s->Text(1));
  // Estimated: 40 tokens x the reasoning's share of the reply's bytes.
  const double share = 19.0 / (19.0 + 9 + std::string(kEdit).size());
  EXPECT_EQ(std::llround(40 * share), s->Int(2));
  ASSERT_EQ(results::Stmt::StepResult::kRow, s->Step(&err));
  EXPECT_EQ("All set.", s->Text(0));
  EXPECT_EQ(7, s->Int(2));
  EXPECT_EQ(std::llround(40 * share) + 7,
            Int("SELECT reasoning_tokens FROM attempts"));
}

}  // namespace
}  // namespace endstate::evaluator
