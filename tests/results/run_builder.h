// Builds result databases attempt by attempt through the real Store, for
// tests of statistics, report formats and `endstate compare`.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "results/reader.h"
#include "results/store.h"

namespace endstate::results::test {

struct AttemptSpec {
  std::string termination = "agent_stop";
  int turns = 2;
  int64_t prompt_tokens = 100, completion_tokens = 20;
  double wall_ms = 1000;
  std::vector<std::string> call_errors{};  // one tool call each; "" valid
  std::string failed_check{};              // detail of a failing check, if any
  std::string failed_check_name{};         // its task.yaml `name`, if any
  std::string error{};                     // infrastructure error text
};

class RunBuilder {
 public:
  explicit RunBuilder(const std::string& path) {
    store_ = Store::Open(path, &err_);
    EXPECT_TRUE(store_) << err_;
  }
  Store& store() { return *store_; }

  // Starts a new run; models and tasks are then added by name on first use.
  int64_t NewRun(const std::map<std::string, std::string>& labels = {},
                 const std::string& args = "endstate run",
                 const std::string& note = "") {
    run_ = store_->BeginRun({.config_json = "{}",
                             .version = "0.1.0",
                             .host = "box",
                             .args = args,
                             .seed = 0,
                             .labels = labels,
                             .note = note},
                            &err_);
    EXPECT_GT(run_, 0) << err_;
    models_.clear();
    tasks_.clear();
    return run_;
  }
  int64_t run() const { return run_; }

  int64_t Model(const std::string& name) {
    auto [it, fresh] = models_.try_emplace(name, 0);
    if (fresh) {
      it->second = store_->AddModel(
          run_, {.name = name, .provider = "builtin", .model = name}, &err_);
      EXPECT_GT(it->second, 0) << err_;
    }
    return it->second;
  }
  int64_t Task(const std::string& id, const std::string& hash = "h") {
    auto [it, fresh] = tasks_.try_emplace(id, 0);
    if (fresh) {
      it->second = store_->AddTask(
          run_, {.id = id, .title = id, .level = "easy", .content_hash = hash},
          &err_);
      EXPECT_GT(it->second, 0) << err_;
    }
    return it->second;
  }

  using Spec = AttemptSpec;
  // One finished attempt (outcome passed | failed | error), or a running
  // one when outcome is "".
  int64_t Attempt(const std::string& model, const std::string& task, int epoch,
                  const std::string& outcome, const Spec& s) {
    int64_t id =
        store_->BeginAttempt(run_, Model(model), Task(task), epoch, &err_);
    EXPECT_GT(id, 0) << err_;
    return Finish(id, outcome, s);
  }
  int64_t Attempt(const std::string& model, const std::string& task, int epoch,
                  const std::string& outcome) {
    return Attempt(model, task, epoch, outcome, Spec{});
  }
  // A retry of `parent` that ends in `outcome`.
  int64_t Retry(int64_t parent, const std::string& outcome,
                const Spec& s = Spec{}) {
    int64_t id = store_->BeginRetry(parent, &err_);
    EXPECT_GT(id, 0) << err_;
    return Finish(id, outcome, s);
  }

 private:
  int64_t Finish(int64_t id, const std::string& outcome, const Spec& s) {
    if (!s.call_errors.empty()) {
      TurnRecord turn{.index = 0, .content = "ok"};
      for (size_t i = 0; i < s.call_errors.size(); ++i) {
        turn.tool_calls.push_back({.index = static_cast<int>(i),
                                   .call_id = "c" + std::to_string(i),
                                   .name = "shell",
                                   .arguments_raw = "{}",
                                   .error_kind = s.call_errors[i]});
      }
      EXPECT_TRUE(store_->RecordTurn(id, turn, &err_)) << err_;
    }
    if (!s.failed_check.empty()) {
      EXPECT_TRUE(store_->RecordChecks(
          id,
          {{.index = 0, .kind = "file", .verdict = "passed", .detail = "ok"},
           {.index = 1,
            .kind = "html",
            .spec_json = s.failed_check_name.empty()
                             ? "{\"kind\":\"html\"}"
                             : "{\"kind\":\"html\",\"name\":\"" +
                                   s.failed_check_name + "\"}",
            .verdict = "failed",
            .detail = s.failed_check}},
          &err_))
          << err_;
    }
    if (outcome.empty()) return id;
    EXPECT_TRUE(store_->FinishAttempt(
        id,
        {.outcome = *::endstate::results::ParseOutcome(outcome),
         .termination = *ParseTermination(outcome == "error" &&
                                                  s.termination == "agent_stop"
                                              ? "model_error"
                                              : s.termination),
         .error =
             outcome == "error" && s.error.empty() ? "endpoint down" : s.error,
         .turns = s.turns,
         .prompt_tokens = s.prompt_tokens,
         .completion_tokens = s.completion_tokens,
         .wall_ms = s.wall_ms},
        &err_))
        << err_;
    return id;
  }

  std::string err_;
  std::unique_ptr<Store> store_;
  int64_t run_ = 0;
  std::map<std::string, int64_t> models_, tasks_;
};

// Run `run` of the database at `path` as `report` reads it (RunReader::Load
// with every option); a failed open or load fails the test.
inline RunData LoadRunData(const std::string& path, int64_t run) {
  std::string err;
  auto reader = RunReader::Open(path, &err);
  EXPECT_TRUE(reader) << err;
  auto data = reader ? reader->Load(run, &err) : std::nullopt;
  EXPECT_TRUE(data) << err;
  return data.value_or(RunData{});
}

}  // namespace endstate::results::test
