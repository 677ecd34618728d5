#include <gtest/gtest.h>

#include "models/markup.h"
#include "models/model_config.h"

namespace endstate::models {
namespace {

TEST(ParseModelSpecTest, Builtins) {
  ModelConfig c;
  std::string err;
  ASSERT_TRUE(ParseModelSpec("builtin:oracle", &c, &err)) << err;
  EXPECT_EQ("builtin:oracle", c.name);
  EXPECT_EQ("builtin", c.provider);
  EXPECT_EQ("oracle", c.model);
  ASSERT_TRUE(ParseModelSpec("builtin:null", &c, &err)) << err;
  EXPECT_EQ("null", c.model);
  ASSERT_TRUE(ParseModelSpec("builtin:flaky", &c, &err)) << err;
  EXPECT_EQ("flaky", c.model);
  EXPECT_DOUBLE_EQ(0.2, c.flaky_rate);
  ASSERT_TRUE(ParseModelSpec("builtin:flaky:0.35", &c, &err)) << err;
  EXPECT_EQ("builtin:flaky:0.35", c.name);
  EXPECT_EQ("flaky", c.model);
  EXPECT_DOUBLE_EQ(0.35, c.flaky_rate);
  ASSERT_TRUE(ParseModelSpec("builtin:flaky:1", &c, &err)) << err;
  EXPECT_DOUBLE_EQ(1.0, c.flaky_rate);
  ASSERT_TRUE(ParseModelSpec("builtin:flaky:0", &c, &err)) << err;
  EXPECT_DOUBLE_EQ(0.0, c.flaky_rate);
}

TEST(ParseModelSpecTest, OpenAi) {
  ModelConfig c;
  std::string err;
  ASSERT_TRUE(ParseModelSpec("openai:http://127.0.0.1:8000/v1/#Qwen/Qwen3-8B",
                             &c, &err))
      << err;
  EXPECT_EQ("openai:http://127.0.0.1:8000/v1/#Qwen/Qwen3-8B", c.name);
  EXPECT_EQ("openai", c.provider);
  EXPECT_EQ("http://127.0.0.1:8000/v1", c.base_url);
  EXPECT_EQ("Qwen/Qwen3-8B", c.model);
  EXPECT_FALSE(c.stream);
}

TEST(ParseModelSpecTest, ErrorsNameTheExpectation) {
  ModelConfig c;
  c.name = "untouched";
  std::string err;
  EXPECT_FALSE(ParseModelSpec("builtin:foo", &c, &err));
  EXPECT_EQ(
      "model spec 'builtin:foo': unknown builtin (expected oracle, null, "
      "flaky, flaky:RATE)",
      err);
  EXPECT_EQ("untouched", c.name);
  EXPECT_FALSE(ParseModelSpec("builtin:flaky:1.5", &c, &err));
  EXPECT_EQ(
      "model spec 'builtin:flaky:1.5': flaky rate must be a number between 0 "
      "and 1",
      err);
  EXPECT_FALSE(ParseModelSpec("builtin:flaky:abc", &c, &err));
  EXPECT_EQ(
      "model spec 'builtin:flaky:abc': flaky rate must be a number between 0 "
      "and 1",
      err);
  EXPECT_FALSE(ParseModelSpec("builtin:flaky:", &c, &err));
  EXPECT_FALSE(ParseModelSpec("openai:http://h/v1", &c, &err));
  EXPECT_EQ(
      "model spec 'openai:http://h/v1': expected openai:BASE_URL#MODEL_ID",
      err);
  EXPECT_FALSE(ParseModelSpec("openai:http://h/v1#", &c, &err));
  EXPECT_EQ(
      "model spec 'openai:http://h/v1#': expected openai:BASE_URL#MODEL_ID",
      err);
  EXPECT_FALSE(ParseModelSpec("openai:h:8000/v1#m", &c, &err));
  EXPECT_EQ(
      "model spec 'openai:h:8000/v1#m': base URL must start with http:// or "
      "https://",
      err);
  EXPECT_FALSE(ParseModelSpec("oracle", &c, &err));
  EXPECT_EQ(
      "model spec 'oracle': unknown provider (expected builtin:NAME, "
      "openai:BASE_URL#MODEL_ID or anthropic:[BASE_URL]#MODEL_ID)",
      err);
}

TEST(DetectLeakedMarkupTest, Kinds) {
  EXPECT_EQ("", DetectLeakedMarkup(""));
  EXPECT_EQ("", DetectLeakedMarkup("The title now reads \"About\"."));
  EXPECT_EQ("", DetectLeakedMarkup("Use <b>bold</b> and {\"a\":1}."));
  EXPECT_EQ(
      "tool_call_tag",
      DetectLeakedMarkup("<tool_call>\n{\"name\": \"read_file\", "
                         "\"arguments\": {\"path\": \"a\"}}\n</tool_call>"));
  EXPECT_EQ(
      "function_tag",
      DetectLeakedMarkup("Let me look.\n<function=read_file>\n"
                         "<parameter=path>\na\n</parameter>\n</function>"));
  EXPECT_EQ("special_token",
            DetectLeakedMarkup("<|tool_call|>{\"name\":\"x\"}"));
  EXPECT_EQ(
      "special_token",
      DetectLeakedMarkup("[TOOL_CALLS][{\"name\":\"x\",\"arguments\":{}}]"));
  EXPECT_EQ("special_token",
            DetectLeakedMarkup("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>"));
  EXPECT_EQ("special_token", DetectLeakedMarkup("<|python_tag|>x.call()"));
  EXPECT_EQ(
      "bare_json_call",
      DetectLeakedMarkup(" {\"name\": \"read_file\", \"arguments\": {}}\n"));
  EXPECT_EQ("", DetectLeakedMarkup("{\"name\": \"Bob\"}"));
}

}  // namespace
}  // namespace endstate::models
