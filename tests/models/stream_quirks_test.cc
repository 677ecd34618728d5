// Tool-call assembly and response parsing against outputs recorded from (or
// shaped like) real servers' quirks: NOTES.md "Model servers".
#include <gtest/gtest.h>

#include "models/openai_wire.h"
#include "models/sse_parser.h"
#include "models/tool_call_accumulator.h"
#include "tests/models/test_messages.h"

namespace endstate::models {
namespace {

using nlohmann::json;

std::string Render(const std::vector<ToolCall>& calls) {
  std::string s;
  for (const ToolCall& c : calls) {
    s += "{" + c.id + "|" + c.name + "|" + c.arguments + "}";
  }
  return s;
}

// Feeds an SSE text to a StreamAssembler and returns the response.
CompletionResponse Assemble(const std::string& sse, int turn = 3,
                            StreamAssembler* out_asm = nullptr) {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.Feed(sse, &events);
  parser.Finish(&events);
  StreamAssembler local;
  StreamAssembler& a = out_asm ? *out_asm : local;
  for (const SseEvent& e : events) a.Add(e.data);
  CompletionResponse r;
  a.Finish(turn, &r);
  return r;
}

TEST(ToolCallAccumulatorTest, VllmStringFragments) {
  ToolCallAccumulator acc;
  acc.AddDelta(json::parse(
      R"({"index":0,"id":"chatcmpl-tool-1","type":"function",
          "function":{"name":"write_file","arguments":""}})"));
  acc.AddDelta(json::parse(R"({"index":0,"function":{"arguments":"{\"pa"}})"));
  acc.AddDelta(json::parse(
      R"({"index":0,"function":{"arguments":"th\": \"a.txt\"}"}})"));
  acc.AddDelta(json::parse(
      R"({"index":1,"id":"chatcmpl-tool-2","function":{"name":"read_file"}})"));
  acc.AddDelta(json::parse(R"({"index":1,"function":{"arguments":"{}"}})"));
  EXPECT_EQ(
      "{chatcmpl-tool-1|write_file|{\"path\": \"a.txt\"}}"
      "{chatcmpl-tool-2|read_file|{}}",
      Render(acc.Finish(0)));
}

TEST(ToolCallAccumulatorTest, OllamaWholeCallsAtIndexZero) {
  ToolCallAccumulator acc;
  acc.AddDelta(json::parse(
      R"({"index":0,"id":"call_ab","type":"function",
          "function":{"name":"read_file","arguments":"{\"path\":\"a\"}"}})"));
  acc.AddDelta(json::parse(
      R"({"index":0,"id":"call_cd","type":"function",
          "function":{"name":"read_file","arguments":"{\"path\":\"b\"}"}})"));
  EXPECT_EQ(
      "{call_ab|read_file|{\"path\":\"a\"}}"
      "{call_cd|read_file|{\"path\":\"b\"}}",
      Render(acc.Finish(0)));
}

TEST(ToolCallAccumulatorTest, WholeCallsWithoutIdsAtIndexZero) {
  ToolCallAccumulator acc;
  acc.AddDelta(json::parse(
      R"({"index":0,"function":{"name":"a","arguments":{"x":1}}})"));
  acc.AddDelta(json::parse(
      R"({"index":0,"function":{"name":"b","arguments":{"y":2}}})"));
  EXPECT_EQ("{call_4_0|a|{\"x\":1}}{call_4_1|b|{\"y\":2}}",
            Render(acc.Finish(4)));
}

TEST(ToolCallAccumulatorTest, ObjectArgumentsEmptyIdsAndNoIndex) {
  ToolCallAccumulator acc;
  acc.AddWhole(json::parse(
      R"({"id":"","type":"function",
          "function":{"name":"write_file","arguments":{"path":"x","content":"y"}}})"));
  acc.AddWhole(json::parse(R"({"function":{"name":"list_files"}})"));
  acc.AddWhole(json::parse(R"({"id":"c9","function":{}})"));  // dropped
  EXPECT_EQ(
      "{call_2_0|write_file|{\"content\":\"y\",\"path\":\"x\"}}"
      "{call_2_1|list_files|}",
      Render(acc.Finish(2)));
  ToolCallAccumulator no_index;
  no_index.AddDelta(json::parse(R"({"id":"k","function":{"name":"f"}})"));
  no_index.AddDelta(json::parse(R"({"function":{"arguments":"{\"a\""}})"));
  no_index.AddDelta(json::parse(R"({"function":{"arguments":":1}"}})"));
  EXPECT_EQ("{k|f|{\"a\":1}}", Render(no_index.Finish(0)));
}

// vLLM: usage in a separate chunk with choices [] after the finish chunk.
TEST(StreamAssemblerTest, VllmUsageChunk) {
  StreamAssembler a;
  CompletionResponse r = Assemble(
      R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

data: {"choices":[{"index":0,"delta":{"reasoning":"think "}}]}

data: {"choices":[{"index":0,"delta":{"reasoning":"more"}}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t1","type":"function","function":{"name":"read_file","arguments":""}}]}}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":"}}]}}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"a\"}"}}]}}]}

data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

data: {"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":32}}}

data: [DONE]

)",
      3, &a);
  EXPECT_TRUE(a.done());
  EXPECT_EQ("", r.message.content);
  EXPECT_EQ("think more", r.message.reasoning);
  EXPECT_EQ("{t1|read_file|{\"path\":\"a\"}}", Render(r.message.tool_calls));
  EXPECT_EQ("tool_calls", r.finish_reason);
  EXPECT_EQ(50, r.usage.prompt_tokens);
  EXPECT_EQ(9, r.usage.completion_tokens);
  EXPECT_EQ(32, r.usage.cached_tokens);
  EXPECT_TRUE(r.server_timings.is_null());
}

// llama-server: pings, reasoning_content, "\n\n" beside the call, usage and
// timings on the finish chunk, choices null... and finish_reason "tool".
TEST(StreamAssemblerTest, LlamaServerQuirks) {
  CompletionResponse r = Assemble(
      ": ping\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]})"
      "\r\n\r\n"
      R"(data: {"choices":[{"index":0,"delta":{"content":"\n\n"}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"","function":{"name":"list_files","arguments":{"path":"."}}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool"}],"usage":{"prompt_tokens":7,"completion_tokens":3},"timings":{"prompt_n":7,"prompt_ms":1.5,"predicted_n":3}})"
      "\n\n"
      R"(data: {"choices":null,"usage":null})"
      "\n\n"
      "data: [DONE]\n\n");
  EXPECT_EQ("", r.message.content);
  EXPECT_EQ("hmm", r.message.reasoning);
  EXPECT_EQ("{call_3_0|list_files|{\"path\":\".\"}}",
            Render(r.message.tool_calls));
  EXPECT_EQ("tool", r.finish_reason);
  EXPECT_EQ(7, r.usage.prompt_tokens);
  EXPECT_EQ(3, r.usage.completion_tokens);
  EXPECT_EQ(-1, r.usage.cached_tokens);
  EXPECT_EQ(R"({"predicted_n":3,"prompt_ms":1.5,"prompt_n":7})",
            r.server_timings.dump());
}

// A stream cut before usage: usage stays unknown; content kept as is.
TEST(StreamAssemblerTest, NoUsageEverAndChunkKinds) {
  StreamAssembler a;
  EXPECT_EQ(StreamAssembler::Chunk::kChoices,
            a.Add(R"({"choices":[{"delta":{"content":"Hi"}}]})"));
  EXPECT_EQ(StreamAssembler::Chunk::kNoChoices, a.Add(R"({"choices":[]})"));
  EXPECT_EQ(StreamAssembler::Chunk::kNoChoices, a.Add(R"({"id":"x"})"));
  EXPECT_EQ(StreamAssembler::Chunk::kIgnored, a.Add("not json"));
  EXPECT_EQ(
      StreamAssembler::Chunk::kChoices,
      a.Add(
          R"({"choices":[{"delta":{"content":" there"},"finish_reason":"stop"}]})"));
  EXPECT_EQ(StreamAssembler::Chunk::kError,
            a.Add(R"({"error":{"message":"boom","code":500}})"));
  EXPECT_EQ("boom", a.error());
  EXPECT_TRUE(a.finished());
  EXPECT_FALSE(a.done());
  CompletionResponse r;
  a.Finish(0, &r);
  EXPECT_EQ("Hi there", r.message.content);
  EXPECT_EQ("stop", r.finish_reason);
  EXPECT_EQ(-1, r.usage.prompt_tokens);
  EXPECT_EQ(-1, r.usage.completion_tokens);
}

TEST(ParseCompletionBodyTest, ObjectArgumentsAndReasoning) {
  CompletionResponse r;
  std::string err;
  ASSERT_TRUE(ParseCompletionBody(
      R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{
           "role":"assistant","content":"\n\n","reasoning":"plan",
           "tool_calls":[{"type":"function","function":{"name":"read_file",
             "arguments":{"path":"index.html"}}},
             {"id":"b","type":"function","function":{"name":"x",
             "arguments":"{broken"}}]}}],
         "usage":{"prompt_tokens":11,"completion_tokens":4}})",
      5, &r, &err))
      << err;
  EXPECT_EQ("assistant", r.message.role);
  EXPECT_EQ("", r.message.content);
  EXPECT_EQ("plan", r.message.reasoning);
  EXPECT_EQ("{call_5_0|read_file|{\"path\":\"index.html\"}}{b|x|{broken}",
            Render(r.message.tool_calls));
  EXPECT_EQ("tool_calls", r.finish_reason);
  EXPECT_EQ(11, r.usage.prompt_tokens);
}

TEST(ParseCompletionBodyTest, Errors) {
  CompletionResponse r;
  std::string err;
  EXPECT_FALSE(ParseCompletionBody("<html>bad gateway</html>", 0, &r, &err));
  EXPECT_EQ("response is not JSON: <html>bad gateway</html>", err);
  EXPECT_FALSE(ParseCompletionBody(R"({"choices":[]})", 0, &r, &err));
  EXPECT_EQ("response has no choices", err);
  EXPECT_FALSE(ParseCompletionBody(
      R"({"error":{"message":"model overloaded"}})", 0, &r, &err));
  EXPECT_EQ("model overloaded", err);
}

TEST(BuildRequestBodyTest, ReplaysCallsAndMergesExtras) {
  ModelConfig config;
  config.model = "qwen";
  config.sampling = {{"temperature", 0.6}, {"top_p", 0.95}};
  config.extra = {{"cache_prompt", false}, {"top_p", 0.8}};
  CompletionRequest req;
  req.messages.push_back(Msg("system", "sys"));
  req.messages.push_back(Msg("user", "do it"));
  Message a = Msg("assistant", "");
  a.reasoning = "secret";
  a.tool_calls.push_back({"c1", "read_file", "{\"path\":\"a\"}"});
  a.tool_calls.push_back({"c2", "read_file", "{\"path\":"});
  req.messages.push_back(a);
  Message result = Msg("tool", "hello", "c1");
  result.name = "read_file";
  req.messages.push_back(result);
  req.tools.push_back(
      {"read_file", "Reads a file.", json::parse(R"({"type":"object"})")});
  EXPECT_EQ(
      R"({"cache_prompt":false,"max_tokens":4096,)"
      R"("messages":[{"content":"sys","role":"system"},)"
      R"({"content":"do it","role":"user"},{"content":null,"role":"assistant",)"
      R"("tool_calls":[{"function":{"arguments":"{\"path\":\"a\"}","name":"read_file"},)"
      R"("id":"c1","type":"function"},{"function":{"arguments":"{}","name":"read_file"},)"
      R"("id":"c2","type":"function"}]},{"content":"hello","role":"tool",)"
      R"("tool_call_id":"c1"}],"model":"qwen","stream":true,)"
      R"("stream_options":{"include_usage":true},"temperature":0.6,)"
      R"("tool_choice":"auto","tools":[{"function":{"description":"Reads a file.",)"
      R"("name":"read_file","parameters":{"type":"object"}},"type":"function"}],)"
      R"("top_p":0.8})",
      BuildRequestBody(config, req, true).dump());
  EXPECT_EQ(1, TurnNumber(req));
  CompletionRequest bare;
  bare.messages.push_back(Msg("user", "hi"));
  EXPECT_EQ(R"({"max_tokens":4096,"messages":[{"content":"hi","role":"user"}],)"
            R"("model":"","stream":false})",
            BuildRequestBody(ModelConfig{}, bare, false).dump());
}

TEST(ErrorSnippetTest, ShapesAndCut) {
  EXPECT_EQ("x", ErrorSnippet(R"({"error":"x"})"));
  EXPECT_EQ("y", ErrorSnippet(R"({"detail":"y"})"));
  EXPECT_EQ("plain text", ErrorSnippet("  plain text\n"));
  std::string longer(400, 'a');
  EXPECT_EQ(std::string(300, 'a') + "...", ErrorSnippet(longer));
}

}  // namespace
}  // namespace endstate::models
