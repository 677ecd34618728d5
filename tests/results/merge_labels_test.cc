// `endstate merge` keeps the labels of the shard runs (results/run_meta.h
// CopyRunLabels): the merged run carries them, the first shard's value wins
// a conflict.
#include <gtest/gtest.h>

#include "results/merge.h"
#include "results/run_meta.h"
#include "results/store.h"
#include "tests/results/temp_dir.h"

namespace endstate::results {
namespace {

// Shard `index` of 2 of group "g", labelled `labels`.
std::string Shard(const test::TempDir& dir, int index,
                  const std::map<std::string, std::string>& labels) {
  const std::string path = dir.File("shard" + std::to_string(index) + ".db");
  std::string err;
  auto store = Store::Open(path, &err);
  EXPECT_TRUE(store) << err;
  const int64_t run = store->BeginRun(
      {.config_json = R"({"shard":{"index":)" + std::to_string(index) +
                      R"(,"count":2,"group":"g","name":""}})",
       .version = "0.1.0",
       .host = "node" + std::to_string(index),
       .args = "endstate run",
       .labels = labels},
      &err);
  const int64_t model =
      store->AddModel(run, {.name = "m", .provider = "builtin"}, &err);
  const int64_t task = store->AddTask(
      run, {.id = "t", .title = "t", .level = "easy", .content_hash = "h"},
      &err);
  const int64_t a = store->BeginAttempt(run, model, task, index, &err);
  EXPECT_TRUE(store->FinishAttempt(a, {.outcome = Outcome::kPassed}, &err))
      << err;
  EXPECT_TRUE(store->FinishRun(run, &err)) << err;
  return path;
}

TEST(MergeLabelsTest, MergedRunCarriesTheShardLabels) {
  test::TempDir dir;
  const std::string a = Shard(dir, 0, {{"suite", "nightly"}, {"n", "0"}});
  const std::string b =
      Shard(dir, 1, {{"suite", "nightly"}, {"n", "1"}, {"extra", "x"}});
  std::string err;
  auto merger = Merger::Open(dir.File("out.db"), &err);
  ASSERT_TRUE(merger) << err;
  MergeStats stats;
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(a, 0, &stats, &err)) << err;
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(b, 0, &stats, &err)) << err;
  EXPECT_EQ(1, stats.runs_created);
  auto reader = test::OpenReader(dir.File("out.db"));
  auto meta = LoadRunMeta(reader, 1, &err);
  ASSERT_TRUE(meta) << err;
  EXPECT_EQ("extra=x,n=0,suite=nightly", LabelsText(meta->labels));
}

}  // namespace
}  // namespace endstate::results
