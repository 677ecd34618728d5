// The Anthropic Messages client end to end against the scripted server over
// real HTTP on loopback: request shape, whole and streamed answers, retries.
#include "models/anthropic_client.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "models/anthropic_wire.h"
#include "tests/models/fake_clock.h"
#include "tests/models/test_messages.h"
#include "tests/support/scripted_server.h"

namespace endstate::models {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using test::ScriptedResponse;

// One SSE event the way the API sends it: an `event:` line, then the data.
std::string Ev(const std::string& name, const json& data) {
  return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}

std::string MessageStart(int input_tokens) {
  return Ev(
      "message_start",
      {{"type", "message_start"},
       {"message",
        {{"id", "msg_1"},
         {"type", "message"},
         {"role", "assistant"},
         {"content", json::array()},
         {"usage", {{"input_tokens", input_tokens}, {"output_tokens", 1}}}}}});
}

std::string BlockStart(int index, const json& block) {
  return Ev("content_block_start", {{"type", "content_block_start"},
                                    {"index", index},
                                    {"content_block", block}});
}

std::string Delta(int index, const json& delta) {
  return Ev(
      "content_block_delta",
      {{"type", "content_block_delta"}, {"index", index}, {"delta", delta}});
}

std::string TextDelta(int index, const std::string& text) {
  return Delta(index, {{"type", "text_delta"}, {"text", text}});
}

std::string JsonDelta(int index, const std::string& partial) {
  return Delta(index,
               {{"type", "input_json_delta"}, {"partial_json", partial}});
}

std::string BlockStop(int index) {
  return Ev("content_block_stop",
            {{"type", "content_block_stop"}, {"index", index}});
}

std::string MessageDelta(const std::string& stop_reason, int output_tokens) {
  return Ev(
      "message_delta",
      {{"type", "message_delta"},
       {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
       {"usage", {{"output_tokens", output_tokens}}}});
}

std::string MessageStop() {
  return Ev("message_stop", {{"type", "message_stop"}});
}

// A whole streamed answer saying `text` and stopping.
std::vector<std::string> TextStream(const std::string& text) {
  return {MessageStart(10),
          BlockStart(0, {{"type", "text"}, {"text", ""}}),
          TextDelta(0, text),
          BlockStop(0),
          MessageDelta("end_turn", 3),
          MessageStop()};
}

// Cuts `whole` into `size`-byte pieces, so events split anywhere.
std::vector<std::string> Pieces(const std::string& whole, size_t size) {
  std::vector<std::string> out;
  for (size_t i = 0; i < whole.size(); i += size) {
    out.push_back(whole.substr(i, size));
  }
  return out;
}

// A non-streamed message body.
json MessageBody(const json& content, const std::string& stop_reason) {
  return {{"id", "msg_1"},
          {"type", "message"},
          {"role", "assistant"},
          {"model", "claude-x"},
          {"content", content},
          {"stop_reason", stop_reason},
          {"stop_sequence", nullptr},
          {"usage",
           {{"input_tokens", 50},
            {"cache_read_input_tokens", 30},
            {"output_tokens", 12}}}};
}

class AnthropicClientTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("ENDSTATE_TEST_ANTHROPIC_KEY", "sk-ant", 1); }

  ModelConfig Config(bool stream) {
    ModelConfig c;
    c.name = "m";
    c.provider = "anthropic";
    c.base_url = server_.base_url();
    c.model = "claude-x";
    c.api_key_env = "ENDSTATE_TEST_ANTHROPIC_KEY";
    c.stream = stream;
    c.sampling = {{"temperature", 0.0}};
    return c;
  }

  CompletionRequest Request() {
    CompletionRequest req;
    req.messages.push_back(Msg("system", "You fix sites."));
    req.messages.push_back(Msg("user", "Fix the page."));
    req.tools.push_back(
        {"read_file", "Reads a file.", json::parse(R"({"type":"object"})")});
    return req;
  }

  bool Run(const ModelConfig& config, CompletionResponse* out, ModelError* err,
           const CompletionRequest* req = nullptr) {
    AnthropicClient client(config, &clock_);
    return client.Complete(req ? *req : Request(), out, err);
  }

  test::ScriptedServer server_;
  FakeClock clock_;
};

TEST_F(AnthropicClientTest, NonStreamingToolUse) {
  const json body =
      MessageBody(json::parse(R"([{"type":"text","text":"Reading it."},
                      {"type":"tool_use","id":"toolu_1","name":"read_file",
                       "input":{"path":"index.html"}}])"),
                  "tool_use");
  server_.Push(ScriptedResponse::Json(body));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(false), &out, &err)) << err.message;
  EXPECT_EQ("assistant", out.message.role);
  EXPECT_EQ("Reading it.", out.message.content);
  ASSERT_EQ(1u, out.message.tool_calls.size());
  EXPECT_EQ("toolu_1", out.message.tool_calls[0].id);
  EXPECT_EQ("read_file", out.message.tool_calls[0].name);
  EXPECT_EQ(R"({"path":"index.html"})", out.message.tool_calls[0].arguments);
  EXPECT_EQ("tool_calls", out.finish_reason);
  EXPECT_EQ(80, out.usage.prompt_tokens);
  EXPECT_EQ(30, out.usage.cached_tokens);
  EXPECT_EQ(12, out.usage.completion_tokens);
  EXPECT_EQ(-1, out.ttft_ms);
  EXPECT_EQ(-1, out.e2e_ms);
  EXPECT_EQ(0, out.choice_chunks);
  EXPECT_GT(out.duration_ms, 0);
  EXPECT_EQ(0, out.retries);
  EXPECT_EQ(body.dump(), out.raw_response);

  std::vector<test::RecordedRequest> reqs = server_.requests();
  ASSERT_EQ(1u, reqs.size());
  EXPECT_EQ("POST", reqs[0].method);
  EXPECT_EQ("/v1/messages", reqs[0].path);
  EXPECT_EQ("sk-ant", reqs[0].headers["x-api-key"]);
  EXPECT_EQ("2023-06-01", reqs[0].headers["anthropic-version"]);
  EXPECT_EQ("application/json", reqs[0].headers["content-type"]);
  EXPECT_EQ(0u, reqs[0].headers.count("authorization"));
  EXPECT_EQ(reqs[0].body, out.raw_request);
  EXPECT_EQ(json::parse(R"({"max_tokens":4096,"model":"claude-x",
      "system":"You fix sites.","stream":false,"temperature":0.0,
      "messages":[{"role":"user","content":"Fix the page."}],
      "tools":[{"name":"read_file","description":"Reads a file.",
                "input_schema":{"type":"object"}}],
      "tool_choice":{"type":"auto"}})"),
            reqs[0].json());
}

// A conversation after one tool turn: the calls replayed as tool_use blocks
// (broken arguments as {}), both results in ONE user message.
TEST_F(AnthropicClientTest, ReplaysToolUseAndMergesToolResults) {
  server_.Push(ScriptedResponse::Json(MessageBody(
      json::parse(R"([{"type":"text","text":"Done."}])"), "end_turn")));
  CompletionRequest req = Request();
  req.messages.push_back(Msg("system", "Be brief."));
  Message call = Msg("assistant", "Looking.");
  call.tool_calls = {{"toolu_1", "read_file", R"({"path":"a.html"})"},
                     {"toolu_2", "edit_file", R"({"path": "a.html", "old)"}};
  req.messages.push_back(call);
  req.messages.push_back(Msg("tool", "<html>", "toolu_1"));
  Message bad = Msg("tool", "invalid arguments: not JSON", "toolu_2");
  bad.is_error = true;
  req.messages.push_back(bad);
  req.messages.push_back(Msg("user", "Go on."));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(false), &out, &err, &req)) << err.message;
  EXPECT_EQ("Done.", out.message.content);
  EXPECT_TRUE(out.message.tool_calls.empty());
  EXPECT_EQ("stop", out.finish_reason);
  const json sent = server_.requests().at(0).json();
  EXPECT_EQ("You fix sites.\n\nBe brief.", sent["system"]);
  EXPECT_EQ(json::parse(R"([
      {"role":"user","content":"Fix the page."},
      {"role":"assistant","content":[
        {"type":"text","text":"Looking."},
        {"type":"tool_use","id":"toolu_1","name":"read_file",
         "input":{"path":"a.html"}},
        {"type":"tool_use","id":"toolu_2","name":"edit_file","input":{}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_1","content":"<html>",
         "is_error":false},
        {"type":"tool_result","tool_use_id":"toolu_2",
         "content":"invalid arguments: not JSON","is_error":true}]},
      {"role":"user","content":"Go on."}])"),
            sent["messages"]);
}

// Text, then two tool_use blocks whose input arrives in several
// input_json_delta fragments; the whole stream is cut into 23-byte TCP
// writes, so events and UTF-8 split anywhere.
TEST_F(AnthropicClientTest, StreamingToolUseSplitAcrossReads) {
  std::string whole =
      MessageStart(120) + BlockStart(0, {{"type", "text"}, {"text", ""}}) +
      Ev("ping", {{"type", "ping"}}) + TextDelta(0, "Reading ") +
      TextDelta(0, "both — ok.") + BlockStop(0) +
      BlockStart(1, {{"type", "tool_use"},
                     {"id", "toolu_a"},
                     {"name", "read_file"},
                     {"input", json::object()}}) +
      JsonDelta(1, "") + JsonDelta(1, R"({"pa)") +
      JsonDelta(1, R"(th": "a.ht)") + JsonDelta(1, R"(ml"})") + BlockStop(1) +
      BlockStart(2, {{"type", "tool_use"},
                     {"id", "toolu_b"},
                     {"name", "list_files"},
                     {"input", json::object()}}) +
      BlockStop(2) + MessageDelta("tool_use", 42) + MessageStop();
  server_.Push(ScriptedResponse::Sse(Pieces(whole, 23), milliseconds(1)));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("Reading both — ok.", out.message.content);
  ASSERT_EQ(2u, out.message.tool_calls.size());
  EXPECT_EQ("toolu_a", out.message.tool_calls[0].id);
  EXPECT_EQ("read_file", out.message.tool_calls[0].name);
  EXPECT_EQ(R"({"path": "a.html"})", out.message.tool_calls[0].arguments);
  EXPECT_EQ("toolu_b", out.message.tool_calls[1].id);
  EXPECT_EQ("{}", out.message.tool_calls[1].arguments);
  EXPECT_EQ("tool_calls", out.finish_reason);
  EXPECT_EQ(120, out.usage.prompt_tokens);
  EXPECT_EQ(42, out.usage.completion_tokens);
  EXPECT_EQ(6, out.choice_chunks);
  EXPECT_GT(out.ttft_ms, 0);
  EXPECT_LE(out.ttft_ms, out.e2e_ms);
  EXPECT_LE(out.e2e_ms, out.duration_ms);
  EXPECT_EQ(whole, out.raw_response);
  const auto reqs = server_.requests();
  EXPECT_EQ(true, reqs[0].json()["stream"]);
  EXPECT_EQ("text/event-stream", reqs[0].headers.at("accept"));
}

TEST_F(AnthropicClientTest, StreamingThinkingAndText) {
  server_.Push(ScriptedResponse::Sse(
      {MessageStart(7), BlockStart(0, {{"type", "thinking"}, {"thinking", ""}}),
       Delta(0, {{"type", "thinking_delta"}, {"thinking", "The title "}}),
       Delta(0, {{"type", "thinking_delta"}, {"thinking", "is fine."}}),
       Delta(0, {{"type", "signature_delta"}, {"signature", "EqQB"}}),
       BlockStop(0), BlockStart(1, {{"type", "text"}, {"text", "Nothing"}}),
       TextDelta(1, " to do."), BlockStop(1), MessageDelta("max_tokens", 9),
       MessageStop()}));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("The title is fine.", out.message.reasoning);
  EXPECT_EQ("Nothing to do.", out.message.content);
  EXPECT_TRUE(out.message.tool_calls.empty());
  EXPECT_EQ("length", out.finish_reason);
  EXPECT_EQ(4, out.choice_chunks);
}

// Extended thinking with tool use: the thinking block (text and
// signature_delta) and a redacted_thinking block come back as the
// message's thinking_blocks, and the next request sends them back first in
// the assistant turn, verbatim (the API rejects the turn without them).
TEST_F(AnthropicClientTest, ThinkingBlocksAreReplayedWithToolUse) {
  server_.Push(ScriptedResponse::Sse(
      {MessageStart(7), BlockStart(0, {{"type", "thinking"}, {"thinking", ""}}),
       Delta(0, {{"type", "thinking_delta"}, {"thinking", "Read it "}}),
       Delta(0, {{"type", "thinking_delta"}, {"thinking", "first."}}),
       Delta(0, {{"type", "signature_delta"}, {"signature", "EqQB"}}),
       Delta(0, {{"type", "signature_delta"}, {"signature", "kYz="}}),
       BlockStop(0),
       BlockStart(1, {{"type", "redacted_thinking"}, {"data", "c2VjcmV0"}}),
       BlockStop(1),
       BlockStart(2, {{"type", "tool_use"},
                      {"id", "toolu_1"},
                      {"name", "read_file"},
                      {"input", json::object()}}),
       JsonDelta(2, R"({"path":"a.html"})"), BlockStop(2),
       MessageDelta("tool_use", 9), MessageStop()}));
  server_.Push(ScriptedResponse::Json(MessageBody(
      json::parse(R"([{"type":"thinking","thinking":"Fine.","signature":"s2"},
                      {"type":"text","text":"Done."}])"),
      "end_turn")));
  CompletionRequest req = Request();
  CompletionResponse first;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &first, &err, &req)) << err.message;
  const json blocks = json::parse(R"([
      {"type":"thinking","thinking":"Read it first.","signature":"EqQBkYz="},
      {"type":"redacted_thinking","data":"c2VjcmV0"}])");
  EXPECT_EQ(blocks, json::parse(first.message.thinking_blocks));
  EXPECT_EQ("Read it first.", first.message.reasoning);
  ASSERT_EQ(1u, first.message.tool_calls.size());

  first.message.role = "assistant";
  req.messages.push_back(first.message);
  req.messages.push_back(Msg("tool", "<html>", "toolu_1"));
  CompletionResponse second;
  ASSERT_TRUE(Run(Config(false), &second, &err, &req)) << err.message;
  EXPECT_EQ("Done.", second.message.content);
  EXPECT_EQ(R"([{"signature":"s2","thinking":"Fine.","type":"thinking"}])",
            second.message.thinking_blocks);
  const json sent = server_.requests().at(1).json();
  json want_turn = blocks;
  want_turn.push_back({{"type", "tool_use"},
                       {"id", "toolu_1"},
                       {"name", "read_file"},
                       {"input", {{"path", "a.html"}}}});
  ASSERT_EQ(3u, sent["messages"].size());
  EXPECT_EQ(want_turn, sent["messages"][1]["content"]);
}

TEST_F(AnthropicClientTest, OverloadedThenSuccessCountsOneRetry) {
  server_.Push(ScriptedResponse::Status(
      529,
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
  server_.Push(ScriptedResponse::Sse(TextStream("ok")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("ok", out.message.content);
  EXPECT_EQ(1, out.retries);
  EXPECT_EQ((std::vector<int64_t>{500}), clock_.sleeps);
  EXPECT_EQ(2u, server_.requests().size());
}

TEST_F(AnthropicClientTest, RateLimitHonoursRetryAfter) {
  server_.Push(ScriptedResponse::Status(
      429,
      R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})",
      {{"Retry-After", "4"}}));
  server_.Push(ScriptedResponse::Sse(TextStream("ok")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ(1, out.retries);
  EXPECT_EQ((std::vector<int64_t>{4000}), clock_.sleeps);
}

TEST_F(AnthropicClientTest, BadRequestIsFinalWithServerMessage) {
  server_.Push(ScriptedResponse::Status(
      400,
      R"({"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}})"));
  server_.Push(ScriptedResponse::Sse(TextStream("never")));
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(Config(false), &out, &err));
  EXPECT_EQ("HTTP 400: invalid_request_error: max_tokens: Field required",
            err.message);
  EXPECT_EQ(400, err.http_status);
  EXPECT_EQ(1, err.tries);
  EXPECT_EQ(1u, server_.requests().size());
  EXPECT_EQ(server_.requests()[0].body, err.raw_request);
}

// Cut mid-stream (before any stop_reason), then an in-stream overloaded
// error: both retried; the third try is whole.
TEST_F(AnthropicClientTest, CutStreamAndStreamErrorAreRetried) {
  ScriptedResponse cut = ScriptedResponse::Sse(
      {MessageStart(10), BlockStart(0, {{"type", "text"}, {"text", ""}}),
       TextDelta(0, "par")});
  cut.cut = true;
  server_.Push(cut);
  server_.Push(ScriptedResponse::Sse(
      {MessageStart(10), Ev("error", json::parse(R"({"type":"error","error":{
           "type":"overloaded_error","message":"Overloaded"}})"))}));
  server_.Push(ScriptedResponse::Sse(TextStream("whole")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("whole", out.message.content);
  EXPECT_EQ(2, out.retries);
  EXPECT_EQ(3u, server_.requests().size());
}

TEST_F(AnthropicClientTest, StreamEndedBeforeMessageStopEveryTime) {
  ModelConfig config = Config(true);
  config.retry.max_tries = 2;
  const std::vector<std::string> partial = {
      MessageStart(10), BlockStart(0, {{"type", "text"}, {"text", ""}}),
      TextDelta(0, "par")};
  size_t bytes = 0;
  for (const std::string& p : partial) bytes += p.size();
  server_.Push(ScriptedResponse::Sse(partial));
  server_.Push(ScriptedResponse::Sse(partial));
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ("stream cut before message_stop after 2 tries: " +
                std::to_string(bytes) + " bytes received, no stop_reason",
            err.message);
  EXPECT_EQ(200, err.http_status);
}

// message_delta carried the stop_reason: a cut after it loses nothing.
TEST_F(AnthropicClientTest, CutAfterStopReasonIsUsable) {
  ScriptedResponse cut = ScriptedResponse::Sse(
      {MessageStart(10), BlockStart(0, {{"type", "text"}, {"text", ""}}),
       TextDelta(0, "fine"), BlockStop(0), MessageDelta("end_turn", 2)});
  cut.cut = true;
  server_.Push(cut);
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("fine", out.message.content);
  EXPECT_EQ("stop", out.finish_reason);
  EXPECT_EQ(0, out.retries);
}

TEST_F(AnthropicClientTest, StreamRequestAnsweredWithJson) {
  server_.Push(ScriptedResponse::Json(MessageBody(
      json::parse(R"([{"type":"text","text":"plain"}])"), "end_turn")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("plain", out.message.content);
  EXPECT_EQ("stop", out.finish_reason);
}

TEST_F(AnthropicClientTest, MissingApiKeyVariable) {
  ModelConfig config = Config(false);
  config.api_key_env = "ENDSTATE_TEST_UNSET_ANTHROPIC_KEY";
  unsetenv("ENDSTATE_TEST_UNSET_ANTHROPIC_KEY");
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ(
      "model 'm': environment variable ENDSTATE_TEST_UNSET_ANTHROPIC_KEY "
      "(api_key_env) is not set",
      err.message);
  EXPECT_EQ(0, err.tries);
  EXPECT_FALSE(err.raw_request.empty());
  EXPECT_TRUE(server_.requests().empty());
}

}  // namespace
}  // namespace endstate::models
