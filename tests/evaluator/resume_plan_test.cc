// Which slots `run --resume` runs again, and as which try.
#include <gtest/gtest.h>

#include "evaluator/resume.h"
#include "evaluator/run_state.h"

namespace endstate::evaluator {
namespace {

using Row = results::Store::AttemptRow;

Row R(int64_t id, const std::string& model, int epoch,
      const std::string& status, const std::string& outcome = "",
      const std::string& termination = "agent_stop") {
  return {.id = id,
          .model = model,
          .task = "t",
          .epoch = epoch,
          .status = status,
          .outcome = results::ParseOutcome(outcome),
          .termination = *results::ParseTermination(
              status == "running" ? "" : termination)};
}

std::string Describe(const ResumePlan& p) {
  std::string s;
  for (const auto& w : p.work) {
    s += "m" + std::to_string(w.slot.model) + "e" +
         std::to_string(w.slot.epoch) + "<" +
         std::to_string(w.parent_attempt_id) + "," +
         std::to_string(w.error_tries) + "> ";
  }
  s += "abandon";
  for (int64_t id : p.abandon) s += " " + std::to_string(id);
  return s + " | kept " + std::to_string(p.kept) + " interrupted " +
         std::to_string(p.interrupted) + " retried " +
         std::to_string(p.retried) + " missing " + std::to_string(p.missing);
}

TEST(PlanResume, KeepsFinishedRerunsInterruptedAndFillsMissing) {
  // 2 models x 1 task x 3 epochs.
  auto plan = MakePlan(2, 1, 3);
  std::vector<Row> rows = {
      R(1, "a", 0, "finished", "passed"),
      R(2, "b", 0, "finished", "failed"),
      R(3, "a", 1, "running"),
      R(4, "b", 1, "finished", "error", "interrupted"),  // abandoned before
      R(5, "a", 2, "finished", "error", "model_error"),
  };
  EXPECT_EQ(
      "m0e1<3,0> m1e1<4,0> m1e2<0,0> abandon 3 | kept 3 interrupted 2 "
      "retried 0 missing 1",
      Describe(PlanResume(plan, {"a", "b"}, {"t"}, rows, 0)));
}

// Issue 12: a try that crashed the harness (e.g. on what the agent left)
// was replayed by every --resume, crashing it again. After two interrupted
// tries the slot is given up: its running try is abandoned for good.
TEST(PlanResume, HostileSlotInterruptedTwiceIsGivenUp) {
  auto plan = MakePlan(1, 1, 2);
  std::vector<Row> rows = {
      R(1, "a", 0, "finished", "error", "interrupted"),  // first crash
      R(2, "a", 0, "running"),                           // second crash
      R(3, "a", 1, "running"),                           // first crash
  };
  ResumePlan p = PlanResume(plan, {"a"}, {"t"}, rows, 0);
  EXPECT_EQ("m0e1<3,0> abandon 3 | kept 0 interrupted 1 retried 0 missing 0",
            Describe(p));
  EXPECT_EQ(std::vector<int64_t>{2}, p.abandon_for_good);
  EXPECT_EQ(1, p.given_up);
  // The next resume leaves the given-up slot alone.
  rows[1] = R(2, "a", 0, "finished", "error", "interrupted");
  rows[2] = R(3, "a", 1, "finished", "passed");
  p = PlanResume(plan, {"a"}, {"t"}, rows, 0);
  EXPECT_EQ("abandon | kept 1 interrupted 0 retried 0 missing 0", Describe(p));
  EXPECT_EQ(1, p.given_up);
  EXPECT_TRUE(p.abandon_for_good.empty());
}

// Issue 15: tries cancelled by a stopped run (Ctrl-C) are no results and
// never count towards the two-interrupted-tries rule nor the error budget:
// a slot cancelled any number of times, with one harness death among
// them, still runs again, with no error try counted.
TEST(PlanResume, CancelledTriesNeitherGiveUpNorSpendRetries) {
  auto plan = MakePlan(1, 1, 2);
  std::vector<Row> rows = {
      R(1, "a", 0, "finished", "error", "cancelled"),
      R(2, "a", 0, "finished", "error", "interrupted"),  // a harness death
      R(3, "a", 0, "finished", "error", "cancelled"),
      R(4, "a", 0, "running"),  // a second harness death
      R(5, "a", 1, "finished", "error", "cancelled"),
      R(6, "a", 1, "finished", "error", "cancelled"),
  };
  ResumePlan p = PlanResume(plan, {"a"}, {"t"}, rows, 0);
  // Slot e0: interrupted twice (2 and 4) -> given up; e1: run again.
  EXPECT_EQ("m0e1<6,0> abandon | kept 0 interrupted 1 retried 0 missing 0",
            Describe(p));
  EXPECT_EQ(std::vector<int64_t>{4}, p.abandon_for_good);
  rows[3] = R(4, "a", 0, "finished", "error", "cancelled");
  p = PlanResume(plan, {"a"}, {"t"}, rows, 0);
  EXPECT_EQ(
      "m0e0<4,0> m0e1<6,0> abandon | kept 0 interrupted 2 retried 0 missing 0",
      Describe(p));
  EXPECT_EQ(0, p.given_up);
}

TEST(PlanResume, RetryBudgetCountsErrorsOverAllTries) {
  auto plan = MakePlan(1, 1, 2);
  std::vector<Row> rows = {
      R(1, "a", 0, "finished", "error", "model_error"),
      R(2, "a", 0, "finished", "error", "interrupted"),  // not counted
      R(3, "a", 0, "finished", "error", "sandbox_error"),
      R(4, "a", 1, "finished", "error", "model_error"),
  };
  // No retries wanted: both errors are kept as they are.
  EXPECT_EQ("abandon | kept 2 interrupted 0 retried 0 missing 0",
            Describe(PlanResume(plan, {"a"}, {"t"}, rows, 0)));
  // One retry per slot: epoch 0 has had its retry already.
  EXPECT_EQ("m0e1<4,1> abandon | kept 1 interrupted 0 retried 1 missing 0",
            Describe(PlanResume(plan, {"a"}, {"t"}, rows, 1)));
  EXPECT_EQ(
      "m0e0<3,2> m0e1<4,1> abandon | kept 0 interrupted 0 retried 2 "
      "missing 0",
      Describe(PlanResume(plan, {"a"}, {"t"}, rows, 2)));
  EXPECT_TRUE(ShouldRetry(1, 1));
  EXPECT_FALSE(ShouldRetry(2, 1));
  EXPECT_FALSE(ShouldRetry(1, 0));
}

TEST(RunState, RoundTripsEveryField) {
  RunState s;
  s.tasks_dir = "/suite";
  models::ModelConfig m;
  m.name = "q";
  m.provider = "openai";
  m.base_url = "http://h/v1";
  m.model = "qwen";
  m.api_key_env = "KEY";
  m.stream = true;
  m.sampling = {{"temperature", 0.2}};
  m.extra = {{"top_k", 20}};
  m.labels = {{"quant", "nvfp4"}};
  m.max_connections = 3;
  m.request_timeout = std::chrono::seconds(9);
  m.retry.max_tries = 1;
  m.retry.initial_backoff = std::chrono::milliseconds(7);
  s.models = {m};
  s.config.system_prompt = "sys";
  s.config.epochs = 3;
  s.config.seed = 11;
  s.config.limits.max_turns = 4;
  s.config.shell.max_pids = 64;
  s.config.shell.max_total_memory_bytes = 512ull << 20;
  s.config.shell.max_world_bytes = 32ull << 20;
  RunState back;
  std::string err;
  ASSERT_TRUE(ParseRunState(RunStateJson(s), &back, &err)) << err;
  EXPECT_EQ(RunStateJson(s), RunStateJson(back));
  EXPECT_EQ("KEY", back.models[0].api_key_env);
  EXPECT_EQ(std::chrono::milliseconds(9000), back.models[0].request_timeout);
  EXPECT_EQ(1, back.models[0].retry.max_tries);
  EXPECT_EQ(4, back.config.limits.max_turns);
  EXPECT_FALSE(back.config.limits.timeout_s);
  EXPECT_EQ(512ull << 20, back.config.shell.max_total_memory_bytes);
  EXPECT_EQ(32ull << 20, back.config.shell.max_world_bytes);

  nlohmann::json bad = RunStateJson(s);
  bad["models"][0]["base_url"] = 5;
  EXPECT_FALSE(ParseRunState(bad, &back, &err));
  EXPECT_EQ(0u, err.find("resume.models[0]: ")) << err;
}

}  // namespace
}  // namespace endstate::evaluator
