// Faults a model endpoint can throw at a run, injected by test servers over
// real HTTP: each must be survived without a crash, classified (model error
// vs malformed output), retried a bounded number of times, and must not
// stop the run. Whole attempts (world, loop, grading, SQLite record) run
// through RunAttempt; the last test runs the CLI.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "evaluator/attempt.h"
#include "evaluator/suite.h"
#include "results/reader.h"
#include "results/sqlite.h"
#include "results/store.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/reset_server.h"
#include "tests/support/scripted_server.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate::evaluator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using test::ChatCompletion;
using test::ScriptedResponse;

constexpr char kEdit[] =
    R"({"path":"about.html","old_text":"<title>Untitled</title>","new_text":"<title>About the Lab</title>"})";
constexpr int kMaxTries = 3;

// One kind of fault: the response that injects it, and the text the
// attempt's error must carry when it persists.
struct Fault {
  std::string name;
  std::function<ScriptedResponse()> response;
  std::string error_text;
  bool stream = false;
  bool retried = true;  // false: a final error, one request only
  // Only the stall fault needs a short stall timeout. Every other fault gets
  // a long one: a Debug+ASan server takes over a second to start sending a
  // 50 MB body, which a short timeout would misread as a stall.
  milliseconds stall_timeout = milliseconds(30000);
};

void PrintTo(const Fault& f, std::ostream* os) { *os << f.name; }

ScriptedResponse FiftyMegabytes() {
  // Spliced in rather than dumped: escaping 50 MB through nlohmann::json
  // takes ~10 s in a Debug+ASan build.
  std::string body = ChatCompletion("@").dump();
  body.replace(body.find("\"@\""), 3,
               "\"" + std::string(50u << 20, 'x') + "\"");
  return ScriptedResponse::Status(200, body);
}

std::vector<Fault> Faults() {
  const json start = {
      {"id", "c"},
      {"object", "chat.completion.chunk"},
      {"choices",
       {{{"index", 0}, {"delta", {{"role", "assistant"}, {"content", "I"}}}}}}};
  return {
      {"429_retry_after",
       [] {
         return ScriptedResponse::Status(429, R"({"error":"slow down"})",
                                         {{"Retry-After", "0.2"}});
       },
       "HTTP 429 after 3 tries: slow down"},
      {"500", [] { return ScriptedResponse::Status(500, "boom"); },
       "HTTP 500 after 3 tries: boom"},
      {"503",
       [] {
         return ScriptedResponse::Status(
             503, R"({"error":{"message":"model is loading"}})");
       },
       "HTTP 503 after 3 tries: model is loading"},
      {"stall_mid_stream",
       [start] {
         return ScriptedResponse::Sse(
             {"data: " + start.dump() + "\n\n", "data: [DONE]\n\n"},
             milliseconds(2500));
       },
       "timeout", true, true, milliseconds(1000)},
      {"cut_before_done",
       [start] {
         ScriptedResponse r = ScriptedResponse::SseJson({start}, false);
         r.cut = true;
         return r;
       },
       // curl sees the chunked body end early (a transport error); a cut
       // between whole chunks reads "stream cut before [DONE]" instead.
       "after 3 tries", true},
      {"invalid_json_body",
       [] { return ScriptedResponse::Status(200, R"({"choices": [{"mess)"); },
       "invalid response after 3 tries"},
      {"dropped_connection", [] { return ScriptedResponse::Drop(); },
       "connection error after 3 tries"},
      {"fifty_megabytes", FiftyMegabytes, "response too large", false, false},
  };
}

class FaultInjectionTest : public ::testing::TestWithParam<Fault> {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "faults-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    test::WriteTinySuite(root_ / "suite");
    ASSERT_TRUE(tasks::LoadTask(root_ / "suite/tiny-title", StrictLoadOptions(),
                                &task_, &err))
        << err;
    store_ = results::Store::Open((root_ / "r.db").string(), &err);
    ASSERT_TRUE(store_) << err;
    run_ = store_->BeginRun({}, &err);
    model_id_ = store_->AddModel(run_, {.name = "faulty"}, &err);
    task_id_ = store_->AddTask(run_, {.id = task_.id}, &err);
    model_.name = "faulty";
    model_.provider = "openai";
    model_.base_url = server_.base_url();
    model_.model = "m";
    model_.stream = GetParam().stream;
    model_.stall_timeout = GetParam().stall_timeout;
    model_.retry.max_tries = kMaxTries;
    model_.retry.initial_backoff = milliseconds(1);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }

  AttemptReport Attempt(int epoch) {
    AttemptSpec spec{.task = &task_,
                     .model = &model_,
                     .epoch = epoch,
                     .store = store_.get(),
                     .run_id = run_,
                     .model_id = model_id_,
                     .task_id = task_id_};
    return RunAttempt(spec, config_, {});
  }

  // The two turns that solve the tiny task.
  void PushSolution() {
    auto respond = [&](const json& c) {
      server_.Push(GetParam().stream ? ScriptedResponse::Stream(c)
                                     : ScriptedResponse::Json(c));
    };
    respond(ChatCompletion("", {{"call_1", "edit_file", kEdit}}));
    respond(ChatCompletion("Done."));
  }

  fs::path root_;
  tasks::Task task_;
  std::unique_ptr<results::Store> store_;
  int64_t run_ = 0, model_id_ = 0, task_id_ = 0;
  test::ScriptedServer server_;
  models::ModelConfig model_;
  Config config_;
};

// A fault that clears before the retries run out costs a retry, not the
// attempt: the attempt passes and the turn records the retry. (Only the
// retried faults: a final one never gets a second request.)
class TransientFaultTest : public FaultInjectionTest {};

TEST_P(TransientFaultTest, IsRetriedAndTheAttemptPasses) {
  const Fault& f = GetParam();
  server_.Push(f.response());
  PushSolution();
  AttemptReport r = Attempt(0);
  EXPECT_EQ("passed", ::endstate::results::OutcomeName(r.outcome.outcome))
      << r.outcome.error;
  EXPECT_EQ("agent_stop",
            ::endstate::results::TerminationName(r.outcome.termination));
  EXPECT_EQ(3u, server_.requests().size());
  std::string err;
  EXPECT_EQ(2, store_->CountTurns(r.attempt_id, &err));
  if (f.name == "429_retry_after") {
    EXPECT_GE(r.outcome.model_ms, 200) << "Retry-After was not honoured";
  }
}

// A fault that persists ends the attempt as a model error after a bounded
// number of tries, with the failed exchange recorded; the next attempt on a
// healthy endpoint is unaffected.
TEST_P(FaultInjectionTest, PersistentFaultIsAModelErrorAndTheRunGoesOn) {
  const Fault& f = GetParam();
  const int tries = f.retried ? kMaxTries : 1;
  for (int i = 0; i < tries; ++i) server_.Push(f.response());
  AttemptReport failed = Attempt(0);
  EXPECT_EQ("error", ::endstate::results::OutcomeName(failed.outcome.outcome));
  EXPECT_EQ("model_error",
            ::endstate::results::TerminationName(failed.outcome.termination));
  EXPECT_NE(std::string::npos, failed.outcome.error.find(f.error_text))
      << failed.outcome.error;
  EXPECT_EQ(static_cast<size_t>(tries), server_.requests().size());
  EXPECT_EQ(0u, server_.pending());
  std::string err;
  EXPECT_EQ(1, store_->CountTurns(failed.attempt_id, &err));

  PushSolution();
  AttemptReport next = Attempt(1);
  EXPECT_EQ("passed", ::endstate::results::OutcomeName(next.outcome.outcome))
      << next.outcome.error;
}

std::vector<Fault> RetriedFaults() {
  std::vector<Fault> out;
  for (const Fault& f : Faults()) {
    if (f.retried) out.push_back(f);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Faults, TransientFaultTest,
                         ::testing::ValuesIn(RetriedFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return info.param.name;
                         });
INSTANTIATE_TEST_SUITE_P(Faults, FaultInjectionTest,
                         ::testing::ValuesIn(Faults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return info.param.name;
                         });

// Transport faults without an HTTP server to script: a refused connection
// and a reset one. Both are model errors after the bounded tries.
class TransportFaultTest : public FaultInjectionTest {};

TEST_P(TransportFaultTest, RefusedConnectionIsAModelError) {
  // A port that was just free: nothing listens there.
  int port;
  {
    test::ResetServer probe;
    port = probe.port();
  }
  model_.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  AttemptReport r = Attempt(0);
  EXPECT_EQ("error", ::endstate::results::OutcomeName(r.outcome.outcome));
  EXPECT_EQ("model_error",
            ::endstate::results::TerminationName(r.outcome.termination));
  EXPECT_NE(std::string::npos,
            r.outcome.error.find("connection error after 3 tries"))
      << r.outcome.error;
}

TEST_P(TransportFaultTest, ResetConnectionIsAModelError) {
  test::ResetServer reset;
  model_.base_url = "http://127.0.0.1:" + std::to_string(reset.port()) + "/v1";
  AttemptReport r = Attempt(0);
  EXPECT_EQ("error", ::endstate::results::OutcomeName(r.outcome.outcome));
  EXPECT_EQ("model_error",
            ::endstate::results::TerminationName(r.outcome.termination));
  EXPECT_NE(std::string::npos, r.outcome.error.find("after 3 tries"))
      << r.outcome.error;
  EXPECT_EQ(kMaxTries, reset.connections());
}

INSTANTIATE_TEST_SUITE_P(Transport, TransportFaultTest,
                         ::testing::Values(Fault{"plain", {}, "", false},
                                           Fault{"stream", {}, "", true}),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return info.param.name;
                         });

// Malformed output is not an endpoint failure: broken arguments go back to
// the model as a tool error, the attempt goes on and can still pass.
TEST(FaultClassification, MalformedOutputIsAToolErrorNotAModelError) {
  test::ScriptedServer server;
  std::string err;
  fs::path root = util::MakeTempDir(fs::temp_directory_path(), "faults-", &err);
  test::WriteTinySuite(root / "suite");
  tasks::Task task;
  ASSERT_TRUE(tasks::LoadTask(root / "suite/tiny-title", StrictLoadOptions(),
                              &task, &err))
      << err;
  models::ModelConfig model;
  model.name = "m";
  model.provider = "openai";
  model.base_url = server.base_url();
  model.model = "m";
  server.Push(ScriptedResponse::Json(
      ChatCompletion("", {{"call_1", "edit_file", R"({"path": "about.ht)"}})));
  server.Push(ScriptedResponse::Json(
      ChatCompletion("", {{"call_2", "edit_file", kEdit}})));
  server.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
  auto store = results::Store::Open((root / "r.db").string(), &err);
  ASSERT_TRUE(store) << err;
  int64_t run = store->BeginRun({}, &err);
  AttemptSpec spec{.task = &task,
                   .model = &model,
                   .store = store.get(),
                   .run_id = run,
                   .model_id = store->AddModel(run, {.name = "m"}, &err),
                   .task_id = store->AddTask(run, {.id = task.id}, &err)};
  AttemptReport r = RunAttempt(spec, Config{}, {});
  EXPECT_EQ("passed", ::endstate::results::OutcomeName(r.outcome.outcome))
      << r.outcome.error;
  EXPECT_EQ("agent_stop",
            ::endstate::results::TerminationName(r.outcome.termination));
  auto reader = results::RunReader::Open((root / "r.db").string(), &err);
  ASSERT_TRUE(reader) << err;
  auto summaries = reader->Summarize(run, &err);
  ASSERT_TRUE(summaries) << err;
  ASSERT_EQ(1u, summaries->size());
  EXPECT_EQ(1, (*summaries)[0].tool_call_errors["invalid_json"]);
  store.reset();
  fs::remove_all(root);
}

// The whole CLI: a model whose endpoint is down errors on every attempt
// while the other model's attempts all run and pass; the exit code tells
// cron that infrastructure failed.
TEST(FaultRun, DeadEndpointDoesNotStopTheRun) {
  std::string err;
  fs::path root = util::MakeTempDir(fs::temp_directory_path(), "faults-", &err);
  test::WriteTinySuite(root / "suite");
  int port;
  {
    test::ResetServer probe;
    port = probe.port();
  }
  util::WriteFile(root / "c.yaml",
                  "models:\n"
                  "  - name: down\n"
                  "    provider: openai\n"
                  "    base_url: http://127.0.0.1:" +
                      std::to_string(port) +
                      "/v1\n"
                      "    model: m\n"
                      "    retries: {max_tries: 2, initial_backoff_ms: 1}\n"
                      "  - name: oracle\n"
                      "    provider: builtin\n"
                      "    model: oracle\n");
  const std::string db = (root / "r.db").string();
  test::ShellResult r = test::RunCli(
      "run -q --no-preflight --config " + (root / "c.yaml").string() +
      " --tasks " + (root / "suite").string() + " --epochs 2 --db " + db);
  EXPECT_EQ(3, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos,
            r.out.find("2 attempt(s) ended in infrastructure error"))
      << r.out;
  test::ShellResult q = test::Shell(
      "sqlite3 " + db +
      " \"SELECT m.name, a.outcome, a.termination FROM attempts a JOIN models "
      "m ON m.id = a.model_id ORDER BY m.name, a.epoch\"");
  EXPECT_EQ(
      "down|error|model_error\ndown|error|model_error\noracle|passed|agent_"
      "stop\noracle|passed|agent_stop\n",
      q.out);
  fs::remove_all(root);
}

}  // namespace
}  // namespace endstate::evaluator
