// Provider anthropic end to end: the config file accepts it, and the
// endstate binary solves a real task through the Anthropic Messages client
// against scripted Anthropic answers (inline spec, not streaming; config
// model, streaming).
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "evaluator/config.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::ScriptedResponse;

constexpr char kEditInput[] =
    R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})";

std::string Ev(const std::string& name, const json& data) {
  return "event: " + name + "\ndata: " + data.dump() + "\n\n";
}

json Message(const json& content, const std::string& stop_reason) {
  return {{"id", "msg_1"},
          {"type", "message"},
          {"role", "assistant"},
          {"content", content},
          {"stop_reason", stop_reason},
          {"usage", {{"input_tokens", 100}, {"output_tokens", 20}}}};
}

// The edit as a stream: the input in three input_json_delta fragments.
std::vector<std::string> EditStream() {
  const std::string input = kEditInput;
  std::vector<std::string> s = {
      Ev("message_start", {{"type", "message_start"},
                           {"message", {{"usage", {{"input_tokens", 100}}}}}}),
      Ev("content_block_start", {{"type", "content_block_start"},
                                 {"index", 0},
                                 {"content_block",
                                  {{"type", "tool_use"},
                                   {"id", "toolu_1"},
                                   {"name", "edit_file"},
                                   {"input", json::object()}}}})};
  for (size_t i = 0; i < input.size(); i += input.size() / 3 + 1) {
    s.push_back(
        Ev("content_block_delta",
           {{"type", "content_block_delta"},
            {"index", 0},
            {"delta",
             {{"type", "input_json_delta"},
              {"partial_json", input.substr(i, input.size() / 3 + 1)}}}}));
  }
  s.push_back(
      Ev("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
  s.push_back(Ev("message_delta", {{"type", "message_delta"},
                                   {"delta", {{"stop_reason", "tool_use"}}},
                                   {"usage", {{"output_tokens", 30}}}}));
  s.push_back(Ev("message_stop", {{"type", "message_stop"}}));
  return s;
}

std::vector<std::string> DoneStream() {
  return {
      Ev("message_start", {{"type", "message_start"},
                           {"message", {{"usage", {{"input_tokens", 150}}}}}}),
      Ev("content_block_start",
         {{"type", "content_block_start"},
          {"index", 0},
          {"content_block", {{"type", "text"}, {"text", ""}}}}),
      Ev("content_block_delta",
         {{"type", "content_block_delta"},
          {"index", 0},
          {"delta", {{"type", "text_delta"}, {"text", "Done."}}}}),
      Ev("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}),
      Ev("message_delta", {{"type", "message_delta"},
                           {"delta", {{"stop_reason", "end_turn"}}},
                           {"usage", {{"output_tokens", 2}}}}),
      Ev("message_stop", {{"type", "message_stop"}})};
}

class AnthropicProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ =
        util::MakeTempDir(fs::temp_directory_path(), "anthropic-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    suite_ = test::WriteTinySuite(root_ / "suite");
    db_ = (root_ / "a.db").string();
    setenv("ENDSTATE_TEST_CLAUDE_KEY", "sk-ant-test", 1);
    setenv("ANTHROPIC_API_KEY", "sk-ant-default", 1);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_, suite_;
  std::string db_;
};

TEST_F(AnthropicProviderTest, ConfigAcceptsProviderAnthropic) {
  const std::string path = (root_ / "lab.yaml").string();
  util::WriteFile(path, R"(models:
  - name: claude
    provider: anthropic
    model: claude-sonnet-4-5
  - name: proxy
    provider: anthropic
    base_url: http://127.0.0.1:9/v1
    model: claude-haiku
    api_key_env: ""
    stream: true
    sampling: {max_tokens: 1024}
)");
  evaluator::Config config;
  std::string err;
  ASSERT_TRUE(evaluator::LoadConfig(path, &config, &err)) << err;
  ASSERT_EQ(2u, config.models.size());
  EXPECT_EQ("anthropic", config.models[0].provider);
  EXPECT_EQ("https://api.anthropic.com/v1", config.models[0].base_url);
  EXPECT_EQ("ANTHROPIC_API_KEY", config.models[0].api_key_env);
  EXPECT_EQ("http://127.0.0.1:9/v1", config.models[1].base_url);
  EXPECT_EQ("", config.models[1].api_key_env);
  EXPECT_TRUE(config.models[1].stream);
  EXPECT_EQ(1024, config.models[1].sampling["max_tokens"]);

  util::WriteFile(path,
                  "models:\n  - name: c\n    provider: anthropic\n"
                  "    base_url: api.anthropic.com\n    model: x\n");
  EXPECT_FALSE(evaluator::LoadConfig(path, &config, &err));
  EXPECT_EQ(
      path + ":4: models[0].base_url: expected an http:// or https:// URL",
      err);
}

// `endstate run --model anthropic:URL#m`: tool_use solves the task, the
// tool result goes back as a tool_result block, the grade is a pass.
TEST_F(AnthropicProviderTest, InlineSpecSolvesTask) {
  test::ScriptedServer server;
  server.Push(ScriptedResponse::Json(
      Message(json::array({{{"type", "tool_use"},
                            {"id", "toolu_1"},
                            {"name", "edit_file"},
                            {"input", json::parse(kEditInput)}}}),
              "tool_use")));
  server.Push(ScriptedResponse::Json(Message(
      json::array({{{"type", "text"}, {"text", "Done."}}}), "end_turn")));
  test::ShellResult run = test::RunCli(
      "run -q --tasks " + suite_.string() +
      " --model 'anthropic:" + server.base_url() + "#claude-test' --db " + db_);
  ASSERT_EQ(0, run.exit_code) << run.out;
  EXPECT_NE(std::string::npos, run.out.find("100.0%")) << run.out;
  const auto reqs = server.requests();
  ASSERT_EQ(2u, reqs.size());
  EXPECT_EQ("/v1/messages", reqs[0].path);
  EXPECT_EQ("sk-ant-default", reqs[0].headers.at("x-api-key"));
  EXPECT_EQ("claude-test", reqs[0].json()["model"]);
  const json last = reqs[1].json()["messages"].back();
  EXPECT_EQ("user", last["role"]);
  EXPECT_EQ("tool_result", last["content"][0]["type"]);
  EXPECT_EQ("toolu_1", last["content"][0]["tool_use_id"]);
  EXPECT_EQ(false, last["content"][0]["is_error"]);
}

// A config model with stream: true, answered with event streams.
TEST_F(AnthropicProviderTest, StreamingConfigModelSolvesTask) {
  test::ScriptedServer server;
  server.Push(ScriptedResponse::Sse(EditStream()));
  server.Push(ScriptedResponse::Sse(DoneStream()));
  const std::string path = (root_ / "lab.yaml").string();
  util::WriteFile(path,
                  "models:\n  - name: claude\n    provider: anthropic\n"
                  "    base_url: " +
                      server.base_url() +
                      "\n    model: claude-test\n"
                      "    api_key_env: ENDSTATE_TEST_CLAUDE_KEY\n"
                      "    stream: true\n");
  test::ShellResult run =
      test::RunCli("run -q --config " + path + " --tasks " + suite_.string() +
                   " --model claude --db " + db_);
  ASSERT_EQ(0, run.exit_code) << run.out;
  EXPECT_NE(std::string::npos, run.out.find("100.0%")) << run.out;
  const auto reqs = server.requests();
  ASSERT_EQ(2u, reqs.size());
  EXPECT_EQ("sk-ant-test", reqs[0].headers.at("x-api-key"));
  EXPECT_EQ(true, reqs[0].json()["stream"]);
  EXPECT_EQ(json::parse(kEditInput),
            reqs[1].json()["messages"][1]["content"][0]["input"]);
}

}  // namespace
}  // namespace endstate
