#include "results/display_name.h"

#include <gtest/gtest.h>

namespace endstate::results {
namespace {

TEST(ShortModelName, EndpointSpecsShowTheirModelId) {
  EXPECT_EQ("qwen", ShortModelName("openai:http://127.0.0.1:18932/v1#qwen"));
  EXPECT_EQ("claude-x", ShortModelName("anthropic:#claude-x"));
  EXPECT_EQ("org/m#2", ShortModelName("openai:http://h/v1#org/m#2"));
}

TEST(ShortModelName, OtherNamesAreKept) {
  EXPECT_EQ("qwen-nvfp4", ShortModelName("qwen-nvfp4"));
  EXPECT_EQ("builtin:oracle", ShortModelName("builtin:oracle"));
  EXPECT_EQ("builtin:flaky:0.3", ShortModelName("builtin:flaky:0.3"));
  EXPECT_EQ("a#b", ShortModelName("a#b"));  // a config name, not a spec
  EXPECT_EQ("openai:http://h/v1#", ShortModelName("openai:http://h/v1#"));
}

TEST(DisplayModelNames, ClashingShortNamesFallBackToTheFullName) {
  EXPECT_EQ((std::vector<std::string>{"qwen", "builtin:oracle", "llama"}),
            DisplayModelNames({"openai:http://a/v1#qwen", "builtin:oracle",
                               "openai:http://b/v1#llama"}));
  // Two servers serving the same model id: both keep their spec; the
  // third model is unaffected.
  EXPECT_EQ(
      (std::vector<std::string>{"openai:http://a/v1#qwen",
                                "openai:http://b/v1#qwen", "llama"}),
      DisplayModelNames({"openai:http://a/v1#qwen", "openai:http://b/v1#qwen",
                         "openai:http://b/v1#llama"}));
  // A config name equal to another model's id: the spec keeps its full
  // name, the config name is its own.
  EXPECT_EQ((std::vector<std::string>{"qwen", "openai:http://a/v1#qwen"}),
            DisplayModelNames({"qwen", "openai:http://a/v1#qwen"}));
  // The same model listed twice is one model.
  EXPECT_EQ((std::vector<std::string>{"qwen", "qwen"}),
            DisplayModelNames(
                {"openai:http://a/v1#qwen", "openai:http://a/v1#qwen"}));
  EXPECT_EQ((std::map<std::string, std::string>{
                {"openai:http://a/v1#qwen", "qwen"}, {"m", "m"}}),
            DisplayModelNameMap({"openai:http://a/v1#qwen", "m"}));
}

}  // namespace
}  // namespace endstate::results
