// Numbers in server responses that do not fit the fields they fill. Reported
// by fuzz/tool_args_fuzz under UBSan: converting such a double to an integer
// was undefined behaviour (on x86 it read as INT64_MIN tokens).
#include <gtest/gtest.h>

#include "models/openai_wire.h"

namespace endstate::models {
namespace {

using nlohmann::json;

TEST(WireNumbersTest, UsageOutOfRangeStaysUnreported) {
  Usage u;
  ParseUsage(json::parse(R"({"prompt_tokens": 1e300,
                             "completion_tokens": -1.5e19,
                             "prompt_tokens_details": {"cached_tokens": 1e19}})"),
             &u);
  EXPECT_EQ(-1, u.prompt_tokens);
  EXPECT_EQ(-1, u.completion_tokens);
  EXPECT_EQ(-1, u.cached_tokens);
}

TEST(WireNumbersTest, UsageAcceptsIntegersAndIntegralFloats) {
  Usage u;
  ParseUsage(json::parse(R"({"prompt_tokens": 12.0, "completion_tokens": 7,
                             "prompt_tokens_details": {"cached_tokens": 4}})"),
             &u);
  EXPECT_EQ(12, u.prompt_tokens);
  EXPECT_EQ(7, u.completion_tokens);
  EXPECT_EQ(4, u.cached_tokens);
}

TEST(WireNumbersTest, HugeChoiceIndexIsNotTheFirstChoice) {
  StreamAssembler a;
  EXPECT_EQ(StreamAssembler::Chunk::kChoices,
            a.Add(R"({"choices":[{"index":1e300,"delta":{"content":"x"}}]})"));
  EXPECT_EQ(StreamAssembler::Chunk::kChoices,
            a.Add(R"({"choices":[{"index":0.0,"delta":{"content":"y"}}]})"));
  CompletionResponse r;
  a.Finish(0, &r);
  EXPECT_EQ("y", r.message.content);
}

}  // namespace
}  // namespace endstate::models
