// `endstate export` formats (docs/export.md) on attempts written through
// the real Store: the JSONL record round-trips through the OpenAI chat
// message shape back to the recorded turns, and the Inspect AI eval log,
// read back, has every field the documented schema requires.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "report/export_inspect.h"
#include "report/export_jsonl.h"
#include "results/export_select.h"
#include "results/store.h"
#include "tests/results/temp_dir.h"

namespace endstate::report {
namespace {

using nlohmann::json;

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("e.db");
    auto store = results::Store::Open(db_, &err_);
    ASSERT_TRUE(store) << err_;
    run_ = store->BeginRun({.config_json = "{}",
                            .version = "0.9.0",
                            .host = "box",
                            .args = "endstate run",
                            .labels = {{"quant", "nvfp4"}},
                            .note = "after the upgrade"},
                           &err_);
    const int64_t model = store->AddModel(run_,
                                          {.name = "qwen-nvfp4",
                                           .provider = "openai",
                                           .base_url = "http://gpu:8000/v1",
                                           .model = "Qwen3"},
                                          &err_);
    const int64_t task = store->AddTask(
        run_, {.id = "fix-title", .title = "Fix a title", .level = "easy"},
        &err_);
    const json request = {
        {"model", "Qwen3"},
        {"messages",
         {{{"role", "system"}, {"content", "You are an agent."}},
          {{"role", "user"}, {"content", "Fix the title of about.html"}}}},
        {"tools",
         {{{"type", "function"},
           {"function",
            {{"name", "read_file"},
             {"description", "Read a file"},
             {"parameters", {{"type", "object"}}}}}}}}};
    passed_ = store->BeginAttempt(run_, model, task, 0, &err_);
    ASSERT_TRUE(store->RecordTurn(
        passed_,
        {.index = 0,
         .raw_request = request.dump(),
         .content = "",
         .reasoning = "Let me read it first.",
         .finish_reason = "tool_calls",
         .tool_calls = {{.index = 0,
                         .call_id = "call_1",
                         .name = "read_file",
                         .arguments_raw = R"({"path":"about.html"})",
                         .result = "<title>Untitled</title>"},
                        {.index = 1,
                         .call_id = "call_2",
                         .name = "read_file",
                         .arguments_raw = R"({"path": "about.h)",
                         .error_kind = "invalid_json",
                         .result = "error: arguments are not valid JSON",
                         .is_error = true}}},
        &err_))
        << err_;
    ASSERT_TRUE(store->RecordTurn(passed_,
                                  {.index = 1,
                                   .raw_request = request.dump(),
                                   .content = "Done.",
                                   .finish_reason = "stop"},
                                  &err_))
        << err_;
    ASSERT_TRUE(store->RecordChecks(passed_,
                                    {{.index = 0,
                                      .kind = "file_contains",
                                      .spec_json = R"({"path":"about.html"})",
                                      .verdict = "passed",
                                      .detail = "found"}},
                                    &err_))
        << err_;
    ASSERT_TRUE(
        store->FinishAttempt(passed_,
                             {.outcome = results::Outcome::kPassed,
                              .termination = results::Termination::kAgentStop,
                              .turns = 2,
                              .prompt_tokens = 300,
                              .completion_tokens = 40,
                              .wall_ms = 2500},
                             &err_))
        << err_;
    errored_ = store->BeginAttempt(run_, model, task, 1, &err_);
    ASSERT_TRUE(
        store->FinishAttempt(errored_,
                             {.outcome = results::Outcome::kError,
                              .termination = results::Termination::kModelError,
                              .error = "endpoint down"},
                             &err_))
        << err_;
    ASSERT_TRUE(store->FinishRun(run_, &err_)) << err_;
  }

  results::Transcript Load(int64_t id) {
    auto t = results::LoadTranscript(Reader(), id, &err_);
    EXPECT_TRUE(t) << err_;
    return t ? *t : results::Transcript{};
  }
  results::ExportRunInfo Run() {
    auto r = results::LoadExportRunInfo(Reader(), run_, &err_);
    EXPECT_TRUE(r) << err_;
    return r ? *r : results::ExportRunInfo{};
  }

  // The record's reader, opened on first use.
  results::RunReader& Reader() {
    if (!reader_) reader_ = results::test::OpenReader(db_);
    return *reader_;
  }
  std::optional<results::RunReader> reader_;
  results::test::TempDir dir_;
  std::string db_, err_;
  int64_t run_ = 0, passed_ = 0, errored_ = 0;
};

TEST_F(ExportTest, SelectionTakesNewestTriesAndFilters) {
  auto all = results::SelectAttempts(Reader(), {.run = run_}, &err_);
  ASSERT_TRUE(all) << err_;
  EXPECT_EQ(2u, all->size());
  auto passed = results::SelectAttempts(
      Reader(), {.run = run_, .outcome = "passed"}, &err_);
  ASSERT_TRUE(passed) << err_;
  ASSERT_EQ(1u, passed->size());
  EXPECT_EQ(passed_, (*passed)[0].id);
  EXPECT_FALSE(results::SelectAttempts(Reader(), {.run = 9}, &err_));
  EXPECT_EQ("no run 9 in " + db_, err_);
  EXPECT_FALSE(results::SelectAttempts(Reader(), {.attempts = {77}}, &err_));
  EXPECT_EQ("no attempt 77 in " + db_, err_);
}

// Reads a JSONL record back as the OpenAI chat shape demands and rebuilds
// the recorded turns from it.
TEST_F(ExportTest, JsonlRoundTripsThroughTheOpenAiMessageShape) {
  const results::Transcript t = Load(passed_);
  const std::string line = OpenAiChatRecord(t, Run()).dump();
  ASSERT_EQ(std::string::npos, line.find('\n'));  // one line
  const json record = json::parse(line);
  const json& messages = record["messages"];
  ASSERT_TRUE(messages.is_array());
  EXPECT_EQ(json({{"role", "system"}, {"content", "You are an agent."}}),
            messages[0]);
  EXPECT_EQ(
      json({{"role", "user"}, {"content", "Fix the title of about.html"}}),
      messages[1]);
  std::vector<results::TurnRecord> rebuilt;
  std::set<std::string> open_calls;
  for (size_t i = 2; i < messages.size(); ++i) {
    const json& m = messages[i];
    const std::string role = m.at("role").get<std::string>();
    if (role == "assistant") {
      ASSERT_TRUE(open_calls.empty()) << "tool results missing before " << i;
      results::TurnRecord turn{.index = static_cast<int>(rebuilt.size())};
      turn.content = m.at("content").is_null()
                         ? std::string()
                         : m["content"].get<std::string>();
      turn.reasoning = m.value("reasoning_content", "");
      if (m.contains("tool_calls")) {
        for (const json& c : m["tool_calls"]) {
          EXPECT_EQ("function", c.at("type"));
          ASSERT_TRUE(c.at("function").at("arguments").is_string());
          turn.tool_calls.push_back(
              {.index = static_cast<int>(turn.tool_calls.size()),
               .call_id = c.at("id").get<std::string>(),
               .name = c["function"].at("name").get<std::string>(),
               .arguments_raw = c["function"]["arguments"].get<std::string>()});
          open_calls.insert(c["id"].get<std::string>());
        }
      }
      rebuilt.push_back(turn);
    } else {
      ASSERT_EQ("tool", role);
      const std::string id = m.at("tool_call_id").get<std::string>();
      ASSERT_EQ(1u, open_calls.erase(id)) << "answer to no open call " << id;
      for (auto& c : rebuilt.back().tool_calls) {
        if (c.call_id == id) c.result = m.at("content").get<std::string>();
      }
    }
  }
  ASSERT_EQ(t.turns.size(), rebuilt.size());
  for (size_t i = 0; i < t.turns.size(); ++i) {
    EXPECT_EQ(t.turns[i].content, rebuilt[i].content);
    EXPECT_EQ(t.turns[i].reasoning, rebuilt[i].reasoning);
    ASSERT_EQ(t.turns[i].tool_calls.size(), rebuilt[i].tool_calls.size());
    for (size_t c = 0; c < t.turns[i].tool_calls.size(); ++c) {
      const auto &a = t.turns[i].tool_calls[c], &b = rebuilt[i].tool_calls[c];
      EXPECT_EQ(a.call_id, b.call_id);
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.arguments_raw, b.arguments_raw);  // broken JSON kept as is
      EXPECT_EQ(a.result, b.result);
    }
  }
  EXPECT_EQ("read_file", record["tools"][0]["function"]["name"]);
  const json& meta = record["metadata"];
  EXPECT_EQ(passed_, meta["attempt_id"]);
  EXPECT_EQ("fix-title", meta["task"]);
  EXPECT_EQ("qwen-nvfp4", meta["model"]);
  EXPECT_EQ(1, meta["epoch"]);  // stored 0: every output counts from 1
  EXPECT_EQ("passed", meta["outcome"]);
  EXPECT_EQ("agent_stop", meta["termination"]);
  EXPECT_EQ("file_contains", meta["checks"][0]["kind"]);
  EXPECT_EQ("passed", meta["checks"][0]["verdict"]);
  EXPECT_EQ("about.html", meta["checks"][0]["spec"]["path"]);
  EXPECT_EQ("nvfp4", meta["run_labels"]["quant"]);
  EXPECT_EQ("Qwen3", meta["endpoint"]["model"]);

  const json errored = OpenAiChatRecord(Load(errored_), Run());
  EXPECT_EQ("error", errored["metadata"]["outcome"]);
  EXPECT_EQ(2, errored["metadata"]["epoch"]);
  EXPECT_EQ("endpoint down", errored["metadata"]["error"]);
  EXPECT_EQ(1u, errored["messages"].size());  // no turn: the empty user turn
}

// Every field docs/export.md lists as required by Inspect's EvalLog
// (inspect_ai/log/_log.py: fields without defaults, and the types read).
TEST_F(ExportTest, InspectLogHasEveryRequiredField) {
  const json log = json::parse(
      InspectEvalLog(Run(), "qwen-nvfp4", {Load(passed_), Load(errored_)})
          .dump());
  EXPECT_EQ(2, log.at("version"));
  EXPECT_EQ("success", log.at("status"));
  const json& eval = log.at("eval");
  for (const char* key : {"created", "task", "model", "run_id", "task_id"}) {
    EXPECT_TRUE(eval.at(key).is_string()) << key;
  }
  EXPECT_EQ("openai/Qwen3", eval["model"]);
  EXPECT_EQ("http://gpu:8000/v1", eval["model_base_url"]);
  EXPECT_NE(std::string::npos,
            eval["created"].get<std::string>().find("+00:00"));
  EXPECT_TRUE(eval.at("dataset").is_object());
  EXPECT_EQ(1, eval["dataset"]["samples"]);
  EXPECT_TRUE(eval.at("config").is_object());
  EXPECT_EQ(2, eval["config"]["epochs"]);
  EXPECT_EQ("nvfp4", eval["metadata"]["labels"]["quant"]);
  for (const json& step : log.at("plan").at("steps")) {
    EXPECT_TRUE(step.at("solver").is_string());
  }
  const json& results = log.at("results");
  EXPECT_EQ(2, results.at("total_samples"));
  EXPECT_EQ(1, results.at("completed_samples"));
  for (const json& score : results.at("scores")) {
    EXPECT_TRUE(score.at("name").is_string());
    EXPECT_TRUE(score.at("scorer").is_string());
    for (const auto& [name, metric] : score.at("metrics").items()) {
      EXPECT_EQ(name, metric.at("name"));
      EXPECT_TRUE(metric.at("value").is_number());
    }
  }
  EXPECT_EQ(1.0, results["scores"][0]["metrics"]["accuracy"]["value"]);
  for (const auto& [model, usage] : log.at("stats").at("model_usage").items()) {
    for (const char* key : {"input_tokens", "output_tokens", "total_tokens"}) {
      EXPECT_TRUE(usage.at(key).is_number_integer()) << model << " " << key;
    }
  }
  const json& samples = log.at("samples");
  ASSERT_EQ(2u, samples.size());
  for (const json& s : samples) {
    EXPECT_EQ("fix-title", s.at("id"));
    EXPECT_GE(s.at("epoch").get<int>(), 1);
    EXPECT_TRUE(s.at("input").is_string());
    EXPECT_TRUE(s.at("target").is_string());
    EXPECT_TRUE(s.at("output").at("choices").is_array());
    std::set<std::string> calls;
    for (const json& m : s.at("messages")) {
      const std::string role = m.at("role").get<std::string>();
      EXPECT_TRUE(role == "system" || role == "user" || role == "assistant" ||
                  role == "tool")
          << role;
      EXPECT_TRUE(m.at("content").is_string() || m["content"].is_array());
      if (role == "assistant" && !m.at("tool_calls").is_null()) {
        for (const json& c : m["tool_calls"]) {
          EXPECT_TRUE(c.at("id").is_string());
          EXPECT_TRUE(c.at("function").is_string());
          EXPECT_TRUE(c.at("arguments").is_object());
          calls.insert(c["id"].get<std::string>());
        }
      }
      if (role == "tool") {
        EXPECT_EQ(1u, calls.count(m.at("tool_call_id").get<std::string>()));
      }
    }
  }
  const json& first = samples[0];
  EXPECT_EQ(1, first["epoch"]);
  EXPECT_EQ("C", first["scores"]["end_state"]["value"]);
  EXPECT_EQ("Fix the title of about.html", first["input"]);
  const json& turn0 = first["messages"][2];
  EXPECT_EQ("reasoning", turn0["content"][0]["type"]);
  EXPECT_EQ("Let me read it first.", turn0["content"][0]["reasoning"]);
  EXPECT_EQ("about.html", turn0["tool_calls"][0]["arguments"]["path"]);
  EXPECT_EQ(json::object(), turn0["tool_calls"][1]["arguments"]);
  EXPECT_EQ("arguments are not a JSON object: {\"path\": \"about.h",
            turn0["tool_calls"][1]["parse_error"]);
  EXPECT_EQ("parsing", first["messages"][4]["error"]["type"]);
  const json& second = samples[1];
  EXPECT_EQ(2, second["epoch"]);
  EXPECT_TRUE(second["scores"].is_null());
  EXPECT_EQ("endpoint down", second["error"]["message"]);
}

}  // namespace
}  // namespace endstate::report
