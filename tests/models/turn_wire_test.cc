// The wire shapes that end a turn badly, as the OpenAI client sees them
// over real HTTP (scripted server): which are retried, which are final and
// how they are classified; <think> text split off the answer; the capacity
// gate's lowering rule.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "models/capacity_gate.h"
#include "models/openai_client.h"
#include "models/reasoning.h"
#include "models/server_errors.h"
#include "tests/support/scripted_server.h"

namespace endstate::models {
namespace {

using nlohmann::json;
using test::ScriptedResponse;

class TurnWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.name = "q";
    config_.provider = "openai";
    config_.base_url = server_.base_url();
    config_.model = "qwen";
    config_.retry.max_tries = 3;
    config_.retry.initial_backoff = std::chrono::milliseconds(1);
    req_.messages.push_back({.role = "user", .content = "go"});
  }
  bool Complete() {
    OpenAiClient client(config_);
    return client.Complete(req_, &out_, &err_);
  }
  test::ScriptedServer server_;
  ModelConfig config_;
  CompletionRequest req_;
  CompletionResponse out_;
  ModelError err_;
};

TEST(ServerErrorsTest, ClassifiesRealBodies) {
  EXPECT_EQ(
      ErrorClass::kContextExhausted,
      ClassifyServerError(
          400, R"({"error":{"code":400,"message":"request (10061 tokens) )"
               R"(exceeds the available context size (4096 tokens), try )"
               R"(increasing it","type":"exceed_context_size_error"}})"));
  EXPECT_EQ(
      ErrorClass::kContextExhausted,
      ClassifyServerError(
          400, R"({"error":{"message":"'max_tokens' or )"
               R"('max_completion_tokens' is too large: 4096. This model's )"
               R"(maximum context length is 4096 tokens and your request has )"
               R"(904 input tokens (4096 > 4096 - 904).","type":)"
               R"("BadRequestError","param":null,"code":400}})"));
  EXPECT_EQ(ErrorClass::kContextExhausted,
            ClassifyServerError(
                400, R"({"error":{"message":"context_length_exceeded",)"
                     R"("type":"invalid_request_error","code":)"
                     R"("context_length_exceeded"}})"));
  EXPECT_EQ(ErrorClass::kServerCapacity,
            ClassifyServerError(
                500, R"({"error":{"code":500,"message":"Context size has )"
                     R"(been exceeded.","type":"server_error"}})"));
  // The same words in a 400 are not load; other 400s and 500s are neither.
  EXPECT_EQ(ErrorClass::kOther,
            ClassifyServerError(400, R"({"error":"unknown field 'strict'"})"));
  EXPECT_EQ(ErrorClass::kOther, ClassifyServerError(500, "boom"));
  EXPECT_EQ(ErrorClass::kOther,
            ClassifyServerError(503, "maximum context length"));
}

TEST_F(TurnWireTest, ContextExhaustionIsFinalAtTheFirstTry) {
  server_.Push(ScriptedResponse::Status(
      400, R"({"error":{"code":400,"message":"request (10061 tokens) exceeds )"
           R"(the available context size (4096 tokens), try increasing it",)"
           R"("type":"exceed_context_size_error"}})"));
  ASSERT_FALSE(Complete());
  EXPECT_EQ(ErrorClass::kContextExhausted, err_.error_class);
  EXPECT_EQ(1, err_.tries);
  EXPECT_EQ(
      "HTTP 400: request (10061 tokens) exceeds the available context size "
      "(4096 tokens), try increasing it",
      err_.message);
}

// llama.cpp's mid-stream error event, stream ended without [DONE]: final
// for the client (the capacity gate decides about sending it again).
TEST_F(TurnWireTest, MidStreamCapacityErrorIsFinalAndClassified) {
  config_.stream = true;
  server_.Push(ScriptedResponse::Sse(
      {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"I\"}}]}\n\n",
       "data: {\"error\":{\"code\":500,\"message\":\"Context size has been "
       "exceeded.\",\"type\":\"server_error\"}}\n\n"}));
  ASSERT_FALSE(Complete());
  EXPECT_EQ(ErrorClass::kServerCapacity, err_.error_class);
  EXPECT_EQ(1, err_.tries);
  EXPECT_EQ("stream error: Context size has been exceeded.", err_.message);
}

TEST_F(TurnWireTest, LengthWithPartialCallIsAMessage) {
  config_.stream = true;
  auto chunk = [](const json& delta, const json& finish) {
    return json{
        {"choices",
         {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
  };
  server_.Push(ScriptedResponse::SseJson(
      {chunk({{"tool_calls",
               {{{"index", 0},
                 {"id", "c1"},
                 {"function",
                  {{"name", "write_file"}, {"arguments", R"({"path":"a)"}}}}}}},
             nullptr),
       chunk(json::object(), "length")}));
  ASSERT_TRUE(Complete()) << err_.message;
  EXPECT_EQ("length", out_.finish_reason);
  ASSERT_EQ(1u, out_.message.tool_calls.size());
  EXPECT_EQ(R"({"path":"a)", out_.message.tool_calls[0].arguments);
  EXPECT_EQ(4096, server_.requests()[0].json()["max_tokens"]);
}

TEST(ReasoningTest, ThinkTagsAreSplitOff) {
  auto split = [](std::string content, std::string reasoning = "") {
    Message m{.role = "assistant", .content = content, .reasoning = reasoning};
    SplitThinkTags(&m);
    return m.reasoning + "|" + m.content;
  };
  EXPECT_EQ("plan|Answer", split("<think>\nplan\n</think>\n\nAnswer"));
  EXPECT_EQ("plan|Answer", split("plan</think>Answer"));  // opened in prompt
  EXPECT_EQ("cut off|", split("<think>cut off"));         // never closed
  EXPECT_EQ("a\nb|c", split("<think>b</think>c", "a"));
  EXPECT_EQ("|no tags here", split("no tags here"));
  EXPECT_EQ("|<thinking> is not a tag", split("<thinking> is not a tag"));
}

TEST(ReasoningTest, TokensReportedOrEstimated) {
  CompletionResponse r;
  r.message.content = "abc";
  r.usage.completion_tokens = 40;
  EXPECT_EQ(0, ReasoningTokens(r));
  r.message.reasoning = "abc";
  EXPECT_EQ(20, ReasoningTokens(r));
  r.usage.reasoning_tokens = 7;
  EXPECT_EQ(7, ReasoningTokens(r));
  r.usage = Usage{};
  EXPECT_EQ(-1, ReasoningTokens(r));
}

// A client that overflows when more than one request is in flight.
class SharedCacheClient final : public Client {
 public:
  explicit SharedCacheClient(std::atomic<int>* in_flight)
      : in_flight_(in_flight) {}
  bool Complete(const CompletionRequest&, CompletionResponse* out,
                ModelError* err) override {
    ++*in_flight_;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const bool full = in_flight_->load() > 1;
    --*in_flight_;
    if (!full) {
      *out = CompletionResponse{};
      return true;
    }
    *err = ModelError{};
    err->message = "stream error: Context size has been exceeded.";
    err->tries = 1;
    err->error_class = ErrorClass::kServerCapacity;
    return false;
  }

 private:
  std::atomic<int>* in_flight_;
};

TEST(CapacityGateTest, HalvesOncePerWaveUntilItFits) {
  std::vector<CapacityLowering> lowerings;
  std::mutex mu;
  CapacityGate gate("q", 0, [&](const CapacityLowering& l) {
    std::lock_guard lock(mu);
    lowerings.push_back(l);
  });
  std::atomic<int> in_flight{0};
  // The system clock: FakeClock is not for concurrent use.
  RetryPolicy policy{.max_tries = 5,
                     .initial_backoff = std::chrono::milliseconds(1)};
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, retries{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      GatedClient client(std::make_unique<SharedCacheClient>(&in_flight), &gate,
                         policy);
      CompletionResponse out;
      ModelError err;
      if (client.Complete({}, &out, &err)) {
        ++ok;
        retries += out.retries;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(4, ok.load());
  EXPECT_GT(retries.load(), 0);
  ASSERT_FALSE(lowerings.empty());
  EXPECT_EQ(0, lowerings[0].from);
  for (size_t i = 1; i < lowerings.size(); ++i) {
    EXPECT_LT(lowerings[i].to, lowerings[i - 1].to);
  }
  EXPECT_GE(gate.limit(), 1);
  EXPECT_EQ(0, gate.in_flight());
}

}  // namespace
}  // namespace endstate::models
