// The OpenAI-compatible client end to end against the scripted server over
// real HTTP on loopback.
#include "models/openai_client.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/models/fake_clock.h"
#include "tests/models/test_messages.h"
#include "tests/support/scripted_server.h"

namespace endstate::models {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using test::ScriptedCall;
using test::ScriptedResponse;

class OpenAiClientTest : public ::testing::Test {
 protected:
  ModelConfig Config(bool stream) {
    ModelConfig c;
    c.name = "m";
    c.provider = "openai";
    c.base_url = server_.base_url();
    c.model = "qwen3";
    c.stream = stream;
    c.sampling = {{"temperature", 0.0}};
    return c;
  }

  CompletionRequest Request() {
    CompletionRequest req;
    req.messages.push_back(Msg("user", "Fix the page."));
    req.tools.push_back(
        {"read_file", "Reads a file.", json::parse(R"({"type":"object"})")});
    return req;
  }

  bool Run(const ModelConfig& config, CompletionResponse* out,
           ModelError* err) {
    OpenAiClient client(config, &clock_);
    return client.Complete(Request(), out, err);
  }

  test::ScriptedServer server_;
  FakeClock clock_;
};

TEST_F(OpenAiClientTest, NonStreamingToolCall) {
  server_.Push(ScriptedResponse::Json(test::ChatCompletion(
      "", {{"call_1", "read_file", R"({"path":"index.html"})"}})));
  setenv("ENDSTATE_TEST_KEY", "sekret", 1);
  ModelConfig config = Config(false);
  config.api_key_env = "ENDSTATE_TEST_KEY";
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(config, &out, &err)) << err.message;
  ASSERT_EQ(1u, out.message.tool_calls.size());
  EXPECT_EQ("call_1", out.message.tool_calls[0].id);
  EXPECT_EQ("read_file", out.message.tool_calls[0].name);
  EXPECT_EQ(R"({"path":"index.html"})", out.message.tool_calls[0].arguments);
  EXPECT_EQ("tool_calls", out.finish_reason);
  EXPECT_EQ(100, out.usage.prompt_tokens);
  EXPECT_EQ(20, out.usage.completion_tokens);
  EXPECT_EQ(-1, out.ttft_ms);
  EXPECT_GT(out.duration_ms, 0);
  EXPECT_EQ(0, out.retries);
  std::vector<test::RecordedRequest> reqs = server_.requests();
  ASSERT_EQ(1u, reqs.size());
  EXPECT_EQ("/v1/chat/completions", reqs[0].path);
  EXPECT_EQ("Bearer sekret", reqs[0].headers["authorization"]);
  EXPECT_EQ(reqs[0].body, out.raw_request);
  EXPECT_EQ(
      R"({"max_tokens":4096,"messages":[{"content":"Fix the page.","role":"user"}],)"
      R"("model":"qwen3",)"
      R"("stream":false,"temperature":0.0,"tool_choice":"auto","tools":[{"function":)"
      R"({"description":"Reads a file.","name":"read_file","parameters":)"
      R"({"type":"object"}},"type":"function"}]})",
      reqs[0].body);
  EXPECT_EQ(test::ChatCompletion(
                "", {{"call_1", "read_file", R"({"path":"index.html"})"}})
                .dump(),
            out.raw_response);
}

TEST_F(OpenAiClientTest, StreamingToolCall) {
  server_.Push(ScriptedResponse::Stream(
      test::ChatCompletion("Reading it.",
                           {{"c7", "read_file", R"({"path":"a.html"})"}}),
      milliseconds(2)));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("Reading it.", out.message.content);
  ASSERT_EQ(1u, out.message.tool_calls.size());
  EXPECT_EQ("c7", out.message.tool_calls[0].id);
  EXPECT_EQ(R"({"path":"a.html"})", out.message.tool_calls[0].arguments);
  EXPECT_EQ("tool_calls", out.finish_reason);
  EXPECT_EQ(100, out.usage.prompt_tokens);
  EXPECT_GT(out.ttft_ms, 0);
  EXPECT_LT(out.ttft_ms, out.duration_ms);
  EXPECT_EQ(0, out.raw_response.rfind("data: {", 0));
  json sent = server_.requests()[0].json();
  EXPECT_EQ(true, sent["stream"]);
  EXPECT_EQ(R"({"include_usage":true})", sent["stream_options"].dump());
}

// Raw chunks split mid-line and mid-CRLF, with pings and an event line.
TEST_F(OpenAiClientTest, StreamingSplitAcrossReads) {
  server_.Push(ScriptedResponse::Sse(
      {": ping\r\n\r\n", "event: message\r\nda",
       R"(ta: {"choices":[{"index":0,"delta":{"content":"He"}}]})", "\r",
       "\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"llo\"},"
       "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,",
       "\"completion_tokens\":2}}\r\n\r\ndata: [DO", "NE]\r\n\r\n"},
      milliseconds(3)));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("Hello", out.message.content);
  EXPECT_TRUE(out.message.tool_calls.empty());
  EXPECT_EQ("stop", out.finish_reason);
  EXPECT_EQ(3, out.usage.prompt_tokens);
  EXPECT_EQ(2, out.usage.completion_tokens);
}

TEST_F(OpenAiClientTest, ServerErrorThenSuccessCountsOneRetry) {
  server_.Push(
      ScriptedResponse::Status(500, R"({"error":{"message":"oops"}})"));
  server_.Push(ScriptedResponse::Json(test::ChatCompletion("ok")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(false), &out, &err)) << err.message;
  EXPECT_EQ("ok", out.message.content);
  EXPECT_EQ(1, out.retries);
  EXPECT_EQ((std::vector<int64_t>{500}), clock_.sleeps);
  EXPECT_EQ(2u, server_.requests().size());
}

TEST_F(OpenAiClientTest, TooManyRequestsHonoursRetryAfter) {
  server_.Push(
      ScriptedResponse::Status(429, "rate limited", {{"Retry-After", "3"}}));
  server_.Push(ScriptedResponse::Json(test::ChatCompletion("ok")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(false), &out, &err)) << err.message;
  EXPECT_EQ(1, out.retries);
  EXPECT_EQ((std::vector<int64_t>{3000}), clock_.sleeps);
}

TEST_F(OpenAiClientTest, ExhaustedRetriesAreModelError) {
  for (int i = 0; i < 5; ++i) {
    server_.Push(ScriptedResponse::Status(503, "upstream down"));
  }
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(Config(true), &out, &err));
  EXPECT_EQ("HTTP 503 after 5 tries: upstream down", err.message);
  EXPECT_EQ(503, err.http_status);
  EXPECT_EQ(5, err.tries);
  EXPECT_EQ("upstream down", err.raw_response);
  EXPECT_EQ(server_.requests()[4].body, err.raw_request);
  EXPECT_EQ((std::vector<int64_t>{500, 1000, 2000, 4000}), clock_.sleeps);
}

TEST_F(OpenAiClientTest, BadRequestIsNotRetried) {
  server_.Push(ScriptedResponse::Status(
      400, R"({"error":{"message":"unknown field 'strict'"}})"));
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(Config(false), &out, &err));
  EXPECT_EQ("HTTP 400: unknown field 'strict'", err.message);
  EXPECT_EQ(400, err.http_status);
  EXPECT_EQ(1, err.tries);
  EXPECT_EQ(1u, server_.requests().size());
}

TEST_F(OpenAiClientTest, MalformedArgumentsAreReturnedRaw) {
  server_.Push(ScriptedResponse::Stream(test::ChatCompletion(
      "", {{"", "read_file", R"({"path": "a.html)"}, {"x", "nope", "{}"}})));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  ASSERT_EQ(2u, out.message.tool_calls.size());
  EXPECT_EQ("call_0_0", out.message.tool_calls[0].id);
  EXPECT_EQ(R"({"path": "a.html)", out.message.tool_calls[0].arguments);
  EXPECT_EQ("nope", out.message.tool_calls[1].name);
}

TEST_F(OpenAiClientTest, CutStreamIsRetried) {
  ScriptedResponse cut = ScriptedResponse::Sse(
      {R"(data: {"choices":[{"index":0,"delta":{"content":"par"}}]})"
       "\n\n"});
  cut.cut = true;
  server_.Push(cut);
  // Ended cleanly but without finish_reason or [DONE]: also unusable.
  server_.Push(ScriptedResponse::Sse(
      {R"(data: {"choices":[{"index":0,"delta":{"content":"par"}}]})"
       "\n\n"}));
  server_.Push(ScriptedResponse::Stream(test::ChatCompletion("whole")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("whole", out.message.content);
  EXPECT_EQ(2, out.retries);
}

TEST_F(OpenAiClientTest, CutAfterFinishChunkIsUsable) {
  ScriptedResponse cut = ScriptedResponse::Sse(
      {R"(data: {"choices":[{"index":0,"delta":{"content":"fine"},"finish_reason":"stop"}]})"
       "\n\n"});
  cut.cut = true;
  server_.Push(cut);
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("fine", out.message.content);
  EXPECT_EQ(0, out.retries);
  EXPECT_EQ(-1, out.usage.prompt_tokens);
}

TEST_F(OpenAiClientTest, StreamCutEveryTimeIsModelError) {
  ModelConfig config = Config(true);
  config.retry.max_tries = 2;
  for (int i = 0; i < 2; ++i) {
    server_.Push(ScriptedResponse::Sse({": ping\n\n", "data: [DONE]\n\n"}));
  }
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ("empty stream after 2 tries: 22 bytes received, no finish_reason",
            err.message);
  EXPECT_EQ(200, err.http_status);
}

TEST_F(OpenAiClientTest, DroppedConnectionIsRetried) {
  server_.Push(ScriptedResponse::Drop());
  server_.Push(ScriptedResponse::Json(test::ChatCompletion("ok")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(false), &out, &err)) << err.message;
  EXPECT_EQ(1, out.retries);
}

TEST_F(OpenAiClientTest, ConnectionRefused) {
  ModelConfig config = Config(false);
  config.base_url = "http://127.0.0.1:1/v1";
  config.retry.max_tries = 2;
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ("connection error after 2 tries: Couldn't connect to server",
            err.message);
  EXPECT_EQ(0, err.http_status);
}

TEST_F(OpenAiClientTest, StalledStreamTimesOut) {
  ModelConfig config = Config(true);
  config.retry.max_tries = 1;
  config.stall_timeout = milliseconds(150);
  server_.Push(ScriptedResponse::Sse({": ping\n\n", "data: [DONE]\n\n"},
                                     milliseconds(600)));
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ("timeout: stalled: no data for 150 ms", err.message);
}

TEST_F(OpenAiClientTest, StreamRequestAnsweredWithJson) {
  server_.Push(ScriptedResponse::Json(test::ChatCompletion("plain")));
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(Run(Config(true), &out, &err)) << err.message;
  EXPECT_EQ("plain", out.message.content);
}

TEST_F(OpenAiClientTest, MissingApiKeyVariable) {
  ModelConfig config = Config(false);
  config.api_key_env = "ENDSTATE_TEST_UNSET_KEY";
  unsetenv("ENDSTATE_TEST_UNSET_KEY");
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ(
      "model 'm': environment variable ENDSTATE_TEST_UNSET_KEY (api_key_env) "
      "is not set",
      err.message);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(OpenAiClientTest, InStreamErrorIsRetried) {
  server_.Push(ScriptedResponse::Sse(
      {"event: error\ndata: {\"error\":{\"message\":\"Failed to parse "
       "input\"}}\n\n"}));
  server_.Push(ScriptedResponse::Sse(
      {"data: {\"error\":{\"message\":\"Failed to parse input\"}}\n\n"}));
  ModelConfig config = Config(true);
  config.retry.max_tries = 2;
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ("stream error after 2 tries: Failed to parse input", err.message);
}

TEST_F(OpenAiClientTest, LargeRequestAndReasoningStream) {
  json completion = test::ChatCompletion("Yes.");
  completion["choices"][0]["message"]["reasoning_content"] = "Let me think.";
  server_.Push(ScriptedResponse::Stream(completion));
  CompletionRequest req = Request();
  req.messages.push_back(Msg("user", std::string(300 * 1024, 'x')));
  OpenAiClient client(Config(true), &clock_);
  CompletionResponse out;
  ModelError err;
  ASSERT_TRUE(client.Complete(req, &out, &err)) << err.message;
  EXPECT_EQ("Yes.", out.message.content);
  EXPECT_EQ("Let me think.", out.message.reasoning);
  EXPECT_EQ(server_.requests()[0].body, out.raw_request);
  EXPECT_LT(out.duration_ms, 900);  // no Expect: 100-continue stall
}

TEST_F(OpenAiClientTest, EmptyQueueAnswers500) {
  ModelConfig config = Config(false);
  config.retry.max_tries = 1;
  CompletionResponse out;
  ModelError err;
  EXPECT_FALSE(Run(config, &out, &err));
  EXPECT_EQ("HTTP 500: scripted server: no response queued", err.message);
}

}  // namespace
}  // namespace endstate::models
