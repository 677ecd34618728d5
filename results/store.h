// The recorder: the only writer of the SQLite record of runs, attempts,
// turns, tool calls and checks (schema: results/schema.h, documented in
// docs/database.md); it creates and migrates the schema on open. Every write
// is committed at once (WAL), so a run killed at any moment loses at most
// the turn in flight. What it reads back is only what resuming a run needs;
// everything else reads through results/reader.h. Thread-safe: one
// connection guarded by a mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "results/outcome.h"

namespace endstate::results {

struct RunInfo {
  std::string config_json{};  // effective config, as JSON
  std::string version{};      // endstate version
  std::string host{};         // hostname
  std::string args{};         // command line
  uint64_t seed = 0;
  // `run --label KEY=VALUE` (table run_labels) and `run --note TEXT`
  // (runs.note); written with the run row, in the same transaction.
  std::map<std::string, std::string> labels{};
  std::string note{};
};

struct ModelInfo {
  std::string name{}, provider{}, base_url{}, model{};
  nlohmann::json sampling = nlohmann::json::object();
  nlohmann::json labels = nlohmann::json::object();
};

struct TaskInfo {
  std::string id{}, title{}, level{}, content_hash{};
};

struct ToolCallRecord {
  int index = 0;  // position within the turn
  std::string call_id{}, name{};
  std::string arguments_raw{};
  std::string error_kind{};  // "" when valid, else invalid_json, ...
  std::string result{};      // text returned to the model
  bool is_error = false;
  int exit_code = -1;
  double duration_ms = 0;
};

struct TurnRecord {
  int index = 0;  // 0-based assistant turn number within the attempt
  std::string raw_request{}, raw_response{};
  std::string content{}, reasoning{}, finish_reason{};
  int64_t prompt_tokens = -1, completion_tokens = -1;
  int64_t reasoning_tokens = -1;  // of completion_tokens; -1 = unknown
  double ttft_ms = -1, duration_ms = 0;
  int retries = 0;
  std::string leaked_markup{};  // "" or the markup kind found in content
  std::vector<ToolCallRecord> tool_calls{};
};

struct CheckRecord {
  int index = 0;
  std::string kind{};
  std::string spec_json{};
  std::string verdict{};  // passed | failed | error
  std::string detail{};
  double duration_ms = 0;
};

struct AttemptOutcome {
  Outcome outcome = Outcome::kError;
  Termination termination = Termination::kNone;  // results/outcome.h
  std::string error{};                           // infrastructure error text
  int turns = 0;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  int64_t reasoning_tokens = 0;  // of completion_tokens
  int truncated_turns = 0;       // replies cut at the per-turn token cap
  double wall_ms = 0, model_ms = 0, tool_ms = 0, grade_ms = 0;
};

class Store {
 public:
  // Opens or creates the database at `path`, migrating the schema in place.
  // Returns nullptr and sets *err ("cannot open /x.db: ...") on failure.
  static std::unique_ptr<Store> Open(const std::string& path, std::string* err);
  virtual ~Store() = default;

  // Each returns the new row id, or -1 and sets *err. BeginRun also records
  // this process's pid with RunInfo::host (runs.pid, runs.pid_host), by
  // which readers tell a killed run from a running one.
  [[nodiscard]] virtual int64_t BeginRun(const RunInfo& run,
                                         std::string* err) = 0;
  // Returns the id of the model row for (run, name), inserting it once.
  [[nodiscard]] virtual int64_t AddModel(int64_t run_id, const ModelInfo& m,
                                         std::string* err) = 0;
  [[nodiscard]] virtual int64_t AddTask(int64_t run_id, const TaskInfo& t,
                                        std::string* err) = 0;
  // Creates an attempt in state "running".
  [[nodiscard]] virtual int64_t BeginAttempt(int64_t run_id, int64_t model_id,
                                             int64_t task_id, int epoch,
                                             std::string* err) = 0;
  // Commits one turn and its tool calls in one transaction.
  [[nodiscard]] virtual bool RecordTurn(int64_t attempt_id,
                                        const TurnRecord& turn,
                                        std::string* err) = 0;
  [[nodiscard]] virtual bool RecordChecks(
      int64_t attempt_id, const std::vector<CheckRecord>& checks,
      std::string* err) = 0;
  [[nodiscard]] virtual bool FinishAttempt(int64_t attempt_id,
                                           const AttemptOutcome& o,
                                           std::string* err) = 0;
  [[nodiscard]] virtual bool FinishRun(int64_t run_id, std::string* err) = 0;

  // Number of turns recorded for an attempt (tests, resume).
  [[nodiscard]] virtual int64_t CountTurns(int64_t attempt_id,
                                           std::string* err) = 0;

  // Links attempt `attempt_id` to the attempt it continues (`endstate replay
  // --from-turn`, in another run): sets its parent_attempt_id. Fails ("no
  // attempt with id 42") when either attempt is missing.
  [[nodiscard]] virtual bool SetParentAttempt(int64_t attempt_id,
                                              int64_t parent_attempt_id,
                                              std::string* err) = 0;

  // Starts a new try of a finished attempt (after an infrastructure error):
  // a "running" attempt for the same run, model, task and epoch, with
  // parent_attempt_id = `parent_attempt_id` and try = the parent's try + 1.
  // The parent stays as it is (errors are always shown). Returns the new id,
  // or -1 and sets *err ("no attempt with id 42").
  [[nodiscard]] virtual int64_t BeginRetry(int64_t parent_attempt_id,
                                           std::string* err) = 0;

  // Every attempt of a run, for resume: a killed run is finished by running
  // the (model, task, epoch) slots whose newest try is not "finished".
  struct AttemptRow {
    int64_t id = 0;
    std::string model{}, task{};  // models.name, tasks.task_id
    int epoch = 0;
    int try_number = 1;                // 1 = first try
    std::string status{};              // running | finished
    std::optional<Outcome> outcome{};  // nullopt while running (or unknown)
    // kNone while running; kInterrupted when abandoned by resume
    // (AbandonAttempt). Text this version does not know reads as kNone.
    Termination termination = Termination::kNone;
    int64_t parent_attempt_id = 0;  // 0 = first try
  };
  // Ordered by attempt id. An unknown run yields an empty vector.
  [[nodiscard]] virtual std::optional<std::vector<AttemptRow>> ListAttempts(
      int64_t run_id, std::string* err) = 0;

  // --- Resume (evaluator/cmd_run.cc, docs/cli.md "Resuming a run") ---

  struct RunRow {
    int64_t id = 0;
    RunInfo info{};
    std::string status{};                     // running | finished
    std::string started_at{}, finished_at{};  // finished_at "" while running
  };
  // One run, or nullopt and *err = "no run with id 7".
  [[nodiscard]] virtual std::optional<RunRow> GetRun(int64_t run_id,
                                                     std::string* err) = 0;
  // The models and tasks rows of a run, ordered by insertion (row id).
  struct ModelRow {
    int64_t id = 0;
    ModelInfo info{};
  };
  struct TaskRow {
    int64_t id = 0;
    TaskInfo info{};
  };
  [[nodiscard]] virtual std::optional<std::vector<ModelRow>> ListModels(
      int64_t run_id, std::string* err) = 0;
  [[nodiscard]] virtual std::optional<std::vector<TaskRow>> ListTasks(
      int64_t run_id, std::string* err) = 0;
  // Marks an attempt left "running" by a killed run as abandoned: status
  // finished, outcome error, termination "interrupted", error `reason`.
  // Its turns stay as recorded. Fails ("attempt 5 is not running") when the
  // attempt is unknown or already finished.
  [[nodiscard]] virtual bool AbandonAttempt(int64_t attempt_id,
                                            const std::string& reason,
                                            std::string* err) = 0;
  // Sets a finished or cancelled run back to "running" (finished_at and
  // cancelled_at NULL) while it is resumed, recording this process's pid
  // and host as the run's (runs.pid, runs.pid_host); FinishRun closes it
  // again.
  [[nodiscard]] virtual bool ReopenRun(int64_t run_id, std::string* err) = 0;
  // Marks a running run cancelled (runs.cancelled_at = now): it was stopped
  // by SIGINT or SIGTERM and can be resumed. Its status column stays
  // "running" (the v1 CHECK allows only running | finished); readers show
  // it as "cancelled" (results/run_status.h). Fails ("no running run with
  // id 7") when the run is unknown or finished.
  [[nodiscard]] virtual bool CancelRun(int64_t run_id, std::string* err) = 0;

  // Records something learnt about a model's server during the run
  // (table model_events, docs/database.md): kind "server_limits" (read by
  // the pre-flight), "concurrency_lowered" (the server's shared capacity
  // overflowed), "preflight_warning". Returns the row id, or -1 and *err.
  virtual int64_t RecordModelEvent(int64_t run_id, int64_t model_id,
                                   const std::string& kind,
                                   const nlohmann::json& detail,
                                   std::string* err) = 0;

  // Stores one probe measurement (speed, tool-call reliability); `model_id`
  // may be -1 for a run-wide probe. Returns the row id, or -1 and sets *err.
  [[nodiscard]] virtual int64_t RecordProbe(int64_t run_id, int64_t model_id,
                                            const std::string& kind,
                                            const nlohmann::json& settings,
                                            const nlohmann::json& measurements,
                                            std::string* err) = 0;
  // A managed server's start in a run (docs/servers.md): a servers row
  // filled from the provenance (started_at, ready_at, stopped_at, error
  // keys become columns). Returns the row id, -1 with *err on failure.
  [[nodiscard]] virtual int64_t RecordServer(int64_t run_id, int64_t model_id,
                                             const nlohmann::json& provenance,
                                             std::string* err) = 0;
  // Rewrites row `server_id` from the provenance as it is now (stopped).
  [[nodiscard]] virtual bool UpdateServer(int64_t server_id,
                                          const nlohmann::json& provenance,
                                          std::string* err) = 0;
};

}  // namespace endstate::results
