// Whole attempts (world, agent loop, grading, SQLite record) in which a
// scripted model plays a hostile agent (issue 12): it leaves the worst HTML
// it can for the html check, or a FIFO where the page should be, or plants
// a re.py for a Python check. Each attempt must end `failed` (never
// `error`), with the cap or reason in the check's detail, within seconds,
// and the next attempt of the run (an honest one) must pass.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "evaluator/attempt.h"
#include "evaluator/suite.h"
#include "results/store.h"
#include "tests/support/scripted_server.h"
#include "util/files.h"

namespace endstate::evaluator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::ChatCompletion;
using test::ScriptedResponse;

constexpr char kTaskYaml[] = R"yaml(id: hostile-page
title: Fix a title
level: easy
instruction: Make the title of about.html "About the Lab".
world:
  workspace: workspace
checks:
  - kind: html
    path: about.html
    select: title
    text_equals: About the Lab
  - kind: command
    run: python3 -c "import re, sys; sys.exit(0 if re.search('About the Lab', open('about.html').read()) else 1)"
    timeout_s: 5
solution:
  - tool: write_file
    args: {path: about.html, content: "<title>About the Lab</title>"}
  - say: Done.
)yaml";

class HostileAttemptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "hostile-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    fs::path dir = root_ / "suite/hostile-page";
    fs::create_directories(dir / "workspace");
    util::WriteFile(dir / "task.yaml", kTaskYaml);
    util::WriteFile(dir / "workspace/about.html", "<title>Untitled</title>");
    ASSERT_TRUE(tasks::LoadTask(dir, StrictLoadOptions(), &task_, &err)) << err;
    store_ = results::Store::Open((root_ / "r.db").string(), &err);
    ASSERT_TRUE(store_) << err;
    run_ = store_->BeginRun({}, &err);
    model_id_ = store_->AddModel(run_, {.name = "hostile"}, &err);
    task_id_ = store_->AddTask(run_, {.id = task_.id}, &err);
    model_.name = "hostile";
    model_.provider = "openai";
    model_.base_url = server_.base_url();
    model_.model = "m";
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }

  // One attempt: the model runs `command` with run_shell, then stops.
  AttemptReport Hostile(const std::string& command, int epoch) {
    json args = {{"command", command}};
    server_.Push(ScriptedResponse::Json(
        ChatCompletion("", {{"call_1", "run_shell", args.dump()}})));
    server_.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
    return Attempt(epoch);
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
  // The honest attempt after a hostile one: the run goes on and passes.
  void ExpectHonestAttemptPasses(int epoch) {
    json args = {{"path", "about.html"},
                 {"content", "<title>About the Lab</title>"}};
    server_.Push(ScriptedResponse::Json(
        ChatCompletion("", {{"call_1", "write_file", args.dump()}})));
    server_.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
    AttemptReport r = Attempt(epoch);
    EXPECT_EQ("passed", results::OutcomeName(r.outcome.outcome))
        << r.outcome.error;
  }
  static std::string Detail(const AttemptReport& r, size_t check) {
    return check < r.grade.checks.size() ? r.grade.checks[check].detail : "";
  }

  fs::path root_;
  tasks::Task task_;
  std::unique_ptr<results::Store> store_;
  int64_t run_ = 0, model_id_ = 0, task_id_ = 0;
  test::ScriptedServer server_;
  models::ModelConfig model_;
  Config config_;
};

TEST_F(HostileAttemptTest, UnclosedSpansFailByTheDepthCap) {
  auto start = std::chrono::steady_clock::now();
  AttemptReport r = Hostile(
      "python3 -c \"open('about.html','w').write('<title>About the "
      "Lab</title>' + '<span>' * 20000)\"",
      0);
  EXPECT_EQ("failed", results::OutcomeName(r.outcome.outcome))
      << r.outcome.error;
  EXPECT_EQ(
      "about.html: the page nests elements more than 512 deep (the limit)",
      Detail(r, 0));
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::seconds(120));
  ExpectHonestAttemptPasses(1);
}

TEST_F(HostileAttemptTest, AMillionNestedSpansFailByTheDepthCap) {
  AttemptReport r = Hostile(
      "python3 -c \"open('about.html','w').write('<span>' * 1000000)\"", 0);
  EXPECT_EQ("failed", results::OutcomeName(r.outcome.outcome))
      << r.outcome.error;
  EXPECT_EQ(
      "about.html: the page nests elements more than 512 deep (the limit)",
      Detail(r, 0));
  ExpectHonestAttemptPasses(1);
}

TEST_F(HostileAttemptTest, FifoInPlaceOfThePageFailsWithoutHanging) {
  auto start = std::chrono::steady_clock::now();
  AttemptReport r = Hostile("rm about.html && mkfifo about.html", 0);
  EXPECT_EQ("failed", results::OutcomeName(r.outcome.outcome))
      << r.outcome.error;
  EXPECT_EQ("about.html: is a fifo, not a regular file", Detail(r, 0));
  // The command check's python blocks on the FIFO until its 5 s timeout:
  // bounded, and `failed`.
  EXPECT_EQ("command: timed out after 5 s", Detail(r, 1));
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::seconds(120));
  ExpectHonestAttemptPasses(1);
}

TEST_F(HostileAttemptTest, PlantedRePyDoesNotPassThePythonCheck) {
  AttemptReport r =
      Hostile("printf 'def search(*a):\\n    return True\\n' > re.py", 0);
  EXPECT_EQ("failed", results::OutcomeName(r.outcome.outcome))
      << r.outcome.error;
  ASSERT_EQ(2u, r.grade.checks.size());
  EXPECT_EQ(graders::Verdict::kFailed, r.grade.checks[1].verdict)
      << Detail(r, 1);
  EXPECT_EQ("command: exit code 1, want 0", Detail(r, 1));
  ExpectHonestAttemptPasses(1);
}

// The agent fills the disk, with write_file and with a shell `dd`: both
// stop at the world's own disk limit (a 1 MiB tmpfs here,
// sandbox/world_disk.h) with a tool error, the attempt is graded `failed`
// (never `error`), nothing of it reaches the host's disk, and the next
// attempt passes.
TEST_F(HostileAttemptTest, FillingTheDiskStopsAtTheWorldLimit) {
  sandbox::WorldOptions world;
  world.base = root_ / "worlds";
  world.shell.max_world_bytes = 1ull << 20;
  json big = {{"path", "big.txt"}, {"content", std::string(3 << 19, 'x')}};
  json dd = {{"command", "dd if=/dev/zero of=fill bs=1M count=50"}};
  server_.Push(ScriptedResponse::Json(
      ChatCompletion("", {{"call_1", "write_file", big.dump()}})));
  server_.Push(ScriptedResponse::Json(
      ChatCompletion("", {{"call_2", "run_shell", dd.dump()}})));
  server_.Push(ScriptedResponse::Json(ChatCompletion("Done.")));
  AttemptSpec spec{.task = &task_,
                   .model = &model_,
                   .epoch = 0,
                   .store = store_.get(),
                   .run_id = run_,
                   .model_id = model_id_,
                   .task_id = task_id_};
  AttemptReport r = RunAttempt(spec, config_, world);
  EXPECT_EQ("failed", results::OutcomeName(r.outcome.outcome))
      << r.outcome.error;
  ASSERT_EQ(2u, r.grade.checks.size());
  EXPECT_EQ(graders::Verdict::kFailed, r.grade.checks[0].verdict)
      << Detail(r, 0);
  // What the model was told, turn by turn.
  const auto requests = server_.requests();
  ASSERT_EQ(3u, requests.size());
  const json write_result = requests[1].json()["messages"].back();
  EXPECT_EQ(
      "cannot write big.txt: No space left on device (the world disk limit "
      "of 1 MiB is reached)",
      write_result["content"].get<std::string>());
  const std::string dd_result =
      requests[2].json()["messages"].back()["content"].get<std::string>();
  EXPECT_EQ(0u, dd_result.find("exit code 1\n")) << dd_result;
  EXPECT_NE(std::string::npos,
            dd_result.find("dd: error writing 'fill': No space left on device"))
      << dd_result;
  // dd wrote less than the limit ("3145728 bytes (3.1 MB, 3.0 MiB) copied").
  const size_t copied = dd_result.find(" bytes (");
  ASSERT_NE(std::string::npos, copied) << dd_result;
  const size_t start = dd_result.rfind('\n', copied) + 1;
  EXPECT_LT(std::stoull(dd_result.substr(start, copied - start)), 1ull << 20);
  // Nothing left on the host: no world directory, no mount.
  EXPECT_TRUE(fs::is_empty(world.base));
  EXPECT_EQ(std::string::npos, util::ReadFile("/proc/self/mounts")
                                   .value_or("")
                                   .find(world.base.string()));
  ExpectHonestAttemptPasses(1);
}

}  // namespace
}  // namespace endstate::evaluator
