// The reasoning probe: answer reading and comparison, the bundled problems,
// and a run against the scripted server.
#include <gtest/gtest.h>

#include <set>

#include "probes/probe.h"
#include "probes/probe_problems.h"
#include "tests/support/scripted_server.h"

namespace endstate::probes {
namespace {

using nlohmann::json;
using test::ChatCompletion;
using test::ScriptedResponse;

std::string Read(const std::string& content) {
  return ExtractAnswer(content).answer;
}

TEST(ProbeReasoningExtract, PlainAndLastLineWins) {
  EXPECT_EQ("42", Read("Some steps.\nANSWER: 42"));
  EXPECT_EQ("42", Read("ANSWER: 42\n"));
  EXPECT_EQ("7", Read("ANSWER: 3\nWait, I made a mistake.\nANSWER: 7\n"));
  EXPECT_EQ("Bob", Read("Reasoning...\r\nANSWER: Bob\r\n"));
}

TEST(ProbeReasoningExtract, MarkdownAndPunctuation) {
  EXPECT_EQ("42", Read("**ANSWER: 42**"));
  EXPECT_EQ("42", Read("**ANSWER:** 42"));
  EXPECT_EQ("42", Read("**ANSWER**: **42**."));
  EXPECT_EQ("42", Read("### Answer: `42`"));
  EXPECT_EQ("42", Read("> - Final Answer: 42!"));
  EXPECT_EQ("Sunday", Read("ANSWER: \"Sunday\"."));
  EXPECT_EQ("Ana", Read("ANSWER: _Ana_"));
}

TEST(ProbeReasoningExtract, LatexAndSeparators) {
  EXPECT_EQ("1234", Read("ANSWER: \\boxed{1,234}"));
  EXPECT_EQ("1260", Read("ANSWER: $\\boxed{1260}$."));
  EXPECT_EQ("Max", Read("ANSWER: the owner is \\boxed{\\text{Max}}"));
  EXPECT_EQ("29525", Read("ANSWER: 29,525"));
  EXPECT_EQ("1234567", Read("ANSWER: 1 234 567"));
  EXPECT_EQ("1234", Read("ANSWER: \\(1\\,234\\)"));
  EXPECT_EQ("1234", Read("ANSWER: 1{,}234"));
  // Not a thousands grouping: left alone (and so not a number).
  EXPECT_EQ("12,34", Read("ANSWER: 12,34"));
}

TEST(ProbeReasoningExtract, AnswerOnNextLine) {
  ExtractedAnswer a = ExtractAnswer("Done.\n**ANSWER:**\n\n  **63**\n");
  EXPECT_EQ("63", a.answer);
  EXPECT_EQ("**ANSWER:**\n**63**", a.line);
}

TEST(ProbeReasoningExtract, NoAnswerLine) {
  EXPECT_EQ("", Read(""));
  EXPECT_EQ("", Read("The result is 42."));
  EXPECT_EQ("", Read("So the answer: 42 is what I get."));  // not at start
  EXPECT_EQ("", Read("Answers: 1, 2"));
  EXPECT_EQ("", Read("\\boxed{42}"));
  EXPECT_EQ("", Read("ANSWER:"));
  ExtractedAnswer none = ExtractAnswer("no marker here");
  EXPECT_EQ("", none.line);
  EXPECT_EQ("", none.answer);
}

TEST(ProbeReasoningExtract, KeepsTheLineAsWritten) {
  ExtractedAnswer a = ExtractAnswer("steps\n  **ANSWER:** \\boxed{1,216}.  \n");
  EXPECT_EQ("**ANSWER:** \\boxed{1,216}.", a.line);
  EXPECT_EQ("1216", a.answer);
}

TEST(ProbeReasoningMatch, NumbersByValueWordsIgnoringCase) {
  EXPECT_TRUE(AnswerMatches("42", "42"));
  EXPECT_TRUE(AnswerMatches("42", "42.0"));
  EXPECT_TRUE(AnswerMatches("42", "+42"));
  EXPECT_TRUE(AnswerMatches("Bob", "bob"));
  EXPECT_TRUE(AnswerMatches("Sunday", "SUNDAY"));
  EXPECT_FALSE(AnswerMatches("42", "43"));
  EXPECT_FALSE(AnswerMatches("42", "-42"));
  EXPECT_FALSE(AnswerMatches("42", "42 apples"));
  EXPECT_FALSE(AnswerMatches("42", ""));
  EXPECT_FALSE(AnswerMatches("Bob", "Bob is the knight"));
  EXPECT_FALSE(AnswerMatches("Bob", "Bo"));
  EXPECT_FALSE(AnswerMatches("1216", "1,216"));  // Extract removes commas
}

TEST(ProbeReasoningProblems, WellFormed) {
  const auto& problems = ReasoningProblems();
  ASSERT_GE(problems.size(), 12u);
  std::set<std::string> ids;
  for (const ReasoningProblem& p : problems) {
    SCOPED_TRACE(p.id);
    EXPECT_FALSE(p.id.empty());
    EXPECT_TRUE(ids.insert(p.id).second) << "duplicate id";
    EXPECT_FALSE(p.question.empty());
    ASSERT_FALSE(p.expected.empty());
    // The expected answer survives its own reading: a model that writes it
    // as asked is counted correct.
    EXPECT_EQ(p.expected, Read("ANSWER: " + p.expected));
    EXPECT_TRUE(AnswerMatches(p.expected, p.expected));
  }
}

class ProbeReasoningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_.name = "scripted";
    model_.provider = "openai";
    model_.base_url = server_.base_url();
    model_.model = "test-model";
    model_.sampling = {{"temperature", 0}, {"max_tokens", 512}};
    model_.retry.max_tries = 1;
    model_.retry.initial_backoff = std::chrono::milliseconds(1);
  }
  ProbeResult Run(int max_tokens = 8192) {
    ReasoningProbeOptions options;
    options.max_tokens = max_tokens;
    options.progress = [this](const std::string& line) {
      progress_.push_back(line);
    };
    return RunReasoningProbe(model_, options);
  }

  test::ScriptedServer server_;
  models::ModelConfig model_;
  std::vector<std::string> progress_;
};

// Problem i gets: 0 correct, 1 wrong, 2 no answer line, 3 a 503, 4 correct
// but bold and boxed, then correct again for the rest.
TEST_F(ProbeReasoningTest, CountsCorrectIncorrectMissingAndErrors) {
  const auto& problems = ReasoningProblems();
  const size_t n = problems.size();
  server_.Push(ScriptedResponse::Json(
      ChatCompletion("Step 1...\nANSWER: " + problems[0].expected)));
  server_.Push(ScriptedResponse::Json(ChatCompletion("ANSWER: 999999")));
  server_.Push(ScriptedResponse::Json(ChatCompletion("I think it is 5.")));
  server_.Push(ScriptedResponse::Status(503, "overloaded"));
  server_.Push(ScriptedResponse::Json(
      ChatCompletion("**ANSWER:** \\boxed{" + problems[4].expected + "}.")));
  for (size_t i = 5; i < n; ++i) {
    server_.Push(ScriptedResponse::Json(
        ChatCompletion("ANSWER: " + problems[i].expected)));
  }
  ProbeResult r = Run();
  EXPECT_EQ("", r.error);
  EXPECT_EQ("reasoning", r.kind);
  EXPECT_EQ(json({{"correct", static_cast<int>(n) - 3},
                  {"total", static_cast<int>(n)}}),
            r.measurements["summary"]);
  const json& rows = r.measurements["problems"];
  ASSERT_EQ(n, rows.size());
  EXPECT_EQ(problems[0].id, rows[0]["id"]);
  EXPECT_EQ(problems[0].question, rows[0]["question"]);
  EXPECT_EQ(problems[0].expected, rows[0]["expected"]);
  EXPECT_TRUE(rows[0]["correct"].get<bool>());
  EXPECT_EQ("", rows[0]["error"]);

  EXPECT_FALSE(rows[1]["correct"].get<bool>());
  EXPECT_EQ("999999", rows[1]["answer"]);
  EXPECT_EQ("ANSWER: 999999", rows[1]["answer_line"]);

  EXPECT_FALSE(rows[2]["correct"].get<bool>());
  EXPECT_EQ("", rows[2]["answer"]);
  EXPECT_EQ("", rows[2]["error"]);

  EXPECT_FALSE(rows[3]["correct"].get<bool>());
  EXPECT_EQ("", rows[3]["answer"]);
  EXPECT_NE(std::string::npos, rows[3]["error"].get<std::string>().find("503"))
      << rows[3]["error"];

  EXPECT_TRUE(rows[4]["correct"].get<bool>());
  EXPECT_EQ(problems[4].expected, rows[4]["answer"]);

  const auto requests = server_.requests();
  ASSERT_EQ(n, requests.size());
  for (size_t i = 0; i < n; ++i) {
    const json body = requests[i].json();
    EXPECT_FALSE(body.contains("tools"));
    EXPECT_EQ(8192, body["max_tokens"]);  // the probe's budget wins
    EXPECT_EQ(0, body["temperature"]);    // the rest of sampling is kept
    ASSERT_EQ(2u, body["messages"].size());
    EXPECT_EQ(kReasoningSystemPrompt, body["messages"][0]["content"]);
    EXPECT_EQ(problems[i].question, body["messages"][1]["content"]);
  }
  ASSERT_EQ(n, progress_.size());
  EXPECT_EQ(
      "reasoning 1/" + std::to_string(n) + " " + problems[0].id + ": correct",
      progress_[0]);
  EXPECT_EQ("reasoning 2/" + std::to_string(n) + " " + problems[1].id +
                ": incorrect (answer '999999', expected '" +
                problems[1].expected + "')",
            progress_[1]);
}

// Streaming, with an answer that appears only in the reasoning: not given.
TEST_F(ProbeReasoningTest, ReasoningTextIsNotTheAnswer) {
  model_.stream = true;
  const auto& problems = ReasoningProblems();
  json with_reasoning = ChatCompletion("I am not sure.");
  with_reasoning["choices"][0]["message"]["reasoning_content"] =
      "ANSWER: " + problems[0].expected;
  server_.Push(ScriptedResponse::Stream(with_reasoning));
  for (size_t i = 1; i < problems.size(); ++i) {
    json c = ChatCompletion("ANSWER: " + problems[i].expected);
    c["choices"][0]["message"]["reasoning_content"] = "ANSWER: 0";
    server_.Push(ScriptedResponse::Stream(c));
  }
  ProbeResult r = Run(0);  // 0: keep the model's own max_tokens
  EXPECT_EQ(static_cast<int>(problems.size()) - 1,
            r.measurements["summary"]["correct"]);
  EXPECT_EQ("", r.measurements["problems"][0]["answer"]);
  const auto requests = server_.requests();
  ASSERT_EQ(problems.size(), requests.size());
  EXPECT_TRUE(requests[0].json()["stream"].get<bool>());
  EXPECT_EQ(512, requests[0].json()["max_tokens"]);
}

TEST_F(ProbeReasoningTest, StopsWhenEndpointUnreachable) {
  server_.Push(ScriptedResponse::Drop());
  server_.Push(ScriptedResponse::Drop());
  ProbeResult r = Run();
  EXPECT_NE(std::string::npos, r.error.find("endpoint unreachable: "))
      << r.error;
  EXPECT_NE(std::string::npos, r.error.find("; stopped after 2 requests"))
      << r.error;
  EXPECT_EQ(json({{"correct", 0}, {"total", 2}}), r.measurements["summary"]);
  EXPECT_EQ(2u, server_.requests().size());
}

TEST_F(ProbeReasoningTest, BuiltinModelHasNoEndpoint) {
  model_.provider = "builtin";
  model_.model = "null";
  ProbeResult r = Run();
  EXPECT_EQ("model 'scripted': builtin models have no endpoint to probe",
            r.error);
  EXPECT_EQ(json::object(), r.measurements);
  EXPECT_EQ(0u, server_.requests().size());
}

}  // namespace
}  // namespace endstate::probes
