// `run --shard I/N` and `endstate merge`, end to end: three shards merged
// hold exactly the attempts of one full run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "evaluator/shard.h"
#include "results/schema.h"
#include "results/sqlite.h"
#include "tests/evaluator/tiny_suite.h"
#include "tests/support/shell.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

using Result = test::ShellResult;

// Every attempt of run `run` of `db`, one line each, sorted: the slot, the
// outcome and what was recorded of it (each turn's text, each tool call's
// arguments and result, each check's verdict).
std::vector<std::string> Attempts(const std::string& db, int run = 1) {
  std::string err;
  auto d = results::Db::OpenReadOnly(db, &err);
  EXPECT_TRUE(d) << err;
  if (!d) return {};
  auto s = results::Stmt::Prepare(
      *d,
      "SELECT m.name || ' ' || t.task_id || ' #' || a.epoch || ' try' || "
      "a.try || ' ' || a.outcome || ' ' || a.termination || ' turns=' || "
      "a.turns || ' [' || coalesce((SELECT group_concat(x, ' | ') FROM "
      "(SELECT u.idx || ':' || u.content || ':' || coalesce((SELECT "
      "group_concat(c.name || c.arguments_raw || '=' || c.result, ';') FROM "
      "tool_calls c WHERE c.turn_id = u.id), '') AS x FROM turns u WHERE "
      "u.attempt_id = a.id ORDER BY u.idx)), '') || '] checks ' || "
      "coalesce((SELECT group_concat(k.kind || '=' || k.verdict, ',') FROM "
      "checks k WHERE k.attempt_id = a.id), '') FROM attempts a JOIN models "
      "m ON m.id = a.model_id JOIN tasks t ON t.id = a.task_id WHERE "
      "a.run_id = :r",
      &err);
  EXPECT_TRUE(s) << err;
  if (!s) return {};
  EXPECT_TRUE(s->Bind(":r", run, &err)) << err;
  std::vector<std::string> out;
  while (s->Step(&err) == results::Stmt::StepResult::kRow) {
    out.push_back(s->Text(0));
  }
  std::sort(out.begin(), out.end());
  return out;
}

int64_t Count(const std::string& db, const char* sql) {
  std::string err;
  auto d = results::Db::OpenReadOnly(db, &err);
  EXPECT_TRUE(d) << err;
  auto n = d ? d->QueryInt(sql, &err) : std::nullopt;
  EXPECT_TRUE(n) << err;
  return n.value_or(-1);
}

TEST(ShardPlanTest, SlicesAreDisjointCoverThePlanAndSpreadEachModel) {
  for (size_t models : {1, 2, 3, 4}) {
    for (size_t tasks : {1, 3, 6, 7}) {
      for (int epochs : {1, 2, 3}) {
        for (int n : {1, 2, 3, 4, 5}) {
          auto plan = evaluator::MakePlan(models, tasks, epochs);
          std::vector<int> owner(plan.size(), -1);
          for (int i = 0; i < n; ++i) {
            auto slice = evaluator::ShardPlan(plan, tasks, {i, n});
            std::vector<size_t> per_model(models, 0);
            for (const auto& p : slice) {
              size_t at = (p.epoch * tasks + p.task) * models + p.model;
              EXPECT_EQ(-1, owner[at]);  // MakePlan's order: epoch, task, model
              owner[at] = i;
              ++per_model[p.model];
            }
            // Every model gets its share of this shard, within one slot.
            size_t share = tasks * epochs / n;
            for (size_t c : per_model) {
              EXPECT_TRUE(c == share || c == share + 1)
                  << models << "x" << tasks << "x" << epochs << " /" << n;
            }
          }
          EXPECT_EQ(std::count(owner.begin(), owner.end(), -1), 0);
        }
      }
    }
  }
}

TEST(ShardPlanTest, GroupKeyFollowsWhatDefinesTheResults) {
  evaluator::RunState state;
  models::ModelConfig model;
  model.name = "a";
  model.provider = "builtin";
  model.model = "oracle";
  state.models.push_back(model);
  std::vector<results::TaskInfo> tasks = {{.id = "t", .content_hash = "h"}};
  const std::string key = evaluator::GroupKey(state, tasks, 3, "");
  EXPECT_EQ(16u, key.size());
  // Machine-local settings do not change it...
  evaluator::RunState local = state;
  local.tasks_dir = "/elsewhere";
  local.config.concurrency = 32;
  local.models[0].api_key_env = "KEY";
  local.models[0].max_connections = 2;
  EXPECT_EQ(key, evaluator::GroupKey(local, tasks, 3, ""));
  // ... what the attempts depend on does.
  evaluator::RunState seeded = state;
  seeded.config.seed = 1;
  EXPECT_NE(key, evaluator::GroupKey(seeded, tasks, 3, ""));
  EXPECT_NE(key, evaluator::GroupKey(state, {{.id = "t", .content_hash = "h2"}},
                                     3, ""));
  EXPECT_NE(key, evaluator::GroupKey(state, tasks, 2, ""));
  EXPECT_NE(key, evaluator::GroupKey(state, tasks, 3, "tuesday"));
}

class ShardMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    root_ = util::MakeTempDir(fs::temp_directory_path(), "shard-merge-", &err);
    ASSERT_FALSE(root_.empty()) << err;
    // Three copies of the tiny task under different ids.
    fs::path one = test::WriteTinySuite(root_ / "one");
    fs::create_directories(root_ / "suite");
    for (const char* id : {"tiny-a", "tiny-b", "tiny-c"}) {
      fs::copy(one / "tiny-title", root_ / "suite" / id,
               fs::copy_options::recursive);
      std::string yaml = test::kTinyTaskYaml;
      yaml.replace(yaml.find("tiny-title"), 10, id);
      util::WriteFile(root_ / "suite" / id / "task.yaml", yaml);
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Db(const std::string& name) { return (root_ / name).string(); }
  // 2 models x 3 tasks x 2 epochs = 12 slots; flaky at 0.5 fails some.
  Result Run(const std::string& db, const std::string& extra) {
    return test::RunCli(
        "run -q --tasks " + (root_ / "suite").string() +
        " --model builtin:oracle --model builtin:flaky:0.5 "
        "--epochs 2 --concurrency 4 --worlds-dir " +
        (root_ / "worlds").string() + " --db " + db +
        (extra.find("--seed") == std::string::npos ? " --seed 7 " : " ") +
        extra);
  }

  fs::path root_;
};

TEST_F(ShardMergeTest, ThreeShardsMergedEqualOneFullRun) {
  Result full = Run(Db("full.db"), "");
  ASSERT_EQ(0, full.exit_code) << full.out;
  std::vector<std::string> want = Attempts(Db("full.db"));
  ASSERT_EQ(12u, want.size());
  // flaky at 0.5 must make the comparison non-trivial.
  EXPECT_TRUE(std::any_of(want.begin(), want.end(), [](const std::string& a) {
    return a.find(" failed ") != std::string::npos;
  })) << ::testing::PrintToString(want);

  std::vector<std::string> shards;
  std::set<std::string> slots;
  for (int i = 0; i < 3; ++i) {
    std::string db = Db("shard-" + std::to_string(i) + ".db");
    Result r = Run(db, "--shard " + std::to_string(i) + "/3");
    ASSERT_EQ(0, r.exit_code) << r.out;
    std::vector<std::string> got = Attempts(db);
    EXPECT_EQ(4u, got.size()) << "shard " << i;
    for (const auto& a : got) {
      // Disjoint: no (model, task, epoch) slot in two shards.
      EXPECT_TRUE(slots.insert(a.substr(0, a.find(" try"))).second) << a;
      shards.push_back(a);
    }
    // Each shard records every model and task, and its place in the group.
    EXPECT_EQ(2, Count(db, "SELECT count(*) FROM models"));
    EXPECT_EQ(3, Count(db, "SELECT count(*) FROM tasks"));
    EXPECT_EQ(i, Count(db,
                       "SELECT json_extract(config_json, '$.shard.index') "
                       "FROM runs"));
  }
  std::sort(shards.begin(), shards.end());
  EXPECT_EQ(want, shards);  // the shards cover the plan

  // Resuming a finished shard plans only its own slice.
  Result resume = test::RunCli("run --resume 1 --db " + Db("shard-1.db") +
                               " --worlds-dir " + (root_ / "worlds").string());
  EXPECT_EQ(0, resume.exit_code) << resume.out;
  EXPECT_NE(std::string::npos,
            resume.out.find("endstate: resuming run 1 (shard 1/3): 4 slot(s): "
                            "4 kept, 0 interrupted, 0 error(s) to retry, 0 "
                            "not started; 0 attempt(s) to run"))
      << resume.out;

  std::string ins =
      " " + Db("shard-0.db") + " " + Db("shard-1.db") + " " + Db("shard-2.db");
  Result merge = test::RunCli("merge -q " + Db("merged.db") + ins);
  ASSERT_EQ(0, merge.exit_code) << merge.out;
  EXPECT_EQ(
      "3 inputs, 1 run created, 2 runs extended, 12 attempts merged, 0 "
      "attempts updated, 0 duplicates skipped, 0 probes merged into " +
          Db("merged.db") + "\n",
      merge.out);
  EXPECT_EQ(want, Attempts(Db("merged.db")));
  EXPECT_EQ("finished", [&] {
    std::string err;
    auto d = results::Db::OpenReadOnly(Db("merged.db"), &err);
    auto s = results::Stmt::Prepare(*d, "SELECT status FROM runs", &err);
    s->Step(&err);
    return s->Text(0);
  }());

  // Idempotent: merging again adds nothing.
  merge = test::RunCli("merge " + Db("merged.db") + ins);
  ASSERT_EQ(0, merge.exit_code) << merge.out;
  EXPECT_NE(std::string::npos,
            merge.out.find("shard-2.db: 0 attempts merged, 4 duplicates "
                           "skipped\n"))
      << merge.out;
  EXPECT_NE(std::string::npos,
            merge.out.find("3 inputs, 0 runs created, 3 runs extended, 0 "
                           "attempts merged, 0 attempts updated, 12 "
                           "duplicates skipped"))
      << merge.out;
  EXPECT_EQ(1, Count(Db("merged.db"), "SELECT count(*) FROM runs"));
  EXPECT_EQ(12, Count(Db("merged.db"), "SELECT count(*) FROM attempts"));

  // The report of the merged run is the report of the full run.
  Result a = test::RunCli("report --format json --db " + Db("full.db"), false);
  Result b =
      test::RunCli("report --format json --db " + Db("merged.db"), false);
  ASSERT_EQ(0, a.exit_code) << a.out;
  ASSERT_EQ(0, b.exit_code) << b.out;
  auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  for (auto* j : {&ja, &jb}) {  // wall-clock times differ between runs
    for (auto& m : (*j)["models"]) {
      m["cost"].erase("wall_s_per_attempt");
      m["cost"].erase("wall_s_per_pass");
    }
  }
  EXPECT_EQ(ja["models"], jb["models"]);
  EXPECT_EQ(ja["tasks"], jb["tasks"]);
}

TEST_F(ShardMergeTest, RejectsBadShardValues) {
  for (const char* bad : {"3/3", "-1/2", "1/0", "x", "1/", "0/3x"}) {
    Result r = Run(Db("bad.db"), std::string("--shard=") + bad);
    EXPECT_EQ(2, r.exit_code) << bad;
    EXPECT_EQ(std::string("endstate run: --shard '") + bad +
                  "': expected I/N with 0 <= I < N (e.g. 0/3 for the first "
                  "of 3)\n",
              r.out);
  }
  EXPECT_FALSE(fs::exists(Db("bad.db")));
  Result r = test::RunCli("run --resume 1 --shard 0/2 --db " + Db("bad.db"));
  EXPECT_EQ(2, r.exit_code) << r.out;
}

TEST_F(ShardMergeTest, OtherConfigsAndRepeatedShardsStayApart) {
  ASSERT_EQ(0, Run(Db("a.db"), "--shard 0/2 --task tiny-a").exit_code);
  // Another seed is another run: merged as a run of its own.
  ASSERT_EQ(0, Run(Db("b.db"), "--shard 1/2 --task tiny-a --seed 8").exit_code);
  Result m = test::RunCli("merge -q " + Db("m.db") + " " + Db("a.db") + " " +
                          Db("b.db"));
  ASSERT_EQ(0, m.exit_code) << m.out;
  EXPECT_EQ(2, Count(Db("m.db"), "SELECT count(*) FROM runs"));
  EXPECT_EQ(2, Count(Db("m.db"),
                     "SELECT count(*) FROM runs WHERE status = 'running'"));

  // The same shard of the same config run a second time is refused: its
  // slots would count twice.
  ASSERT_EQ(0, Run(Db("a2.db"), "--shard 0/2 --task tiny-a").exit_code);
  m = test::RunCli("merge -q " + Db("m.db") + " " + Db("a2.db"));
  EXPECT_EQ(2, m.exit_code);
  EXPECT_NE(std::string::npos, m.out.find("endstate merge: " + Db("a2.db") +
                                          ": run 1 is shard 0/2 of group "))
      << m.out;
  EXPECT_NE(std::string::npos,
            m.out.find("give each its own `run --group NAME`\n"))
      << m.out;
  // ... unless it was given its own group.
  ASSERT_EQ(
      0,
      Run(Db("a3.db"), "--shard 0/2 --task tiny-a --group tuesday").exit_code);
  m = test::RunCli("merge -q " + Db("m.db") + " " + Db("a3.db"));
  EXPECT_EQ(0, m.exit_code) << m.out;
  EXPECT_EQ(3, Count(Db("m.db"), "SELECT count(*) FROM runs"));

  // Not a database, or a newer one: exit 2 naming the file; OUT unchanged.
  util::WriteFile(root_ / "junk.db", "not sqlite at all, just text\n");
  m = test::RunCli("merge " + Db("m.db") + " " + Db("junk.db"));
  EXPECT_EQ(2, m.exit_code);
  EXPECT_EQ("endstate merge: " + Db("junk.db") +
                ": not an endstate database (file is not a database)\n",
            m.out);
  ASSERT_EQ(
      0, test::Shell("sqlite3 " + Db("a2.db") + " 'PRAGMA user_version = 99'")
             .exit_code);
  m = test::RunCli("merge " + Db("m.db") + " " + Db("a2.db"));
  EXPECT_EQ(2, m.exit_code);
  EXPECT_EQ("endstate merge: " + Db("a2.db") +
                ": database schema version 99 is newer than this endstate "
                "supports (" +
                std::to_string(results::kSchemaVersion) + ")\n",
            m.out);
  EXPECT_EQ(3, Count(Db("m.db"), "SELECT count(*) FROM runs"));
}

}  // namespace
}  // namespace endstate
