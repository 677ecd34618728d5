// `endstate run --resume` after SIGKILL at chosen moments: during a model
// call, during a tool call, during grading. The kill moments are
// deterministic: the test waits until the scripted model server has received
// request N, or until a marker file written by the tool call or by the
// grading command appears in the world, then kills. Resume must finish with
// every (model, task, epoch) graded exactly once, every recorded turn intact
// and the database consistent.
#include "evaluator/resume.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "results/reader.h"
#include "results/sqlite.h"
#include "results/store.h"
#include "tests/support/scripted_server.h"
#include "util/files.h"

extern char** environ;

namespace endstate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// The command check sleeps (and leaves a marker) only when the model's tool
// call left `slow-grade`, so only the attempt the test kills grades slowly.
constexpr char kSlowTaskYaml[] = R"(id: write-ok
title: Write ok
level: easy
instruction: Write the line "ok" into out.txt.
world:
  workspace: workspace
checks:
  - kind: command
    run: "if [ -f slow-grade ]; then touch grade-marker; sleep 5; fi; grep -qx ok out.txt"
solution:
  - tool: write_file
    args: {path: out.txt, content: "ok\n"}
  - say: Done.
)";

// A child `endstate` process, its stdout and stderr in `log`.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<std::string> argv = {ENDSTATE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), environ) !=
        0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Child() {
    if (pid_ > 0) Kill();
  }
  bool running() const { return pid_ > 0; }
  // `path` as the child sees it: endstate runs in a mount namespace of its
  // own, so its world disks are visible only through its /proc root.
  fs::path Seen(const fs::path& path) const {
    return fs::path("/proc/" + std::to_string(pid_) + "/root") /
           path.relative_path();
  }
  void Kill() {
    kill(pid_, SIGKILL);
    Wait();
  }
  // The exit status as waitpid reports it.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// Polls `ready` every 5 ms; false after 60 s.
bool WaitFor(const std::function<bool()>& ready) {
  for (auto end = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(5ms)) {
    if (ready()) return true;
  }
  return false;
}

bool FileBelow(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == name) return true;
  }
  return false;
}

test::ScriptedResponse Shell(const std::string& id, const std::string& cmd) {
  return test::ScriptedResponse::Json(test::ChatCompletion(
      "", {{id, "run_shell", json{{"command", cmd}}.dump()}}));
}
test::ScriptedResponse Done() {
  return test::ScriptedResponse::Json(test::ChatCompletion("Done."));
}

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "resume-test-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    fs::create_directories(root_ / "suite/write-ok/workspace");
    util::WriteFile(root_ / "suite/write-ok/task.yaml", kSlowTaskYaml);
    util::WriteFile(root_ / "suite/write-ok/workspace/README", "notes\n");
    worlds_ = root_ / "worlds";
    fs::create_directories(worlds_);
    db_ = (root_ / "r.db").string();
    log_ = root_ / "log.txt";
  }
  void TearDown() override { fs::remove_all(root_); }

  std::vector<std::string> Common() {
    return {"--db",          db_, "--worlds-dir", worlds_.string(),
            "--concurrency", "1"};
  }
  std::vector<std::string> Resume(const std::string& run = "1") {
    auto args = Common();
    args.insert(args.begin(), {"run", "--resume", run});
    return args;
  }
  std::string Log() { return util::ReadFile(log_).value_or(""); }

  // Every turn with its tool calls, one line each, in id order.
  std::vector<std::string> Turns() {
    std::string err;
    auto db = results::Db::OpenReadOnly(db_, &err);
    EXPECT_TRUE(db) << err;
    if (!db) return {};
    auto s = results::Stmt::Prepare(
        *db,
        "SELECT t.id, t.attempt_id, t.idx, t.raw_request, t.raw_response, "
        "t.content, t.reasoning, t.finish_reason, t.prompt_tokens, "
        "(SELECT group_concat(c.idx || ':' || c.call_id || ':' || c.name || "
        "':' || c.arguments_raw || ':' || c.result || ':' || c.is_error, "
        "'|') FROM tool_calls c WHERE c.turn_id = t.id) "
        "FROM turns t ORDER BY t.id",
        &err);
    EXPECT_TRUE(s) << err;
    std::vector<std::string> out;
    while (s && s->Step(&err) == results::Stmt::StepResult::kRow) {
      std::string line;
      for (int c = 0; c < 10; ++c) line += s->Text(c) + "\x1f";
      out.push_back(line);
    }
    return out;
  }
  std::string QueryText(const std::string& sql) {
    std::string err;
    auto db = results::Db::OpenReadOnly(db_, &err);
    EXPECT_TRUE(db) << err;
    if (!db) return "";
    auto s = results::Stmt::Prepare(*db, sql, &err);
    EXPECT_TRUE(s) << err;
    if (!s || s->Step(&err) != results::Stmt::StepResult::kRow) return "";
    return s->Text(0);
  }
  // "e<epoch> try<n> <status> <outcome> <termination> parent=<try>" per
  // attempt, in id order.
  std::vector<std::string> Attempts() {
    std::string err;
    auto store = results::Store::Open(db_, &err);
    EXPECT_TRUE(store) << err;
    auto rows = store->ListAttempts(1, &err);
    EXPECT_TRUE(rows) << err;
    std::vector<std::string> out;
    std::map<int64_t, int> try_of;
    for (const auto& r : *rows) {
      try_of[r.id] = r.try_number;
      out.push_back(
          "e" + std::to_string(r.epoch) + " try" +
          std::to_string(r.try_number) + " " + r.status + " " +
          std::string(results::OutcomeName(r.outcome)) + " " +
          std::string(results::TerminationName(r.termination)) + " parent=" +
          (r.parent_attempt_id ? std::to_string(try_of[r.parent_attempt_id])
                               : "-"));
    }
    return out;
  }
  // The turns recorded before must still be there, byte for byte.
  void ExpectIntact(const std::vector<std::string>& before) {
    std::vector<std::string> after = Turns();
    ASSERT_GE(after.size(), before.size());
    for (size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(before[i], after[i]) << "turn row " << i;
    }
  }

  fs::path root_, worlds_, log_;
  std::string db_;
};

TEST_F(ResumeTest, KilledDuringModelToolAndGradingThenResumedExactlyOnce) {
  test::ScriptedServer server;
  const std::string ok = "echo ok > out.txt";
  // Phase A (new run, 3 epochs): epoch 0 passes; epoch 1 records one turn,
  // then is killed while waiting for its second model answer.
  server.Push(Shell("a1", ok));
  server.Push(Done());
  server.Push(Shell("a2", ok));
  auto slow = Done();
  slow.delay = 3s;
  server.Push(slow);
  {
    auto args = Common();
    args.insert(args.begin(),
                {"run", "--tasks", (root_ / "suite").string(), "--model",
                 "openai:" + server.base_url() + "#scripted", "--epochs", "3"});
    Child run(args, log_);
    ASSERT_TRUE(run.running());
    ASSERT_TRUE(WaitFor([&] { return server.requests().size() == 4; }))
        << Log();
    run.Kill();  // during a model call
  }
  EXPECT_EQ("ok", QueryText("PRAGMA integrity_check"));
  EXPECT_EQ((std::vector<std::string>{"e0 try1 finished passed agent_stop "
                                      "parent=-",
                                      "e1 try1 running   parent=-"}),
            Attempts());
  std::vector<std::string> turns = Turns();
  EXPECT_EQ(3u, turns.size());

  // Phase B: epoch 1 runs again as try 2 and is killed inside run_shell.
  server.Push(Shell("b1", "touch tool-marker; sleep 5; " + ok));
  {
    Child run(Resume(), log_);
    ASSERT_TRUE(WaitFor([&] {
      return FileBelow(run.Seen(worlds_), "tool-marker");
    })) << Log();
    run.Kill();  // during a tool call
  }
  EXPECT_NE(std::string::npos,
            Log().find("endstate: resuming run 1: 3 slot(s): 1 kept, 1 "
                       "interrupted, 0 error(s) to retry, 1 not started; 2 "
                       "attempt(s) to run, concurrency 1, db " +
                       db_ + "\n"))
      << Log();
  EXPECT_EQ("ok", QueryText("PRAGMA integrity_check"));
  ExpectIntact(turns);
  turns = Turns();
  EXPECT_EQ(3u, turns.size());  // the killed turn was never committed

  // Phase C: epoch 1 was interrupted twice, so it is given up (not
  // replayed into the same crash); epoch 2 plays two turns, then is killed
  // while being graded.
  server.Push(Shell("c1", ok + "; touch slow-grade"));
  server.Push(Done());
  {
    Child run(Resume(), log_);
    ASSERT_TRUE(WaitFor([&] {
      return FileBelow(run.Seen(worlds_), "grade-marker");
    })) << Log();
    run.Kill();  // during grading
  }
  EXPECT_EQ("ok", QueryText("PRAGMA integrity_check"));
  ExpectIntact(turns);
  turns = Turns();
  EXPECT_EQ(5u, turns.size());

  // Phase D: the last resume finishes epoch 2 (try 2). Epoch 1 ended in
  // `error` (given up), so the run exits 3.
  server.Push(Shell("d1", ok));
  server.Push(Done());
  {
    Child run(Resume(), log_);
    int status = run.Wait();
    ASSERT_TRUE(WIFEXITED(status)) << Log();
    EXPECT_EQ(3, WEXITSTATUS(status)) << Log();
  }
  EXPECT_EQ("ok", QueryText("PRAGMA integrity_check"));
  ExpectIntact(turns);
  EXPECT_EQ(7u, Turns().size());
  EXPECT_EQ(0u, server.pending());
  EXPECT_EQ(9u, server.requests().size());

  EXPECT_EQ((std::vector<std::string>{
                "e0 try1 finished passed agent_stop parent=-",
                "e1 try1 finished error interrupted parent=-",
                "e1 try2 finished error interrupted parent=1",
                "e2 try1 finished error interrupted parent=-",
                "e2 try2 finished passed agent_stop parent=1",
            }),
            Attempts());
  // Graded exactly once per finished slot: one set of checks per epoch,
  // none on the abandoned tries (epoch 1 has only those).
  EXPECT_EQ("0:1,2:1",
            QueryText("SELECT group_concat(epoch || ':' || n) FROM (SELECT "
                      "a.epoch, count(*) AS n FROM checks c JOIN attempts a "
                      "ON c.attempt_id = a.id GROUP BY a.epoch ORDER BY "
                      "a.epoch)"));
  EXPECT_EQ("0:1,2:1",
            QueryText("SELECT group_concat(epoch || ':' || n) FROM (SELECT "
                      "epoch, count(*) AS n FROM attempts WHERE status = "
                      "'finished' AND termination <> 'interrupted' GROUP BY "
                      "epoch ORDER BY epoch)"));
  EXPECT_EQ("2,1,0,2,2",
            QueryText("SELECT group_concat(n) FROM (SELECT (SELECT count(*) "
                      "FROM turns t WHERE t.attempt_id = a.id) AS n FROM "
                      "attempts a ORDER BY a.id)"));
  EXPECT_EQ(
      std::string("interrupted: the run stopped before this attempt finished; "
                  "`endstate run --resume` ran the slot again"),
      QueryText("SELECT error FROM attempts WHERE id = 2"));
  EXPECT_EQ(std::string(evaluator::kInterruptedTwiceError),
            QueryText("SELECT error FROM attempts WHERE id = 3"));
  EXPECT_EQ("finished", QueryText("SELECT status FROM runs WHERE id = 1"));

  std::string err;
  auto reader = results::RunReader::Open(db_, &err);
  ASSERT_TRUE(reader) << err;
  auto sums = reader->Summarize(1, &err);
  ASSERT_TRUE(sums) << err;
  ASSERT_EQ(1u, sums->size());
  EXPECT_EQ(3, (*sums)[0].attempts);
  EXPECT_EQ(2, (*sums)[0].passed);
  EXPECT_EQ(1, (*sums)[0].errored);
  EXPECT_EQ(2, (*sums)[0].earlier_tries);

  // Resuming a finished run runs nothing and reports the same table.
  Child again(Resume(), log_);
  int status = again.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << Log();
  EXPECT_NE(std::string::npos,
            Log().find("3 slot(s): 2 kept, 0 interrupted, 0 error(s) to "
                       "retry, 0 not started, 1 given up (interrupted twice); "
                       "0 attempt(s) to run"))
      << Log();
  EXPECT_EQ(9u, server.requests().size());
}

}  // namespace
}  // namespace endstate
