// `endstate run` against servers that behave like real ones: the
// pre-flight before the first attempt (served ids, API key variable, server
// limits and the warning they lead to), a server whose shared capacity
// overflows under concurrency 4 but not 1, a model that never stops by
// itself, and sampling typos in the config.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "evaluator/config.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/paced_server.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::ChatCompletion;
using test::RunCli;
using test::ScriptedResponse;

constexpr char kEdit[] =
    R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})";

// The tiny task's next turn: the edit, then "Done." once a tool result is
// in the conversation.
ScriptedResponse NextTurn(const test::RecordedRequest& req) {
  const json messages = req.json()["messages"];
  if (messages.is_array() && !messages.empty() &&
      messages.back().value("role", "") == "tool") {
    return ScriptedResponse::Stream(ChatCompletion("Done."));
  }
  std::vector<test::ScriptedCall> calls = {{"c1", "edit_file", kEdit}};
  return ScriptedResponse::Stream(ChatCompletion("", calls));
}

class RealServerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "real-cli-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    suite_ = test::WriteTinySuite(root_ / "suite");
    db_ = (root_ / "r.db").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  // A config with one openai model `q` (model id "qwen") at `base_url`.
  std::string ConfigFile(const std::string& base_url, const std::string& more) {
    std::string path = (root_ / "c.yaml").string();
    util::WriteFile(path,
                    "models:\n  - name: q\n    provider: openai\n    "
                    "base_url: " +
                        base_url +
                        "\n    model: qwen\n    retries: {max_tries: 5, "
                        "initial_backoff_ms: 1}\n" +
                        more);
    return path;
  }
  std::string Run(const std::string& config, const std::string& flags) {
    return "run -q --config " + config + " --tasks " + suite_.string() +
           " --db " + db_ + " --worlds-dir " + (root_ / "w").string() + " " +
           flags;
  }
  std::string Sql(const std::string& sql) {
    return test::Shell("sqlite3 " + db_ + " \"" + sql + "\"").out;
  }
  json Report() {
    return json::parse(
        RunCli("report --db " + db_ + " --format json", false).out);
  }

  fs::path root_, suite_;
  std::string db_;
};

TEST_F(RealServerCliTest, PreflightNamesTheEndpointProblemInOneLine) {
  test::ScriptedServer server;
  server.ServeModels({"Qwen3-8B", "Qwen3-32B"});
  auto r = RunCli(Run(ConfigFile(server.base_url(), ""), ""));
  EXPECT_EQ(3, r.exit_code);
  EXPECT_EQ("endstate run: model 'q': " + server.base_url() +
                " does not serve 'qwen' (it serves: Qwen3-8B, Qwen3-32B)\n",
            r.out);
  EXPECT_TRUE(server.requests().empty());  // no attempt was started
  EXPECT_FALSE(fs::exists(db_));  // checked before the record is opened

  r = RunCli(Run(ConfigFile(server.base_url(),
                            "    api_key_env: ENDSTATE_TEST_UNSET_KEY_13\n"),
                 ""));
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ(
      "endstate run: model 'q': environment variable "
      "ENDSTATE_TEST_UNSET_KEY_13 (api_key_env) is not set\n",
      r.out);

  r = RunCli(Run(ConfigFile("http://127.0.0.1:1/v1", ""), ""));
  EXPECT_EQ(3, r.exit_code);
  EXPECT_EQ(0u, r.out.find("endstate run: model 'q': http://127.0.0.1:1/v1 "
                           "does not answer (GET http://127.0.0.1:1/v1/models: "
                           "connection error: "))
      << r.out;
  EXPECT_EQ(1, std::count(r.out.begin(), r.out.end(), '\n')) << r.out;
}

// llama.cpp publishes its context and slots at /props: read, recorded with
// the run, and 4 requests x the default 4096-token cap cannot fit 8192.
TEST_F(RealServerCliTest, ServerLimitsAreRecordedAndWarnedAbout) {
  test::ScriptedServer server;
  server.ServeModels({"qwen"});
  server.ServeInfo("/props",
                   ScriptedResponse::Json(
                       {{"default_generation_settings", {{"n_ctx", 8192}}},
                        {"total_slots", 4}}));
  server.Push(
      ScriptedResponse::Json(ChatCompletion("", {{"c1", "edit_file", kEdit}})));
  server.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
  auto r = RunCli(Run(ConfigFile(server.base_url(), ""), "--concurrency 4"));
  ASSERT_EQ(0, r.exit_code) << r.out;
  const std::string warning =
      "endstate: warning: model 'q': 4 concurrent requests x max_tokens 4096 "
      "= 16384 tokens cannot fit the server's 8192 tokens context shared by 4 "
      "slots (llama.cpp /props): set max_connections: 2 (or lower "
      "sampling.max_tokens)\n";
  EXPECT_EQ(0u, r.out.find(warning)) << r.out;
  EXPECT_EQ(
      "server_limits|{\"n_ctx\":8192,\"source\":\"llama.cpp "
      "/props\",\"total_slots\":4}\npreflight_warning|1\n",
      Sql("SELECT kind, CASE kind WHEN 'server_limits' THEN detail_json ELSE "
          "instr(detail_json, 'max_connections: 2') > 0 END FROM "
          "model_events ORDER BY id"));
  ASSERT_EQ(2u, server.info_requests().size());
  EXPECT_EQ("/v1/models", server.info_requests()[0].path);
  EXPECT_EQ("/props", server.info_requests()[1].path);

  // vLLM: max_model_len in the model list; a cap that cannot fit one reply.
  test::ScriptedServer vllm;
  vllm.ServeModels({"qwen"}, {{"max_model_len", 4096}});
  vllm.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
  r = RunCli(Run(ConfigFile(vllm.base_url(), ""), ""));
  EXPECT_EQ(0u,
            r.out.find("endstate: warning: model 'q': max_tokens 4096 is "
                       "not below the server's context of 4096 tokens "
                       "(vllm /v1/models): set sampling.max_tokens lower\n"))
      << r.out;
  EXPECT_EQ("{\"max_model_len\":4096,\"source\":\"vllm /v1/models\"}\n",
            Sql("SELECT detail_json FROM model_events WHERE run_id = 2 AND "
                "kind = 'server_limits'"));

  // Ollama: "qwen:latest" serves "qwen"; limits from POST /api/show.
  test::ScriptedServer ollama;
  ollama.ServeModels({"qwen:latest"});
  ollama.ServeInfo("/api/show",
                   ScriptedResponse::Json(
                       {{"model_info", {{"qwen3.context_length", 40960}}},
                        {"parameters", "num_ctx 8192\nstop \"<|im_end|>\""}}));
  ollama.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
  r = RunCli(Run(ConfigFile(ollama.base_url(), ""), ""));
  EXPECT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ(std::string::npos, r.out.find("warning")) << r.out;  // fits
  EXPECT_EQ(
      "{\"context_length\":40960,\"num_ctx\":8192,\"source\":\"ollama "
      "/api/show\"}\n",
      Sql("SELECT detail_json FROM model_events WHERE run_id = 3"));
  EXPECT_EQ("{\"model\":\"qwen\"}", ollama.info_requests().back().body);
}

// A server whose slots share one KV cache: more than one request in flight
// overflows it (llama.cpp's in-stream 500). At concurrency 4 the run lowers
// the model's concurrency, says so, records it, and ends with zero errors;
// at concurrency 1 nothing overflows.
TEST_F(RealServerCliTest, SharedCapacityOverflowLowersConcurrency) {
  test::ScriptedServer server;
  server.ServeModels({"qwen"});
  std::atomic<int> in_flight{0}, overflows{0};
  server.SetResponder([&](const test::RecordedRequest& req) {
    ++in_flight;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    const bool full = in_flight.load() > 1;
    --in_flight;
    ScriptedResponse r = NextTurn(req);
    if (full) {
      ++overflows;
      r.chunks = {
          "data: {\"error\":{\"code\":500,\"message\":\"Context size has "
          "been exceeded.\",\"type\":\"server_error\"}}\n\n"};
    }
    return r;
  });
  const std::string config =
      ConfigFile(server.base_url(), "    stream: true\n");
  auto r = RunCli(Run(config, "--concurrency 1 --epochs 2"));
  ASSERT_EQ(0, r.exit_code) << r.out;
  EXPECT_EQ(0, overflows.load());
  EXPECT_EQ(std::string::npos, r.out.find("concurrency lowered")) << r.out;

  r = RunCli(Run(config, "--concurrency 4 --epochs 4"));
  ASSERT_EQ(0, r.exit_code) << r.out;
  EXPECT_GT(overflows.load(), 0);
  EXPECT_NE(std::string::npos,
            r.out.find("endstate: model 'q': the server's capacity overflowed "
                       "with "))
      << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("(stream error: Context size has been exceeded.); "
                       "concurrency lowered to "))
      << r.out;
  EXPECT_EQ("0|4\n", Sql("SELECT sum(outcome = 'error'), sum(outcome = "
                         "'passed') FROM attempts WHERE run_id = 2"));
  EXPECT_NE("0\n", Sql("SELECT count(*) FROM model_events WHERE run_id = 2 "
                       "AND kind = 'concurrency_lowered'"));
  // The retries are on the record of the turns that overflowed.
  EXPECT_EQ(std::to_string(overflows.load()) + "\n",
            Sql("SELECT sum(t.retries) FROM turns t JOIN attempts a ON "
                "a.id = t.attempt_id WHERE a.run_id = 2"));
}

// A model that never emits EOS, behind the README's plain command: every
// turn is cut at the default per-turn cap, the attempt ends `truncated`
// (graded: failed), nothing is an error, and the cuts are counted.
TEST_F(RealServerCliTest, ModelThatNeverStopsEndsTruncatedNotError) {
  test::PacedServer server({.ttft = std::chrono::milliseconds(0),
                            .tokens_per_second = 1e6,
                            .tokens_per_response = 1'000'000,
                            .tokens_per_chunk = 256});
  // The paced server always streams, so the model says stream: true;
  // nothing else is configured (no sampling, no max_tokens).
  const std::string config = (root_ / "p.yaml").string();
  util::WriteFile(config,
                  "models:\n  - name: q\n    provider: openai\n    "
                  "base_url: " +
                      server.base_url() + "\n    model: m\n    stream: true\n");
  auto r = RunCli(Run(config, ""));
  ASSERT_EQ(0, r.exit_code) << r.out;
  json j = Report();
  const json& m = j["models"][0];
  EXPECT_EQ(0, m["errored"]);
  EXPECT_EQ(1, m["failed"]);
  EXPECT_EQ(json({{"truncated", 1}}), m["terminations"]);
  EXPECT_EQ(3, m["truncated_turns"]);
  for (const auto& req : server.requests()) {
    if (req.path == "/v1/chat/completions") {
      EXPECT_EQ(4096, req.body["max_tokens"]);
    }
  }
  EXPECT_EQ("3|12288\n",
            Sql("SELECT count(*), sum(completion_tokens) FROM turns"));
}

TEST_F(RealServerCliTest, SamplingTyposAreConfigErrors) {
  evaluator::Config config;
  std::string err;
  const std::string path = (root_ / "s.yaml").string();
  util::WriteFile(
      path,
      "models:\n  - name: q\n    provider: openai\n    base_url: "
      "http://h/v1\n    model: m\n    sampling: {temprature: 0.6}\n");
  EXPECT_FALSE(evaluator::LoadConfig(path, &config, &err));
  EXPECT_EQ(path +
                ":6: models[0].sampling.temprature: unknown sampling key "
                "(expected one of: temperature, top_p, top_k, min_p, "
                "typical_p, max_tokens, max_completion_tokens, min_tokens, "
                "seed, presence_penalty, frequency_penalty, "
                "repetition_penalty, stop, n, logprobs, top_logprobs, "
                "logit_bias, response_format, parallel_tool_calls, user; "
                "server-specific fields go in extra)",
            err);
  util::WriteFile(path,
                  "models:\n  - name: q\n    provider: openai\n    base_url: "
                  "http://h/v1\n    model: m\n    sampling:\n      "
                  "temperature: 0.6\n      max_tokens: -5\n");
  EXPECT_FALSE(evaluator::LoadConfig(path, &config, &err));
  EXPECT_EQ(
      path + ":8: models[0].sampling.max_tokens: expected an integer >= 1",
      err);
  util::WriteFile(path,
                  "models:\n  - name: q\n    provider: openai\n    base_url: "
                  "http://h/v1\n    model: m\n    sampling: {temperature: hot, "
                  "stop: [1]}\n");
  EXPECT_FALSE(evaluator::LoadConfig(path, &config, &err));
  EXPECT_EQ(path +
                ":6: models[0].sampling.temperature: expected a number from 0 "
                "to 2",
            err);
}

}  // namespace
}  // namespace endstate
