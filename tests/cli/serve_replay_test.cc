// `endstate serve-replay`: the recorded turns of one attempt served as an
// OpenAI-compatible endpoint. ServeReplay.* talk to it over raw HTTP and pin
// the wire format; ServeReplayNpm.* run an agent loop written with the
// official `openai` npm package against it (tests/node/replay_client.mjs;
// the package is installed by the ctest fixture npm_install_openai, see
// CMakeLists.txt).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "results/store.h"
#include "util/files.h"

extern char** environ;

namespace endstate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kArgs0[] =
    R"({"path":"notes.txt","content":"héllo ✓ \"quoted\"\nline 2"})";
constexpr char kArgs1[] = R"({"command":"ls -la"})";
constexpr char kBrokenArgs[] = R"({"path": "about.html", "old_text": "Untit)";

// Records attempt 1: two tool calls with reasoning; one call with broken
// arguments and no id; a failed model call (not served); a final answer.
void RecordAttempt(const std::string& db) {
  std::string err;
  auto store = results::Store::Open(db, &err);
  ASSERT_TRUE(store) << err;
  int64_t run = store->BeginRun({.config_json = "{}", .version = "t"}, &err);
  int64_t model = store->AddModel(
      run, {.name = "qwen-fp8", .provider = "openai", .model = "q"}, &err);
  int64_t task = store->AddTask(run, {.id = "tiny-title"}, &err);
  int64_t a = store->BeginAttempt(run, model, task, 0, &err);
  ASSERT_EQ(1, a) << err;
  results::TurnRecord t0{.index = 0,
                         .content = "",
                         .reasoning = "Let me write the notes first.",
                         .finish_reason = "tool_calls",
                         .prompt_tokens = 120,
                         .completion_tokens = 30};
  t0.tool_calls = {{.index = 0,
                    .call_id = "call_a",
                    .name = "write_file",
                    .arguments_raw = kArgs0},
                   {.index = 1,
                    .call_id = "call_b",
                    .name = "run_shell",
                    .arguments_raw = kArgs1}};
  results::TurnRecord t1{.index = 1,
                         .content = "Fixing the title.",
                         .finish_reason = "tool_calls",
                         .prompt_tokens = 200,
                         .completion_tokens = 12};
  t1.tool_calls = {{.index = 0,
                    .call_id = "",
                    .name = "edit_file",
                    .arguments_raw = kBrokenArgs,
                    .error_kind = "invalid_json",
                    .is_error = true}};
  results::TurnRecord t2{
      .index = 2, .raw_response = "upstream 503", .finish_reason = "error"};
  results::TurnRecord t3{.index = 3,
                         .content = "All done.",
                         .finish_reason = "stop",
                         .prompt_tokens = 260,
                         .completion_tokens = 4};
  for (const auto& t : {t0, t1, t2, t3})
    ASSERT_TRUE(store->RecordTurn(a, t, &err)) << err;
  ASSERT_TRUE(store->FinishAttempt(
      a,
      {.outcome = ::endstate::results::Outcome::kFailed,
       .termination = ::endstate::results::Termination::kAgentStop,
       .turns = 4},
      &err));
}

// `endstate serve-replay ...` with stdout on a pipe and stderr in a file.
class Server {
 public:
  Server(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<std::string> argv = {ENDSTATE_BINARY, "serve-replay"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), environ) !=
        0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    out_ = fds[0];
  }
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }
  // Reads stdout until a newline (10 s at most).
  std::string ReadLine() {
    std::string line;
    char c;
    pollfd p{out_, POLLIN, 0};
    while (poll(&p, 1, 10'000) > 0 && read(out_, &c, 1) == 1 && c != '\n')
      line += c;
    return line;
  }
  // The exit status as waitpid reports it.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  void Signal(int sig) { kill(pid_, sig); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

class ServeReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "serve-replay-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    db_ = (root_ / "r.db").string();
    RecordAttempt(db_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Starts the server on attempt 1; returns its port (0 on failure).
  int Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"1", "--db", db_};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<Server>(args, root_ / "server.log");
    std::string line = server_->ReadLine();
    const std::string prefix = "listening on http://127.0.0.1:";
    EXPECT_EQ(0u, line.rfind(prefix, 0)) << line << Log();
    if (line.rfind(prefix, 0) != 0) return 0;
    EXPECT_EQ("/v1", line.substr(line.size() - 3));
    return std::stoi(line.substr(prefix.size()));
  }
  std::string Log() {
    return util::ReadFile(root_ / "server.log").value_or("");
  }
  // A chat request carrying `assistants` earlier assistant messages.
  static std::string Request(int assistants, bool stream = false) {
    json messages = json::array({{{"role", "user"}, {"content", "go"}}});
    for (int i = 0; i < assistants; ++i) {
      messages.push_back({{"role", "assistant"}, {"content", "x"}});
      messages.push_back({{"role", "user"}, {"content", "more"}});
    }
    json body = {{"model", "anything"}, {"messages", messages}};
    if (stream) {
      body["stream"] = true;
      body["stream_options"] = {{"include_usage", true}};
    }
    return body.dump();
  }

  fs::path root_;
  std::string db_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServeReplayTest, AnswersEachTurnAsRecorded) {
  int port = Start();
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);

  auto models = client.Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ("qwen-fp8", json::parse(models->body)["data"][0]["id"]);
  EXPECT_EQ(1u, json::parse(models->body)["data"].size());

  auto r0 = client.Post("/v1/chat/completions", Request(0), "application/json");
  ASSERT_TRUE(r0);
  EXPECT_EQ(200, r0->status);
  EXPECT_EQ("1", r0->get_header_value("X-Endstate-Replay-Turn"));
  json b0 = json::parse(r0->body);
  EXPECT_EQ("chat.completion", b0["object"]);
  EXPECT_EQ("qwen-fp8", b0["model"]);
  EXPECT_EQ("chatcmpl-replay-1-0", b0["id"]);
  EXPECT_EQ("tool_calls", b0["choices"][0]["finish_reason"]);
  EXPECT_EQ(
      json::parse(std::string(R"({"role":"assistant","content":null,)") +
                  R"("reasoning_content":"Let me write the notes first.",)"
                  R"("tool_calls":[{"id":"call_a","type":"function",)"
                  R"("function":{"name":"write_file","arguments":)" +
                  json(kArgs0).dump() +
                  R"(}},{"id":"call_b","type":"function","function":)"
                  R"({"name":"run_shell","arguments":)" +
                  json(kArgs1).dump() + "}}]}"),
      b0["choices"][0]["message"]);
  EXPECT_EQ(json::parse(R"({"prompt_tokens":120,"completion_tokens":30,)"
                        R"("total_tokens":150})"),
            b0["usage"]);

  // The turn is chosen by the conversation: one assistant message so far.
  auto r1 = client.Post("/v1/chat/completions", Request(1), "application/json");
  ASSERT_TRUE(r1);
  json m1 = json::parse(r1->body)["choices"][0]["message"];
  EXPECT_EQ("Fixing the title.", m1["content"]);
  EXPECT_EQ("call_1_0", m1["tool_calls"][0]["id"]);  // none was recorded
  EXPECT_EQ(kBrokenArgs, m1["tool_calls"][0]["function"]["arguments"]);

  // The failed model call is not served: turn 2 is the final answer.
  auto r2 = client.Post("/v1/chat/completions", Request(2), "application/json");
  ASSERT_TRUE(r2);
  json c2 = json::parse(r2->body)["choices"][0];
  EXPECT_EQ("All done.", c2["message"]["content"]);
  EXPECT_EQ("stop", c2["finish_reason"]);
  EXPECT_FALSE(c2["message"].contains("tool_calls"));

  // Past the record: an empty final "stop".
  auto r3 = client.Post("/v1/chat/completions", Request(3), "application/json");
  ASSERT_TRUE(r3);
  EXPECT_EQ("end", r3->get_header_value("X-Endstate-Replay"));
  json c3 = json::parse(r3->body)["choices"][0];
  EXPECT_EQ(json::parse(R"({"role":"assistant","content":""})"), c3["message"]);
  EXPECT_EQ("stop", c3["finish_reason"]);

  // The same request again gets the same answer.
  auto again =
      client.Post("/v1/chat/completions", Request(0), "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(r0->body, again->body);

  auto bad = client.Post("/v1/chat/completions", "{", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(400, bad->status);
  EXPECT_EQ(
      "endstate serve-replay: the request body is not a JSON object with a "
      "messages list",
      json::parse(bad->body)["error"]["message"]);
  auto none = client.Post("/v1/embeddings", "{}", "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(404, none->status);

  server_->Signal(SIGTERM);
  int status = server_->Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(std::string::npos,
            Log().find("endstate serve-replay: attempt 1 (qwen-fp8 on "
                       "tiny-title): 3 recorded turn(s); stop with Ctrl-C\n"))
      << Log();
}

TEST_F(ServeReplayTest, StreamsChunksLikeVllm) {
  int port = Start();
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto r =
      client.Post("/v1/chat/completions", Request(0, true), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(0u, r->get_header_value("Content-Type").find("text/event-stream"));
  std::vector<std::string> events;
  for (size_t pos = 0; pos < r->body.size();) {
    size_t end = r->body.find("\n\n", pos);
    ASSERT_NE(std::string::npos, end) << r->body;
    std::string e = r->body.substr(pos, end - pos);
    ASSERT_EQ(0u, e.find("data: ")) << e;
    events.push_back(e.substr(6));
    pos = end + 2;
  }
  ASSERT_GE(events.size(), 8u);
  EXPECT_EQ("[DONE]", events.back());
  std::string reasoning, args[2];
  std::vector<std::string> shape;  // what each chunk carries
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    json c = json::parse(events[i]);
    EXPECT_EQ("chat.completion.chunk", c["object"]);
    if (c["choices"].empty()) {
      shape.push_back("usage");
      EXPECT_EQ(150, c["usage"]["total_tokens"]);
      continue;
    }
    const json& d = c["choices"][0]["delta"];
    if (!c["choices"][0]["finish_reason"].is_null()) {
      shape.push_back("finish:" +
                      c["choices"][0]["finish_reason"].get<std::string>());
    } else if (d.contains("role")) {
      shape.push_back("role");
    } else if (d.contains("reasoning_content")) {
      reasoning += d["reasoning_content"];
      if (shape.back() != "reasoning") shape.push_back("reasoning");
    } else if (d.contains("tool_calls")) {
      const json& tc = d["tool_calls"][0];
      int index = tc["index"];
      if (tc.contains("id")) {
        shape.push_back("call" + std::to_string(index) + ":" +
                        tc["id"].get<std::string>() + ":" +
                        tc["function"]["name"].get<std::string>());
      } else {
        args[index] += tc["function"]["arguments"];
        if (shape.back() != "args") shape.push_back("args");
      }
    }
  }
  EXPECT_EQ(
      (std::vector<std::string>{"role", "reasoning", "call0:call_a:write_file",
                                "args", "call1:call_b:run_shell", "args",
                                "finish:tool_calls", "usage"}),
      shape);
  EXPECT_EQ("Let me write the notes first.", reasoning);
  EXPECT_EQ(kArgs0, args[0]);
  EXPECT_EQ(kArgs1, args[1]);
}

TEST_F(ServeReplayTest, SequentialModeAndRequestLimit) {
  int port = Start({"--sequential", "--max-requests", "2"});
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto a = client.Post("/v1/chat/completions", Request(0), "application/json");
  auto b = client.Post("/v1/chat/completions", Request(0), "application/json");
  ASSERT_TRUE(a && b);
  EXPECT_EQ("1", a->get_header_value("X-Endstate-Replay-Turn"));
  EXPECT_EQ("2", b->get_header_value("X-Endstate-Replay-Turn"));
  int status = server_->Wait();  // exits on its own after two answers
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(ServeReplayTest, UnknownAttemptIsAUsageError) {
  Server s({"42", "--db", db_}, root_ / "server.log");
  EXPECT_EQ("", s.ReadLine());
  int status = s.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
  EXPECT_EQ("endstate serve-replay: no attempt 42 in " + db_ + "\n", Log());
}

class ServeReplayNpm : public ServeReplayTest {};

// The official client, non-streaming and streaming, receives the recorded
// tool calls: same ids, names and arguments (broken ones included).
TEST_F(ServeReplayNpm, OfficialOpenAiClientReceivesRecordedToolCalls) {
  const fs::path node_dir = ENDSTATE_NODE_DIR;
  ASSERT_TRUE(fs::exists(node_dir / "node_modules/openai/package.json"))
      << "the openai npm package is not installed in " << node_dir
      << ": run `ctest -R npm_install_openai` (npm install --prefix "
      << node_dir << " openai@6; needs the npm registry)";
  // ES modules resolve `import "openai"` from the script's folder upwards:
  // run a copy placed beside node_modules.
  fs::copy_file(fs::path(ENDSTATE_SOURCE_DIR) / "tests/node/replay_client.mjs",
                node_dir / "replay_client.mjs",
                fs::copy_options::overwrite_existing);
  int port = Start({"--max-requests", "6"});
  ASSERT_GT(port, 0);
  std::string cmd = "node " + (node_dir / "replay_client.mjs").string() +
                    " http://127.0.0.1:" + std::to_string(port) + "/v1 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ASSERT_EQ(0, pclose(p)) << out << Log();
  json got = json::parse(out, nullptr, false);
  ASSERT_FALSE(got.is_discarded()) << out;
  EXPECT_EQ(json::array({"qwen-fp8"}), got["models"]);
  json calls0 = json::array(
      {{{"id", "call_a"}, {"name", "write_file"}, {"arguments", kArgs0}},
       {{"id", "call_b"}, {"name", "run_shell"}, {"arguments", kArgs1}}});
  json calls1 = json::array({{{"id", "call_1_0"},
                              {"name", "edit_file"},
                              {"arguments", kBrokenArgs}}});
  for (const char* mode : {"plain", "stream"}) {
    SCOPED_TRACE(mode);
    const json& turns = got[mode];
    ASSERT_EQ(3u, turns.size()) << turns.dump(2);
    EXPECT_EQ(calls0, turns[0]["tool_calls"]);
    EXPECT_EQ("Let me write the notes first.", turns[0]["reasoning"]);
    EXPECT_EQ("tool_calls", turns[0]["finish_reason"]);
    EXPECT_EQ(150, turns[0]["usage"]["total_tokens"]);
    EXPECT_EQ(calls1, turns[1]["tool_calls"]);
    EXPECT_EQ("Fixing the title.", turns[1]["content"]);
    EXPECT_EQ("All done.", turns[2]["content"]);
    EXPECT_EQ("stop", turns[2]["finish_reason"]);
    EXPECT_EQ(json::array(), turns[2]["tool_calls"]);
  }
  // Six chat completions answered: the server exits by itself.
  int status = server_->Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace endstate
