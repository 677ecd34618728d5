// `endstate runs`, `attempts`, `show` and `replay` end to end, as a user
// runs them, on a real failed attempt of builtin:flaky in the bundled suite.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "results/sqlite.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

// Seed 15 makes builtin:flaky:0.5 fail fix-page-title in 7 turns (numbered
// from 1, as every view prints them): turn 1 broken JSON, 2 leaked markup,
// 3 read_file, 4 unknown tool, 5 and 6 broken JSON, 7 gives up. (Decisions
// depend only on the seed, epoch, task id and the task's solution steps:
// models/builtin_flaky.cc.)
constexpr char kRun[] =
    "run -q --task fix-page-title --model builtin:flaky:0.5 --seed 15";
constexpr char kGiveUp[] =
    "I could not get the tool calls right, so I am stopping here.";
constexpr char kTitleCheck[] =
    "  FAIL   html  the title reads \"About the Lab\": about.html: <title> "
    "text is \"Untitled\", want \"About the Lab\"\n";

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

CliResult RunCli(const std::string& args) {
  static int n = 0;
  const fs::path err_file = fs::temp_directory_path() /
                            ("show-replay-stderr-" + std::to_string(getpid()) +
                             "-" + std::to_string(n++));
  std::string cmd =
      std::string(ENDSTATE_BINARY) + " " + args + " 2>" + err_file.string();
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = util::ReadFile(err_file).value_or("");
  fs::remove(err_file);
  return r;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  std::string err;
  auto db = results::Db::Open(db_path, &err);
  EXPECT_TRUE(db) << err;
  if (!db) return -2;
  auto v = db->QueryInt(sql.c_str(), &err);
  EXPECT_TRUE(v) << err;
  return v.value_or(-2);
}

void Exec(const std::string& db_path, const std::string& sql) {
  std::string err;
  auto db = results::Db::Open(db_path, &err);
  ASSERT_TRUE(db) << err;
  ASSERT_TRUE(db->Exec(sql, &err)) << err;
}

class ShowReplayTest : public ::testing::Test {
 protected:
  // One recorded run shared by every test; tests that write copy it.
  static void SetUpTestSuite() {
    std::string err;
    root_ = new fs::path(
        util::MakeTempDir(fs::temp_directory_path(), "show-replay-", &err));
    db_ = new std::string((*root_ / "flaky.db").string());
    run_ = new CliResult(RunCli(std::string(kRun) + " --db " + *db_));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
    delete db_;
    delete run_;
  }
  void SetUp() override {
    ASSERT_EQ(0, run_->exit_code) << run_->out << run_->err;
    ASSERT_EQ("failed", Outcome(*db_, 1))
        << "seed 15 no longer makes builtin:flaky:0.5 fail fix-page-title "
           "(the flaky fault model or the task's solution changed): pick "
           "another seed";
  }
  // A private copy of the recorded database for tests that write.
  std::string CopyDb(const std::string& name) {
    fs::path copy = *root_ / name;
    fs::copy_file(*db_, copy, fs::copy_options::overwrite_existing);
    return copy.string();
  }
  static std::string Outcome(const std::string& db, int64_t attempt) {
    std::string err;
    auto d = results::Db::Open(db, &err);
    if (!d) return err;
    auto s = results::Stmt::Prepare(
        *d, "SELECT coalesce(outcome, '') FROM attempts WHERE id = :id", &err);
    if (!s || !s->Bind(":id", attempt, &err)) return err;
    if (s->Step(&err) != results::Stmt::StepResult::kRow) return "none";
    return s->Text(0);
  }

  static fs::path* root_;
  static std::string* db_;
  static CliResult* run_;
};

fs::path* ShowReplayTest::root_ = nullptr;
std::string* ShowReplayTest::db_ = nullptr;
CliResult* ShowReplayTest::run_ = nullptr;

TEST_F(ShowReplayTest, ShowPrintsTranscriptAndFailingChecks) {
  CliResult r = RunCli("show 1 --db " + *db_);
  ASSERT_EQ(0, r.exit_code) << r.err;
  EXPECT_EQ("", r.err);
  const std::string& o = r.out;
  EXPECT_EQ(0u, o.find("attempt 1  (run 1)\n")) << o;
  EXPECT_TRUE(Has(o, "\n  model:        builtin:flaky:0.5\n")) << o;
  EXPECT_TRUE(Has(o,
                  "\n  task:         fix-page-title (Fix the about "
                  "page's title)\n"))
      << o;
  EXPECT_TRUE(Has(o, "\n  epoch:        1   try 1\n")) << o;
  EXPECT_TRUE(Has(o, "\n  outcome:      failed\n")) << o;
  EXPECT_TRUE(Has(o, "\n  termination:  agent_stop\n")) << o;
  EXPECT_TRUE(Has(o, "\n  turns:        7\n")) << o;
  EXPECT_TRUE(Has(o,
                  "\ninstruction\n  The about page (about.html in the site "
                  "source) still shows \"Untitled\" as\n"))
      << o;
  // Every turn, each call with its error kind, arguments and result.
  // Turns and calls count from 1 (docs/report.md, "Numbering").
  for (int i = 1; i <= 7; ++i)
    EXPECT_TRUE(Has(o, "\nturn " + std::to_string(i) + "  ")) << i;
  EXPECT_FALSE(Has(o, "\nturn 0"));
  EXPECT_FALSE(Has(o, "\nturn 8"));
  EXPECT_TRUE(Has(o,
                  "\n  call 1: read_file  [flaky_0]  error: invalid_json\n"
                  "    {\"path\":\"a\n    error result ("))
      << o;
  EXPECT_TRUE(Has(o,
                  "\n  leaked tool-call markup: tool_call_tag\n"
                  "  call 1: not run  error: leaked_markup\n"
                  "    told the model:\n"
                  "      Error (leaked_markup): your reply contained"))
      << o;
  EXPECT_TRUE(Has(o,
                  "\n  call 1: read_file  [oracle_0]\n    {\n      "
                  "\"path\": \"about.html\"\n    }\n    result ("))
      << o;
  EXPECT_TRUE(Has(o, "      <title>Untitled</title>\n")) << o;
  EXPECT_TRUE(Has(o, " more bytes]\n")) << o;  // the page is cut
  EXPECT_TRUE(Has(o,
                  "\n  call 1: edit_files  [flaky_3]  error: "
                  "unknown_tool\n"))
      << o;
  EXPECT_TRUE(Has(o, "      unknown tool 'edit_files'; available tools: "))
      << o;
  EXPECT_TRUE(Has(o, "\n  content:\n    " + std::string(kGiveUp) + "\n")) << o;
  // The checks, the failing one with its detail.
  EXPECT_TRUE(Has(o, "\nchecks: 3 of 4 passed\n" + std::string(kTitleCheck)))
      << o;
  EXPECT_TRUE(Has(o, "\n  PASS   unchanged  no other file changed: ")) << o;
  EXPECT_FALSE(Has(o, "\x1b[")) << "no colors when not a terminal";

  // --full shows the whole page; --color always colors.
  CliResult full = RunCli("show 1 --full --db " + *db_);
  EXPECT_FALSE(Has(full.out, " more bytes]")) << full.out;
  EXPECT_TRUE(Has(full.out, "      </html>\n")) << full.out;
  CliResult color = RunCli("show 1 --color always --db " + *db_);
  EXPECT_TRUE(Has(color.out, "\x1b[31mFAIL \x1b[0m")) << color.out;
}

TEST_F(ShowReplayTest, ShowJsonIsStable) {
  CliResult r = RunCli("show 1 --json --db " + *db_);
  ASSERT_EQ(0, r.exit_code) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(1, j["attempt"]["id"]);
  EXPECT_EQ("builtin:flaky:0.5", j["attempt"]["model"]);
  EXPECT_EQ("failed", j["attempt"]["outcome"]);
  EXPECT_TRUE(j["attempt"]["parent_attempt_id"].is_null());
  EXPECT_EQ(7, j["attempt"]["turns"]);
  ASSERT_EQ(7u, j["turns"].size());
  const auto& call0 = j["turns"][0]["tool_calls"][0];
  EXPECT_EQ("invalid_json", call0["error_kind"]);
  EXPECT_EQ("{\"path\":\"a", call0["arguments_raw"]);
  EXPECT_TRUE(call0["arguments"].is_null());
  EXPECT_TRUE(call0["exit_code"].is_null());
  const auto& read = j["turns"][2]["tool_calls"][0];
  EXPECT_EQ("read_file", read["name"]);
  EXPECT_EQ("about.html", read["arguments"]["path"]);
  EXPECT_TRUE(read["error_kind"].is_null());
  EXPECT_EQ("tool_call_tag", j["turns"][1]["leaked_markup"]);
  EXPECT_EQ(kGiveUp, j["turns"][6]["content"]);
  EXPECT_FALSE(j["turns"][0].contains("raw_request"));
  ASSERT_EQ(4u, j["checks"].size());
  EXPECT_EQ("failed", j["checks"][0]["verdict"]);
  EXPECT_EQ("the title reads \"About the Lab\"",
            j["checks"][0]["spec"]["name"]);
  EXPECT_EQ(0u, j["instruction"].get<std::string>().find("The about page"));

  CliResult raw = RunCli("show 1 --json --raw --db " + *db_);
  auto jr = nlohmann::json::parse(raw.out);
  EXPECT_TRUE(jr["turns"][0]["raw_request"].is_string());
}

TEST_F(ShowReplayTest, RunsAndAttemptsFindTheFailedAttempt) {
  CliResult runs = RunCli("runs --db " + *db_);
  ASSERT_EQ(0, runs.exit_code) << runs.err;
  EXPECT_EQ(0u, runs.out.find("id  status    started  "))
      << runs.out;  // header, columns padded
  EXPECT_TRUE(Has(runs.out, "\n1   finished  2")) << runs.out;
  EXPECT_TRUE(
      Has(runs.out, "  builtin:flaky:0.5  1         0       -       -\n"))
      << runs.out;
  auto rj = nlohmann::json::parse(RunCli("runs --json --db " + *db_).out);
  ASSERT_EQ(1u, rj.size());
  EXPECT_EQ(1, rj[0]["id"]);
  EXPECT_EQ("finished", rj[0]["status"]);
  EXPECT_EQ(nlohmann::json::array({"builtin:flaky:0.5"}), rj[0]["models"]);
  EXPECT_EQ(1, rj[0]["failed"]);
  EXPECT_EQ(0, rj[0]["passed"]);

  CliResult failed = RunCli("attempts --run 1 --failed --db " + *db_);
  ASSERT_EQ(0, failed.exit_code) << failed.err;
  EXPECT_EQ(
      "id  model              task            epoch  try  outcome  "
      "termination  turns  wall  parent  reason\n",
      failed.out.substr(0, failed.out.find('\n') + 1));
  EXPECT_EQ(
      0u, failed.out.find("1   builtin:flaky:0.5  fix-page-title  1      1    "
                          "failed   agent_stop   7      ",
                          failed.out.find('\n') + 1) -
              (failed.out.find('\n') + 1))
      << failed.out;
  // Why it failed: the name of its first failed check.
  EXPECT_TRUE(Has(failed.out, "  -       the title reads \"About the Lab\"\n"))
      << failed.out;
  CliResult by_model = RunCli(
      "attempts --model builtin:flaky:0.5 --task "
      "fix-page-title --json --db " +
      *db_);
  auto aj = nlohmann::json::parse(by_model.out);
  ASSERT_EQ(1u, aj.size());
  EXPECT_EQ(1, aj[0]["id"]);
  EXPECT_EQ(1, aj[0]["epoch"]);
  EXPECT_EQ("the title reads \"About the Lab\"", aj[0]["reason"]);
  ASSERT_EQ(1u, aj[0]["failed_checks"].size());
  EXPECT_EQ(
      (nlohmann::json{{"check", 1},
                      {"kind", "html"},
                      {"name", "the title reads \"About the Lab\""},
                      {"label", "the title reads \"About the Lab\""},
                      {"verdict", "failed"},
                      {"detail",
                       "about.html: <title> text is \"Untitled\", want \"About "
                       "the Lab\""}}),
      aj[0]["failed_checks"][0]);
  CliResult passed = RunCli("attempts --outcome passed --db " + *db_);
  EXPECT_EQ("no matching attempts in run 1\n", passed.out);
  // A model or task the run does not have is an error naming the valid
  // ones, not an empty listing.
  CliResult other = RunCli("attempts --model builtin:oracle --db " + *db_);
  EXPECT_EQ(2, other.exit_code);
  EXPECT_EQ(
      "endstate attempts: run 1 has no model 'builtin:oracle' (models: "
      "builtin:flaky:0.5)\n",
      other.err);
  CliResult task = RunCli("attempts --task nope --failed --db " + *db_);
  EXPECT_EQ(2, task.exit_code);
  EXPECT_EQ(
      "endstate attempts: run 1 has no task 'nope' (tasks: fix-page-title)\n",
      task.err);
}

TEST_F(ShowReplayTest, ReplayReproducesTheVerdict) {
  CliResult r = RunCli("replay 1 --db " + *db_);
  EXPECT_EQ(0, r.exit_code) << r.out << r.err;
  EXPECT_EQ("", r.err);
  EXPECT_EQ(
      "replaying attempt 1 (builtin:flaky:0.5, fix-page-title, epoch 1): 7 "
      "recorded turn(s)\n"
      "tool results: 5 of 5 re-executed calls match the record (1 "
      "leaked-markup call(s) never ran, not re-executed)\n"
      "checks: 3 of 4 passed\n" +
          std::string(kTitleCheck),
      r.out.substr(0, r.out.find("  PASS")));
  EXPECT_TRUE(Has(r.out, "\nverdict: failed (recorded: failed): reproduced\n"))
      << r.out;
  // Nothing was recorded.
  EXPECT_EQ(1, QueryInt(*db_, "SELECT count(*) FROM attempts"));
}

TEST_F(ShowReplayTest, ReplayShowsTheFirstDivergence) {
  const std::string db = CopyDb("diverge.db");
  const int64_t at =
      QueryInt(db,
               "SELECT instr(result, '<title>Untitled') + 6 FROM tool_calls "
               "WHERE name = 'read_file' AND error_kind = ''");
  Exec(db,
       "UPDATE tool_calls SET result = replace(result, '<title>Untitled', "
       "'<title>Changed') WHERE name = 'read_file' AND error_kind = ''");
  CliResult r = RunCli("replay 1 --db " + db);
  EXPECT_EQ(0, r.exit_code) << r.out << r.err;  // the verdict still holds
  EXPECT_TRUE(Has(r.out,
                  "tool results: 1 of 5 re-executed calls differ from the "
                  "record (1 leaked-markup call(s) never ran, not "
                  "re-executed)\n"
                  "first divergence: turn 3, call 1 (read_file), at byte " +
                      std::to_string(at) + ":\n"))
      << r.out;
  // 40 bytes either side of the first differing byte, JSON-escaped.
  EXPECT_TRUE(Has(r.out,
                  "  recorded: \"...\\\"Who we are and how we work.\\\">\\n"
                  "  <title>Changed</title>\\n  <link rel=\\\"stylesheet\\\""
                  "...\"\n"
                  "  replayed: \"...\\\"Who we are and how we work.\\\">\\n"
                  "  <title>Untitled</title>\\n  <link rel=\\\"stylesheet..."
                  "\"\n"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "\nverdict: failed (recorded: failed): reproduced\n"));
}

TEST_F(ShowReplayTest, ReplayThatDoesNotReproduceExitsOne) {
  const std::string db = CopyDb("wrong.db");
  Exec(db,
       "UPDATE attempts SET outcome = 'passed' WHERE id = 1;"
       "UPDATE checks SET verdict = 'passed' WHERE idx = 0");
  CliResult r = RunCli("replay 1 --db " + db);
  EXPECT_EQ(1, r.exit_code) << r.out << r.err;
  EXPECT_TRUE(Has(r.out,
                  "\ncheck 1 (html): recorded passed, now failed\n"
                  "verdict: failed (recorded: passed): NOT "
                  "reproduced\n"))
      << r.out;
}

TEST_F(ShowReplayTest, ReplayWarnsWhenTheTaskChanged) {
  const std::string db = CopyDb("changed.db");
  Exec(db, "UPDATE tasks SET content_hash = '0123456789abcdef0123'");
  CliResult r = RunCli("replay 1 --db " + db);
  EXPECT_EQ(0, r.exit_code) << r.out << r.err;
  EXPECT_EQ(0u, r.err.find("endstate replay: warning: task 'fix-page-title' "
                           "changed since attempt 1 was recorded (content "
                           "hash 0123456789ab, now "))
      << r.err;
  EXPECT_TRUE(Has(r.err, "); results may differ\n")) << r.err;
}

TEST_F(ShowReplayTest, FromTurnWithOracleMakesALinkedPassingAttempt) {
  const std::string db = CopyDb("continue.db");
  CliResult r =
      RunCli("replay 1 --from-turn 7 --model builtin:oracle --db " + db);
  ASSERT_EQ(0, r.exit_code) << r.out << r.err;
  EXPECT_TRUE(Has(r.out,
                  "rebuilt the world from turns 1..6\n"
                  "tool results: 5 of 5 re-executed calls match the record"))
      << r.out;
  EXPECT_TRUE(Has(r.out,
                  "continuing from turn 7 with builtin:oracle\n"
                  "checks: 4 of 4 passed\n"))
      << r.out;
  EXPECT_TRUE(Has(r.out,
                  "\nnew attempt 2 (run 2, parent 1): passed, 8 "
                  "turns, agent_stop\n(endstate show --db " +
                      db + " 2)\n"))
      << r.out;
  // Linked to its parent, in a run of its own, graded like any attempt.
  EXPECT_EQ(1, QueryInt(db,
                        "SELECT parent_attempt_id FROM attempts WHERE "
                        "id = 2"));
  EXPECT_EQ(2, QueryInt(db, "SELECT run_id FROM attempts WHERE id = 2"));
  EXPECT_EQ(4, QueryInt(db,
                        "SELECT count(*) FROM checks WHERE attempt_id = "
                        "2 AND verdict = 'passed'"));
  EXPECT_EQ(1, QueryInt(db,
                        "SELECT count(*) FROM runs WHERE id = 2 AND "
                        "status = 'finished'"));
  // The recorded turns 1..6 are its history; 7 and 8 are the oracle's
  // (show --json numbers them from 1 too).
  auto j = nlohmann::json::parse(RunCli("show 2 --json --db " + db).out);
  EXPECT_EQ(1, j["attempt"]["parent_attempt_id"]);
  EXPECT_EQ("builtin:oracle", j["attempt"]["model"]);
  EXPECT_EQ("passed", j["attempt"]["outcome"]);
  ASSERT_EQ(8u, j["turns"].size());
  EXPECT_EQ(7, j["turns"][6]["index"]);
  EXPECT_EQ("flaky_5", j["turns"][5]["tool_calls"][0]["call_id"]);
  EXPECT_EQ("oracle_1", j["turns"][6]["tool_calls"][0]["call_id"]);
  EXPECT_EQ("edit_file", j["turns"][6]["tool_calls"][0]["name"]);
  EXPECT_TRUE(j["turns"][6]["tool_calls"][0]["error_kind"].is_null());
  // The oracle saw the whole history: 6 assistant turns before its own.
  auto req =
      nlohmann::json::parse(RunCli("show 2 --json --raw --db " + db).out);
  auto messages = nlohmann::json::parse(
      req["turns"][6]["raw_request"].get<std::string>())["messages"];
  int assistants = 0;
  for (const auto& m : messages) assistants += m["role"] == "assistant";
  EXPECT_EQ(6, assistants);
  EXPECT_EQ("system", messages[0]["role"]);
  EXPECT_EQ(0u,
            messages[1]["content"].get<std::string>().find("The about page"));
  // The new attempt replays on its own; attempts lists the link.
  CliResult again = RunCli("replay 2 --db " + db);
  EXPECT_EQ(0, again.exit_code) << again.out;
  EXPECT_TRUE(
      Has(again.out, "verdict: passed (recorded: passed): reproduced\n"));
  CliResult listed = RunCli("attempts --run 2 --db " + db);
  EXPECT_TRUE(Has(listed.out, "passed   agent_stop   8      ")) << listed.out;
  // Its parent is attempt 1; it passed, so no reason.
  EXPECT_TRUE(Has(listed.out, "  1       -\n")) << listed.out;
}

TEST_F(ShowReplayTest, FromTurnOneStartsFresh) {
  const std::string db = CopyDb("fresh.db");
  CliResult r =
      RunCli("replay 1 --from-turn 1 --model builtin:oracle --db " + db);
  ASSERT_EQ(0, r.exit_code) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "fresh world: no turn before turn 1 to replay\n"));
  EXPECT_TRUE(Has(r.out,
                  "new attempt 2 (run 2, parent 1): passed, 3 turns, "
                  "agent_stop\n"))
      << r.out;
}

TEST_F(ShowReplayTest, KeepWorldPrintsAnExistingPath) {
  CliResult r = RunCli("replay 1 --keep-world --db " + *db_);
  ASSERT_EQ(0, r.exit_code) << r.out << r.err;
  const std::string tag = "world kept: ";
  size_t at = r.out.rfind(tag);
  ASSERT_NE(std::string::npos, at) << r.out;
  fs::path world = r.out.substr(at + tag.size());
  world = world.string().substr(0, world.string().find('\n'));
  ASSERT_TRUE(fs::exists(world / "workspace/about.html")) << world;
  // The kept world is the replayed end state: the title was never fixed.
  EXPECT_TRUE(Has(util::ReadFile(world / "workspace/about.html").value_or(""),
                  "<title>Untitled</title>"));
  fs::remove_all(world);
}

TEST_F(ShowReplayTest, MistakesAreNamed) {
  CliResult r = RunCli("show 99 --db " + *db_);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("endstate show: no attempt 99 in " + *db_ + "\n", r.err);
  r = RunCli("show 1 --db " + (*root_ / "none.db").string());
  EXPECT_EQ(2, r.exit_code);
  const std::string none = (*root_ / "none.db").string();
  EXPECT_EQ("endstate show: " + none +
                ": no such database (run `endstate run --db " + none +
                "` first)\n",
            r.err);
  r = RunCli("replay 99 --db " + *db_);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("endstate replay: no attempt 99 in " + *db_ + "\n", r.err);
  r = RunCli("replay 1 --from-turn 2 --db " + *db_);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ("endstate replay: --from-turn and --model go together\n", r.err);
  r = RunCli("replay 1 --from-turn 9 --model builtin:oracle --db " + *db_);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_EQ(
      "endstate replay: --from-turn 9: attempt 1 has 7 turn(s); N must be "
      "between 1 and 8\n",
      r.err);
  // Turns count from 1: there is no turn 0.
  r = RunCli("replay 1 --from-turn 0 --model builtin:oracle --db " + *db_);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_TRUE(Has(r.err, "--from-turn: expected an integer >= 1, got '0'"))
      << r.err;
  r = RunCli("replay 1 --from-turn 1 --model builtin:genius --db " + *db_);
  EXPECT_EQ(2, r.exit_code);
  EXPECT_TRUE(Has(r.err, "builtin:genius")) << r.err;
  r = RunCli("attempts --failed --outcome error --db " + *db_);
  EXPECT_EQ(2, r.exit_code);
  r = RunCli("runs --db " + (*root_ / "none.db").string());
  EXPECT_EQ(2, r.exit_code);
  EXPECT_FALSE(fs::exists(*root_ / "none.db")) << "never created";
}

}  // namespace
}  // namespace endstate
