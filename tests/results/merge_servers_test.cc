// `endstate merge` copies the `servers` and `model_events` rows of the shard
// runs (results/merge.h): run and model ids remapped, once however often an
// input is merged, a server start merged while running completed later, and
// inputs older than the tables merged without them.
#include <gtest/gtest.h>

#include "results/merge.h"
#include "results/store.h"
#include "tests/results/temp_dir.h"

namespace endstate::results {
namespace {

// Every row of `sql` as "a|b|c" lines (NULL as "-").
std::string Rows(const std::string& db, const std::string& sql) {
  std::string err;
  auto d = Db::OpenReadOnly(db, &err);
  EXPECT_TRUE(d) << err;
  if (!d) return "";
  auto s = Stmt::Prepare(*d, sql, &err);
  EXPECT_TRUE(s) << err;
  if (!s) return "";
  std::string out;
  while (s->Step(&err) == Stmt::StepResult::kRow) {
    for (int i = 0; i < sqlite3_column_count(s->get()); ++i) {
      out += (i ? "|" : "") + (s->IsNull(i) ? "-" : s->Text(i));
    }
    out += "\n";
  }
  return out;
}

struct Shard {
  std::string path;
  std::unique_ptr<Store> store{};
  int64_t server = 0;
};

// Shard `index` of 2 of group "g" with models "m" and "n"; the server of
// "n" started (stopped unless `running`) and a capacity event of "n".
Shard MakeShard(const test::TempDir& dir, int index, bool running) {
  Shard s{.path = dir.File("shard" + std::to_string(index) + ".db"),
          .store = nullptr};
  std::string err;
  s.store = Store::Open(s.path, &err);
  EXPECT_TRUE(s.store) << err;
  const int64_t run = s.store->BeginRun(
      {.config_json = R"({"shard":{"index":)" + std::to_string(index) +
                      R"(,"count":2,"group":"g","name":""}})",
       .version = "0.1.0",
       .host = "node" + std::to_string(index),
       .args = "endstate run"},
      &err);
  s.store->AddModel(run, {.name = "m", .provider = "builtin"}, &err);
  const int64_t n =
      s.store->AddModel(run, {.name = "n", .provider = "builtin"}, &err);
  const int64_t task = s.store->AddTask(
      run, {.id = "t", .title = "t", .level = "easy", .content_hash = "h"},
      &err);
  const int64_t a = s.store->BeginAttempt(run, n, task, index, &err);
  EXPECT_TRUE(s.store->FinishAttempt(a, {.outcome = Outcome::kPassed}, &err))
      << err;
  nlohmann::json p = {
      {"started_at", "2026-01-0" + std::to_string(index + 1) + "T00:00:00Z"},
      {"ready_at", "2026-01-0" + std::to_string(index + 1) + "T00:01:00Z"},
      {"pid", 100 + index}};
  if (!running)
    p["stopped_at"] = "2026-01-0" + std::to_string(index + 1) + "T01:00:00Z";
  s.server = s.store->RecordServer(run, n, p, &err);
  EXPECT_GT(s.server, 0) << err;
  EXPECT_GT(s.store->RecordModelEvent(run, n, "concurrency_lowered",
                                      {{"from", 0}, {"to", index + 1}}, &err),
            0)
      << err;
  EXPECT_TRUE(s.store->FinishRun(run, &err)) << err;
  return s;
}

// OUT with one unrelated run (model "x") merged first, so the shard run
// becomes run 2 and its models "m" and "n" models 2 and 3.
std::unique_ptr<Merger> OutWithOtherRun(const test::TempDir& dir) {
  std::string err;
  {
    auto other = Store::Open(dir.File("other.db"), &err);
    EXPECT_TRUE(other) << err;
    const int64_t run = other->BeginRun(
        {.config_json = "{}", .version = "0.1.0", .host = "h", .args = "a"},
        &err);
    other->AddModel(run, {.name = "x", .provider = "builtin"}, &err);
    EXPECT_TRUE(other->FinishRun(run, &err)) << err;
  }
  auto merger = Merger::Open(dir.File("out.db"), &err);
  EXPECT_TRUE(merger) << err;
  MergeStats stats;
  EXPECT_EQ(MergeStatus::kOk,
            merger->MergeFile(dir.File("other.db"), 0, &stats, &err))
      << err;
  return merger;
}

constexpr const char* kServers =
    "SELECT id, run_id, model_id, started_at, ready_at, stopped_at, error, "
    "provenance_json FROM servers ORDER BY id";
constexpr const char* kEvents =
    "SELECT id, run_id, model_id, kind, detail_json, created_at FROM "
    "model_events ORDER BY id";

TEST(MergeServersTest, CopiesServersAndModelEventsOnceWithIdsRemapped) {
  test::TempDir dir;
  Shard a = MakeShard(dir, 0, /*running=*/true);
  Shard b = MakeShard(dir, 1, /*running=*/false);
  const std::string created_a =
      Rows(a.path, "SELECT created_at FROM model_events");
  const std::string created_b =
      Rows(b.path, "SELECT created_at FROM model_events");
  ASSERT_EQ(25u, created_a.size()) << created_a;  // 2026-...Z and "\n"
  auto merger = OutWithOtherRun(dir);
  ASSERT_TRUE(merger);
  std::string err;
  MergeStats stats;
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(a.path, 0, &stats, &err))
      << err;
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(b.path, 0, &stats, &err))
      << err;
  const std::string out = dir.File("out.db");
  EXPECT_EQ(
      "1|2|3|2026-01-01T00:00:00Z|2026-01-01T00:01:00Z|-|-|"
      R"({"pid":100,"ready_at":"2026-01-01T00:01:00Z",)"
      R"("started_at":"2026-01-01T00:00:00Z"})"
      "\n"
      "2|2|3|2026-01-02T00:00:00Z|2026-01-02T00:01:00Z|"
      "2026-01-02T01:00:00Z|-|"
      R"({"pid":101,"ready_at":"2026-01-02T00:01:00Z",)"
      R"("started_at":"2026-01-02T00:00:00Z",)"
      R"("stopped_at":"2026-01-02T01:00:00Z"})"
      "\n",
      Rows(out, kServers));
  const std::string events =
      R"(1|2|3|concurrency_lowered|{"from":0,"to":1}|)" + created_a +
      R"(2|2|3|concurrency_lowered|{"from":0,"to":2}|)" + created_b;
  EXPECT_EQ(events, Rows(out, kEvents));
  EXPECT_EQ("n\n", Rows(out,
                        "SELECT DISTINCT m.name FROM servers s JOIN models m "
                        "ON m.id = s.model_id AND m.run_id = s.run_id"));

  // Merging both again adds nothing.
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(a.path, 0, &stats, &err))
      << err;
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(b.path, 0, &stats, &err))
      << err;
  EXPECT_EQ("2\n", Rows(out, "SELECT count(*) FROM servers"));
  EXPECT_EQ(events, Rows(out, kEvents));

  // Shard 0 was merged while its server ran; once it stopped, merging it
  // again completes OUT's row in place.
  ASSERT_TRUE(a.store->UpdateServer(a.server,
                                    {{"started_at", "2026-01-01T00:00:00Z"},
                                     {"ready_at", "2026-01-01T00:01:00Z"},
                                     {"stopped_at", "2026-01-01T02:00:00Z"},
                                     {"pid", 100}},
                                    &err))
      << err;
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(a.path, 0, &stats, &err))
      << err;
  EXPECT_EQ("1|2|3|2026-01-01T02:00:00Z\n2|2|3|2026-01-02T01:00:00Z\n",
            Rows(out,
                 "SELECT id, run_id, model_id, stopped_at FROM servers "
                 "ORDER BY id"));
  EXPECT_EQ(events, Rows(out, kEvents));
}

TEST(MergeServersTest, StartsRefusedByThePreflightAreMatchedByProvenance) {
  test::TempDir dir;
  Shard s = MakeShard(dir, 0, /*running=*/false);
  std::string err;
  for (const char* e :
       {"memory pre-flight: 2 GB free", "memory pre-flight: 3 GB free"}) {
    ASSERT_GT(s.store->RecordServer(1, 1, {{"error", e}}, &err), 0) << err;
  }
  auto merger = OutWithOtherRun(dir);
  ASSERT_TRUE(merger);
  MergeStats stats;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(s.path, 0, &stats, &err))
        << err;
  }
  EXPECT_EQ(
      "2|3|2026-01-01T00:00:00Z|-\n"
      "2|2|-|memory pre-flight: 2 GB free\n"
      "2|2|-|memory pre-flight: 3 GB free\n",
      Rows(dir.File("out.db"),
           "SELECT run_id, model_id, started_at, error FROM servers ORDER BY "
           "id"));
}

TEST(MergeServersTest, InputOlderThanTheTablesMergesWithoutThem) {
  test::TempDir dir;
  std::string path;
  {
    Shard s = MakeShard(dir, 0, /*running=*/false);
    path = s.path;
  }
  std::string err;
  {
    auto db = Db::Open(path, &err);
    ASSERT_TRUE(db) << err;
    ASSERT_TRUE(db->Exec(
        "DROP TABLE servers; DROP TABLE model_events; PRAGMA user_version = 2",
        &err))
        << err;
  }
  auto merger = OutWithOtherRun(dir);
  ASSERT_TRUE(merger);
  MergeStats stats;
  ASSERT_EQ(MergeStatus::kOk, merger->MergeFile(path, 0, &stats, &err)) << err;
  const std::string out = dir.File("out.db");
  EXPECT_EQ("1\n", Rows(out, "SELECT count(*) FROM attempts"));
  EXPECT_EQ("0|0\n", Rows(out,
                          "SELECT (SELECT count(*) FROM servers), (SELECT "
                          "count(*) FROM model_events)"));
}

}  // namespace
}  // namespace endstate::results
