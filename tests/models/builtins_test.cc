// builtin:oracle, builtin:null and builtin:flaky played through a minimal
// tool loop (the real loop lives in evaluator/).
#include <gtest/gtest.h>

#include <set>

#include "models/factory.h"
#include "models/markup.h"
#include "tests/models/test_messages.h"

namespace endstate::models {
namespace {

using nlohmann::json;

ScriptedStep Step(const std::string& tool, json args) {
  ScriptedStep s;
  s.calls.push_back({tool, std::move(args)});
  return s;
}

ScriptedStep Say(const std::string& text) {
  ScriptedStep s;
  s.say = text;
  return s;
}

ModelConfig Builtin(const std::string& name, const std::string& model) {
  ModelConfig c;
  c.name = name;
  c.provider = "builtin";
  c.model = model;
  return c;
}

Script DemoScript() {
  Script t;
  t.task_id = "demo";
  t.steps = {
      Step("read_file", {{"path", "a.html"}}),
      Step("write_file", {{"path", "a.html"}, {"content", "<p>x</p>"}}),
      Step("list_files", json::object()),
      Say("All done."),
  };
  return t;
}

CompletionRequest StartRequest() {
  CompletionRequest req;
  req.messages.push_back(Msg("system", "You are an agent."));
  req.messages.push_back(Msg("user", "Fix a.html."));
  for (const char* name : {"read_file", "write_file", "list_files"}) {
    req.tools.push_back({name, "", json::object()});
  }
  return req;
}

struct Transcript {
  std::vector<CompletionResponse> turns;
  std::string Render() const {
    std::string s;
    for (const CompletionResponse& r : turns) {
      s += "[" + r.finish_reason + "|" + r.message.content;
      for (const ToolCall& c : r.message.tool_calls) {
        s += "|" + c.id + " " + c.name + " " + c.arguments;
      }
      s += "]\n";
    }
    return s;
  }
};

// Calls the client until it answers without calls and without leaked
// markup, like the agent loop does.
Transcript Play(Client* client, CompletionRequest req, int max_turns = 30) {
  Transcript t;
  for (int i = 0; i < max_turns; ++i) {
    CompletionResponse r;
    ModelError err;
    EXPECT_TRUE(client->Complete(req, &r, &err)) << err.message;
    t.turns.push_back(r);
    req.messages.push_back(r.message);
    if (!r.message.tool_calls.empty()) {
      for (const ToolCall& c : r.message.tool_calls) {
        req.messages.push_back(Msg("tool", "ok", c.id));
      }
    } else if (!DetectLeakedMarkup(r.message.content).empty()) {
      req.messages.push_back(Msg("user", "Call tools with the API."));
    } else {
      break;
    }
  }
  return t;
}

std::unique_ptr<Client> Make(const std::string& model, double rate = 0.2,
                             uint64_t run_seed = 1, int epoch = 0,
                             const Script& task = DemoScript()) {
  ModelConfig config;
  config.name = "builtin:" + model;
  config.provider = "builtin";
  config.model = model;
  config.flaky_rate = rate;
  std::string err;
  std::unique_ptr<Client> c =
      MakeClient(config, task, AttemptSeed{run_seed, epoch}, &err);
  EXPECT_NE(nullptr, c) << err;
  return c;
}

const char kOracleTranscript[] =
    "[tool_calls||oracle_0 read_file {\"path\":\"a.html\"}]\n"
    "[tool_calls||oracle_1 write_file "
    "{\"content\":\"<p>x</p>\",\"path\":\"a.html\"}]\n"
    "[tool_calls||oracle_2 list_files {}]\n"
    "[stop|All done.]\n";

TEST(OracleTest, PlaysTheSolution) {
  auto oracle = Make("oracle");
  Transcript t = Play(oracle.get(), StartRequest());
  EXPECT_EQ(kOracleTranscript, t.Render());
  const CompletionResponse& first = t.turns[0];
  // "You are an agent." + "Fix a.html." = 28 bytes -> 7 tokens.
  EXPECT_EQ(7, first.usage.prompt_tokens);
  // "read_file" + {"path":"a.html"} = 26 bytes -> 6 tokens.
  EXPECT_EQ(6, first.usage.completion_tokens);
  json req = json::parse(first.raw_request);
  EXPECT_EQ("oracle", req["model"]);
  EXPECT_EQ(2u, req["messages"].size());
  EXPECT_EQ(3u, req["tools"].size());
  EXPECT_EQ(R"({"choices":[{"finish_reason":"tool_calls","index":0,"message":)"
            R"({"content":null,"role":"assistant","tool_calls":[{"function":)"
            R"({"arguments":"{\"path\":\"a.html\"}","name":"read_file"},)"
            R"("id":"oracle_0","type":"function"}]}}],"id":"builtin-0",)"
            R"("model":"oracle","object":"chat.completion","usage":)"
            R"({"completion_tokens":6,"prompt_tokens":7,"total_tokens":13}})",
            first.raw_response);
}

TEST(OracleTest, EndsWithDoneWithoutSayStep) {
  Script task = DemoScript();
  task.steps.pop_back();
  auto oracle = Make("oracle", 0.2, 1, 0, task);
  Transcript t = Play(oracle.get(), StartRequest());
  ASSERT_EQ(4u, t.turns.size());
  EXPECT_EQ("[stop|Done.]\n", Transcript{{t.turns[3]}}.Render());
}

TEST(OracleTest, StatelessResumeSkipsMalformedCalls) {
  CompletionRequest req = StartRequest();
  Message done = Msg("assistant", "");
  done.tool_calls.push_back({"x1", "read_file", R"({"path":"a.html"})"});
  req.messages.push_back(done);
  req.messages.push_back(Msg("tool", "...", "x1"));
  Message broken = Msg("assistant", "");
  broken.tool_calls.push_back({"x2", "write_file", R"({"path":)"});
  broken.tool_calls.push_back({"x3", "write_files", R"({})"});
  req.messages.push_back(broken);
  req.messages.push_back(Msg("tool", "bad", "x2"));
  auto oracle = Make("oracle");
  CompletionResponse r;
  ModelError err;
  ASSERT_TRUE(oracle->Complete(req, &r, &err));
  ASSERT_EQ(1u, r.message.tool_calls.size());
  EXPECT_EQ("oracle_1", r.message.tool_calls[0].id);
  EXPECT_EQ("write_file", r.message.tool_calls[0].name);
}

TEST(OracleTest, PlaysOverrideSteps) {
  ModelConfig config = Builtin("o", "oracle");
  const Script near{.task_id = "demo", .steps = {Say("Nothing to do.")}};
  std::string err;
  auto c = MakeClient(config, near, {}, &err);
  ASSERT_NE(nullptr, c) << err;
  EXPECT_EQ("[stop|Nothing to do.]\n", Play(c.get(), StartRequest()).Render());
}

TEST(NullTest, Refuses) {
  auto null = Make("null");
  Transcript t = Play(null.get(), StartRequest());
  EXPECT_EQ("[stop|I can't help with that.]\n", t.Render());
  EXPECT_EQ(-1, t.turns[0].ttft_ms);
}

TEST(FactoryTest, Errors) {
  std::string err;
  ModelConfig config = Builtin("x", "genius");
  EXPECT_EQ(nullptr, MakeClient(config, DemoScript(), {}, &err));
  EXPECT_EQ(
      "model 'x': unknown builtin 'genius' (expected oracle, null, flaky)",
      err);
  config.provider = "cohere";
  EXPECT_EQ(nullptr, MakeClient(config, DemoScript(), {}, &err));
  EXPECT_EQ(
      "model 'x': unknown provider 'cohere' (expected openai, anthropic or "
      "builtin)",
      err);
  config.provider = "openai";
  config.base_url = "http://127.0.0.1:9/v1";
  EXPECT_NE(nullptr, MakeClient(config, DemoScript(), {}, &err));
}

// Identical to the oracle except the model name in the raw bodies.
std::string Normalized(std::string raw) {
  const std::string from = "\"model\":\"flaky\"";
  if (size_t at = raw.find(from); at != std::string::npos) {
    raw.replace(at, from.size(), "\"model\":\"oracle\"");
  }
  return raw;
}

TEST(FlakyTest, RateZeroEqualsOracle) {
  auto oracle = Make("oracle");
  for (uint64_t seed : {1, 2, 3}) {
    auto flaky = Make("flaky", 0.0, seed);
    Transcript a = Play(oracle.get(), StartRequest());
    Transcript b = Play(flaky.get(), StartRequest());
    EXPECT_EQ(kOracleTranscript, b.Render());
    ASSERT_EQ(a.turns.size(), b.turns.size());
    for (size_t i = 0; i < a.turns.size(); ++i) {
      EXPECT_EQ(a.turns[i].raw_response, Normalized(b.turns[i].raw_response));
      EXPECT_EQ(a.turns[i].raw_request, Normalized(b.turns[i].raw_request));
    }
  }
}

TEST(FlakyTest, SameSeedSameFaultsDifferentSeedDifferent) {
  std::set<std::string> distinct;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    std::string first =
        Play(Make("flaky", 0.5, seed).get(), StartRequest()).Render();
    std::string again =
        Play(Make("flaky", 0.5, seed).get(), StartRequest()).Render();
    EXPECT_EQ(first, again) << "seed " << seed;
    distinct.insert(first);
  }
  EXPECT_GE(distinct.size(), 4u);
  // The epoch and the task id are part of the seed too.
  std::string e0 =
      Play(Make("flaky", 0.5, 1, 0).get(), StartRequest()).Render();
  bool epoch_differs = false;
  for (int epoch = 1; epoch < 6; ++epoch) {
    epoch_differs |=
        Play(Make("flaky", 0.5, 1, epoch).get(), StartRequest()).Render() != e0;
  }
  EXPECT_TRUE(epoch_differs);
}

// Pins one seeded run so that a change of the fault model is noticed.
TEST(FlakyTest, PinnedRun) {
  Transcript t = Play(Make("flaky", 0.5, 7).get(), StartRequest());
  EXPECT_EQ(
      "[tool_calls||flaky_0 read_files {\"path\":\"a.html\"}]\n"
      "[tool_calls||oracle_0 read_file {\"path\":\"a.html\"}]\n"
      "[tool_calls||flaky_2 write_files "
      "{\"content\":\"<p>x</p>\",\"path\":\"a.html\"}]\n"
      "[tool_calls||oracle_1 write_file "
      "{\"content\":\"<p>x</p>\",\"path\":\"a.html\"}]\n"
      "[tool_calls||oracle_2 list_files {}]\n"
      "[stop|All done.]\n",
      t.Render());
}

TEST(FlakyTest, FaultKindsGiveUpAndSkips) {
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    Transcript t = Play(Make("flaky", 1.0, seed).get(), StartRequest());
    // At rate 1 the very first step always faults.
    const CompletionResponse& first = t.turns[0];
    if (first.message.tool_calls.empty()) {
      EXPECT_EQ("stop", first.finish_reason);
      EXPECT_EQ(
          "<tool_call>\n{\"arguments\":{\"path\":\"a.html\"},\"name\":"
          "\"read_file\"}\n</tool_call>",
          first.message.content);
      seen.insert("leaked");
    } else if (first.message.tool_calls[0].name == "read_files") {
      EXPECT_EQ("flaky_0", first.message.tool_calls[0].id);
      EXPECT_EQ(R"({"path":"a.html"})", first.message.tool_calls[0].arguments);
      seen.insert("unknown_tool");
    } else {
      EXPECT_EQ("read_file", first.message.tool_calls[0].name);
      EXPECT_EQ(R"({"path":)", first.message.tool_calls[0].arguments);
      seen.insert("broken_json");
    }
    std::string text = t.Render();
    if (text.find("I could not get the tool calls right") !=
        std::string::npos) {
      seen.insert("gave_up");
    }
    if (text.find("oracle_0") == std::string::npos &&
        text.find("oracle_1") != std::string::npos) {
      seen.insert("skipped");
    }
  }
  EXPECT_EQ((std::set<std::string>{"broken_json", "gave_up", "leaked",
                                   "skipped", "unknown_tool"}),
            seen);
}

}  // namespace
}  // namespace endstate::models
