// The Anthropic wire format without I/O: request parameters, usage, stop
// reasons, error text, whole-body edge cases, and the inline model spec.
#include "models/anthropic_wire.h"

#include <gtest/gtest.h>

#include "tests/models/test_messages.h"

namespace endstate::models {
namespace {

using nlohmann::json;

ModelConfig Config() {
  ModelConfig c;
  c.provider = "anthropic";
  c.model = "claude-x";
  return c;
}

CompletionRequest UserOnly() {
  CompletionRequest req;
  req.messages.push_back(Msg("user", "Hi."));
  return req;
}

TEST(AnthropicWireTest, ParametersDropOpenAiOnlyKeysAndExtraWins) {
  ModelConfig c = Config();
  c.sampling = {{"temperature", 0.2}, {"top_p", 0.9},      {"seed", 7},
                {"min_p", 0.05},      {"max_tokens", 512}, {"stop", "END"}};
  c.extra = {{"stream_options", {{"include_usage", true}}},
             {"max_completion_tokens", 2048},
             {"top_k", 40},
             {"temperature", 0.7}};
  EXPECT_EQ(json::parse(R"({"model":"claude-x","max_tokens":2048,
      "messages":[{"role":"user","content":"Hi."}],"stream":true,
      "temperature":0.7,"top_p":0.9,"top_k":40,"stop_sequences":["END"]})"),
            BuildAnthropicBody(c, UserOnly(), true));
}

TEST(AnthropicWireTest, EmptyAssistantTurnIsLeftOutAndNoSystemField) {
  CompletionRequest req = UserOnly();
  req.messages.push_back(Msg("assistant", ""));
  req.messages.push_back(Msg("user", "Still there?"));
  json body = BuildAnthropicBody(Config(), req, false);
  EXPECT_FALSE(body.contains("system"));
  EXPECT_FALSE(body.contains("tools"));
  EXPECT_FALSE(body.contains("tool_choice"));
  EXPECT_EQ(json::parse(R"([{"role":"user","content":"Hi."},
      {"role":"user","content":"Still there?"}])"),
            body["messages"]);
}

// Results of two different assistant turns stay in two user messages.
TEST(AnthropicWireTest, ToolResultsMergeOnlyWithinOneTurn) {
  CompletionRequest req = UserOnly();
  for (const char* id : {"t1", "t2"}) {
    Message call = Msg("assistant", "");
    call.tool_calls = {{id, "list_files", "{}"}};
    req.messages.push_back(call);
    req.messages.push_back(Msg("tool", "a.html", id));
  }
  json messages = BuildAnthropicBody(Config(), req, false)["messages"];
  ASSERT_EQ(5u, messages.size());
  EXPECT_EQ("t1", messages[2]["content"][0]["tool_use_id"]);
  EXPECT_EQ(1u, messages[2]["content"].size());
  EXPECT_EQ("t2", messages[4]["content"][0]["tool_use_id"]);
  EXPECT_EQ(json::parse(R"([{"type":"tool_use","id":"t2","name":"list_files",
      "input":{}}])"),
            messages[3]["content"]);
}

TEST(AnthropicWireTest, FinishReasons) {
  EXPECT_EQ("tool_calls", AnthropicFinishReason("tool_use"));
  EXPECT_EQ("stop", AnthropicFinishReason("end_turn"));
  EXPECT_EQ("stop", AnthropicFinishReason("stop_sequence"));
  EXPECT_EQ("length", AnthropicFinishReason("max_tokens"));
  EXPECT_EQ("refusal", AnthropicFinishReason("refusal"));
  EXPECT_EQ("", AnthropicFinishReason(""));
}

TEST(AnthropicWireTest, Usage) {
  Usage u;
  ParseAnthropicUsage(json::parse(R"({"input_tokens":5,
      "cache_creation_input_tokens":100,"cache_read_input_tokens":1000,
      "output_tokens":1})"),
                      &u);
  EXPECT_EQ(1105, u.prompt_tokens);
  EXPECT_EQ(1000, u.cached_tokens);
  EXPECT_EQ(1, u.completion_tokens);
  // message_delta carries only output_tokens: the rest stays.
  ParseAnthropicUsage(json::parse(R"({"output_tokens":77})"), &u);
  EXPECT_EQ(1105, u.prompt_tokens);
  EXPECT_EQ(77, u.completion_tokens);
  Usage none;
  ParseAnthropicUsage(json::parse(R"({"input_tokens":9.0,
      "cache_read_input_tokens":1e300,"output_tokens":-4})"),
                      &none);
  EXPECT_EQ(9, none.prompt_tokens);
  EXPECT_EQ(-1, none.cached_tokens);
  EXPECT_EQ(-1, none.completion_tokens);
}

TEST(AnthropicWireTest, ErrorText) {
  EXPECT_EQ("overloaded_error: Overloaded",
            AnthropicErrorText(R"({"type":"error","error":{
                "type":"overloaded_error","message":"Overloaded"}})"));
  EXPECT_EQ("bad gateway", AnthropicErrorText("  bad gateway\n"));
}

TEST(AnthropicWireTest, WholeBodyEdgeCases) {
  CompletionResponse out;
  std::string err;
  EXPECT_FALSE(ParseAnthropicBody("<html>", 0, &out, &err));
  EXPECT_EQ("response is not JSON: <html>", err);
  EXPECT_FALSE(ParseAnthropicBody(
      R"({"type":"error","error":{"type":"api_error","message":"boom"}})", 0,
      &out, &err));
  EXPECT_EQ("api_error: boom", err);
  EXPECT_FALSE(ParseAnthropicBody(R"({"type":"message"})", 0, &out, &err));
  EXPECT_EQ("response has no content", err);
  // A tool_use without id gets a synthesized one; thinking goes to
  // reasoning.
  ASSERT_TRUE(ParseAnthropicBody(R"({"type":"message","content":[
      {"type":"thinking","thinking":"hmm","signature":"x"},
      {"type":"tool_use","name":"list_files","input":{}}],
      "stop_reason":"tool_use"})",
                                 3, &out, &err))
      << err;
  EXPECT_EQ("hmm", out.message.reasoning);
  EXPECT_EQ(R"([{"signature":"x","thinking":"hmm","type":"thinking"}])",
            out.message.thinking_blocks);
  ASSERT_EQ(1u, out.message.tool_calls.size());
  EXPECT_EQ("call_3_0", out.message.tool_calls[0].id);
  EXPECT_EQ("{}", out.message.tool_calls[0].arguments);
  EXPECT_EQ(-1, out.usage.prompt_tokens);
}

TEST(AnthropicModelSpecTest, Parse) {
  ModelConfig c;
  std::string err;
  ASSERT_TRUE(
      ParseModelSpec("anthropic:http://127.0.0.1:9/v1/#claude-m", &c, &err))
      << err;
  EXPECT_EQ("anthropic", c.provider);
  EXPECT_EQ("http://127.0.0.1:9/v1", c.base_url);
  EXPECT_EQ("claude-m", c.model);
  EXPECT_EQ("ANTHROPIC_API_KEY", c.api_key_env);
  EXPECT_EQ("anthropic:http://127.0.0.1:9/v1/#claude-m", c.name);
  ASSERT_TRUE(ParseModelSpec("anthropic:#claude-sonnet-4-5", &c, &err)) << err;
  EXPECT_EQ("https://api.anthropic.com/v1", c.base_url);
  EXPECT_EQ("claude-sonnet-4-5", c.model);
  EXPECT_FALSE(ParseModelSpec("anthropic:claude-x", &c, &err));
  EXPECT_EQ(
      "model spec 'anthropic:claude-x': expected "
      "anthropic:[BASE_URL]#MODEL_ID",
      err);
  EXPECT_FALSE(ParseModelSpec("anthropic:api.anthropic.com#m", &c, &err));
  EXPECT_EQ(
      "model spec 'anthropic:api.anthropic.com#m': base URL must start with "
      "http:// or https://",
      err);
}

}  // namespace
}  // namespace endstate::models
