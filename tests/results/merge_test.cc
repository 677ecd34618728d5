// results::Merger on databases built through the real Store.
#include "results/merge.h"

#include <gtest/gtest.h>

#include "tests/results/run_builder.h"
#include "tests/results/temp_dir.h"

namespace endstate::results {
namespace {

using test::RunBuilder;
using test::TempDir;

int64_t Int(const std::string& db, const std::string& sql) {
  std::string err;
  auto d = Db::OpenReadOnly(db, &err);
  EXPECT_TRUE(d) << err;
  auto v = d ? d->QueryInt(sql.c_str(), &err) : std::nullopt;
  EXPECT_TRUE(v) << err << " in " << sql;
  return v.value_or(-1);
}

std::string Stats(const MergeStats& s) {
  return std::to_string(s.runs_created) + " created, " +
         std::to_string(s.runs_extended) + " extended, " +
         std::to_string(s.attempts_merged) + " merged, " +
         std::to_string(s.attempts_updated) + " updated, " +
         std::to_string(s.duplicates) + " duplicates, " +
         std::to_string(s.probes_merged) + " probes";
}

// A shard run of group "g" with one model "m" and one task "t".
int64_t ShardRun(Store& store, int index, const std::string& hash,
                 const std::string& version = "0.1.0") {
  std::string err;
  int64_t run = store.BeginRun(
      {.config_json = R"({"shard":{"index":)" + std::to_string(index) +
                      R"(,"count":2,"group":"g","name":""}})",
       .version = version,
       .host = "node" + std::to_string(index),
       .args = "endstate run",
       .seed = 0},
      &err);
  EXPECT_GT(run, 0) << err;
  int64_t model =
      store.AddModel(run, {.name = "m", .provider = "builtin"}, &err);
  int64_t task = store.AddTask(
      run, {.id = "t", .title = "t", .level = "easy", .content_hash = hash},
      &err);
  int64_t a = store.BeginAttempt(run, model, task, index, &err);
  EXPECT_TRUE(store.FinishAttempt(
      a, {.outcome = ::endstate::results::Outcome::kPassed}, &err))
      << err;
  EXPECT_TRUE(store.FinishRun(run, &err)) << err;
  return run;
}

TEST(MergeTest, RemapsIdsKeepsTryChainsAndCompletesRunningAttempts) {
  TempDir dir;
  RunBuilder other(dir.File("other.db"));
  other.NewRun();
  other.Attempt("x", "t1", 0, "passed");
  other.Attempt("x", "t2", 0, "failed");

  RunBuilder in(dir.File("in.db"));
  in.NewRun();
  int64_t first = in.Attempt(
      "m", "t1", 0, "error",
      {.call_errors = {"", "invalid_json"}, .failed_check = "no title"});
  in.Retry(first, "passed", {.call_errors = {""}});
  int64_t running = in.Attempt("m", "t2", 0, "");
  std::string err;
  ASSERT_GT(in.store().RecordProbe(in.run(), in.Model("m"), "speed", {{"n", 1}},
                                   {{"tps", 50}}, &err),
            0)
      << err;

  auto merger = Merger::Open(dir.File("out.db"), &err);
  ASSERT_TRUE(merger) << err;
  MergeStats stats;
  ASSERT_EQ(MergeStatus::kOk,
            merger->MergeFile(dir.File("other.db"), 0, &stats, &err))
      << err;
  ASSERT_EQ(MergeStatus::kOk,
            merger->MergeFile(dir.File("in.db"), 0, &stats, &err))
      << err;
  EXPECT_EQ(
      "2 created, 0 extended, 5 merged, 0 updated, 0 duplicates, "
      "1 probes",
      Stats(stats));

  const std::string out = dir.File("out.db");
  // Ids moved (other.db came first); the retry points at its first try.
  EXPECT_EQ(3, Int(out,
                   "SELECT id FROM attempts WHERE run_id = 2 AND try = 1 "
                   "AND outcome = 'error'"));
  EXPECT_EQ(3, Int(out,
                   "SELECT parent_attempt_id FROM attempts WHERE "
                   "run_id = 2 AND try = 2"));
  EXPECT_EQ(2, Int(out,
                   "SELECT count(*) FROM tool_calls c JOIN turns u ON "
                   "u.id = c.turn_id WHERE u.attempt_id = 3"));
  EXPECT_EQ(1, Int(out,
                   "SELECT count(*) FROM tool_calls WHERE error_kind = "
                   "'invalid_json'"));
  EXPECT_EQ(2, Int(out, "SELECT count(*) FROM checks WHERE attempt_id = 3"));
  EXPECT_EQ(1, Int(out, "SELECT count(*) FROM turns WHERE attempt_id = 4"));
  EXPECT_EQ(1, Int(out,
                   "SELECT count(*) FROM probes p JOIN models m ON "
                   "m.id = p.model_id WHERE m.name = 'm' AND p.run_id "
                   "= 2"));
  EXPECT_EQ(1, Int(out,
                   "SELECT count(*) FROM attempts WHERE status = "
                   "'running'"));

  // The running attempt finishes in the input; merging again completes it
  // and copies nothing else.
  ASSERT_TRUE(in.store().RecordChecks(
      running, {{.index = 0, .kind = "file", .verdict = "passed"}}, &err));
  ASSERT_TRUE(in.store().FinishAttempt(
      running, {.outcome = ::endstate::results::Outcome::kPassed, .turns = 3},
      &err))
      << err;
  stats = {};
  ASSERT_EQ(MergeStatus::kOk,
            merger->MergeFile(dir.File("in.db"), 0, &stats, &err))
      << err;
  EXPECT_EQ(
      "0 created, 1 extended, 0 merged, 1 updated, 2 duplicates, "
      "0 probes",
      Stats(stats));
  EXPECT_EQ(0, Int(out,
                   "SELECT count(*) FROM attempts WHERE status = "
                   "'running'"));
  EXPECT_EQ(3, Int(out, "SELECT turns FROM attempts WHERE id = 5"));
  EXPECT_EQ(1, Int(out, "SELECT count(*) FROM checks WHERE attempt_id = 5"));
  EXPECT_EQ(5, Int(out, "SELECT count(*) FROM attempts"));
}

TEST(MergeTest, ShardsOfOneGroupMustAgreeOnSuiteAndVersion) {
  TempDir dir;
  std::string err;
  for (auto [name, index, hash, version] :
       {std::tuple{"a.db", 0, "h1", "0.1.0"},
        std::tuple{"b.db", 1, "h2", "0.1.0"},
        std::tuple{"c.db", 1, "h1", "0.2.0"},
        std::tuple{"d.db", 1, "h1", "0.1.0"}}) {
    auto store = Store::Open(dir.File(name), &err);
    ASSERT_TRUE(store) << err;
    ShardRun(*store, index, hash, version);
  }
  auto merger = Merger::Open(dir.File("out.db"), &err);
  ASSERT_TRUE(merger) << err;
  MergeStats stats;
  ASSERT_EQ(MergeStatus::kOk,
            merger->MergeFile(dir.File("a.db"), 0, &stats, &err))
      << err;
  EXPECT_EQ(MergeStatus::kBadInput,
            merger->MergeFile(dir.File("b.db"), 0, &stats, &err));
  EXPECT_EQ(dir.File("b.db") +
                ": run 1: task 't' has content hash h2, run 1 of the output "
                "h1: the shards ran different versions of the suite",
            err);
  EXPECT_EQ(MergeStatus::kBadInput,
            merger->MergeFile(dir.File("c.db"), 0, &stats, &err));
  EXPECT_EQ(dir.File("c.db") +
                ": run 1 was recorded by endstate 0.2.0, run 1 of the output "
                "by endstate 0.1.0: the shards of one run must come from one "
                "version",
            err);
  // Refused inputs left nothing behind; half the group is still running.
  EXPECT_EQ(1, Int(dir.File("out.db"), "SELECT count(*) FROM attempts"));
  EXPECT_EQ(1, Int(dir.File("out.db"),
                   "SELECT count(*) FROM runs WHERE status = 'running'"));
  ASSERT_EQ(MergeStatus::kOk,
            merger->MergeFile(dir.File("d.db"), 0, &stats, &err))
      << err;
  EXPECT_EQ(2, Int(dir.File("out.db"), "SELECT count(*) FROM attempts"));
  EXPECT_EQ(1, Int(dir.File("out.db"),
                   "SELECT count(*) FROM runs WHERE status = 'finished' AND "
                   "json_extract(config_json, '$.shard') IS NULL AND "
                   "json_array_length(config_json, '$.merge.sources') = 2"));
  EXPECT_EQ(MergeStatus::kBadInput,
            merger->MergeFile(dir.File("a.db"), 7, &stats, &err));
  EXPECT_EQ(dir.File("a.db") + ": no run with id 7", err);
  EXPECT_EQ(MergeStatus::kBadInput,
            merger->MergeFile(dir.File("out.db"), 0, &stats, &err));
  EXPECT_EQ(dir.File("out.db") + ": is the output database itself", err);
}

}  // namespace
}  // namespace endstate::results
