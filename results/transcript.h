// Read side of the record: one attempt as a person (show, HTML report) or a
// tool (replay) reads it, through the read-only RunReader
// (results/reader.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/reader.h"
#include "results/store.h"

namespace endstate::results {

struct AttemptHeader {
  int64_t id = 0, run_id = 0;
  std::string model{}, task{}, task_title{};  // models.name, tasks.task_id
  int epoch = 0;
  int try_number = 1;
  int64_t parent_attempt_id = 0;  // 0 = none
  std::string status{}, outcome{}, termination{}, error{};
  int turns = 0;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  double wall_ms = 0, model_ms = 0, tool_ms = 0, grade_ms = 0;
  std::string started_at{}, finished_at{};
};

struct Transcript {
  AttemptHeader attempt;
  std::vector<TurnRecord> turns{};    // by index, with their tool calls
  std::vector<CheckRecord> checks{};  // by index
};

// Loads attempt `attempt_id` from the database at `db_path`. Returns nullopt
// and sets *err ("no attempt 42 in x.db") when missing or unreadable.
std::optional<Transcript> LoadTranscript(RunReader& reader, int64_t attempt_id,
                                         std::string* err);

// Headers of a run's attempts, ordered by id; filters are ignored when
// empty (outcome: passed|failed|error; "failed" also matches "error" only
// when failed_or_error is set).
struct AttemptFilter {
  std::string model{}, task{}, outcome{};
  bool failed_or_error = false;
};
std::optional<std::vector<AttemptHeader>> ListAttemptHeaders(
    RunReader& reader, int64_t run_id, const AttemptFilter& filter,
    std::string* err);

// The user message that opened the conversation, read from the first
// turn's raw request (OpenAI body: the first message with role "user");
// "" when there is no turn or the request cannot be read.
std::string RecordedInstruction(const Transcript& t);

// The system prompt of the first turn's raw request, or "".
std::string RecordedSystemPrompt(const Transcript& t);

}  // namespace endstate::results
