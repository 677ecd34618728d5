// What `endstate export` exports (docs/export.md): the attempts of one run
// chosen by model, task and outcome (by default only the newest try of each
// (model, task, epoch) slot, as reports count them), or attempts by id; and
// the pieces of a transcript both export formats need (the system and user
// messages and the tool list of the first request, the run's metadata).
// Reads through read-only connections (results/transcript.h); never
// contends with a run that is writing.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "results/transcript.h"

namespace endstate::results {

struct ExportSelection {
  int64_t run = 0;                  // the run (ignored when attempts given)
  std::vector<int64_t> attempts{};  // explicit attempt ids, any runs
  std::string model{}, task{};      // "" = all
  std::string outcome{};            // passed | failed | error | "" = all
  bool all_tries = false;   // also tries superseded by a later try of a slot
  bool unfinished = false;  // also attempts still running (no outcome yet)
};

// The run an export comes from.
struct ExportRunInfo {
  int64_t id = 0;
  std::string started_at{}, finished_at{}, status{}, version{}, host{}, args{};
  std::string note{};
  std::map<std::string, std::string> labels{};
  struct Model {
    std::string provider{}, base_url{}, model{};
  };
  std::map<std::string, Model> models{};  // by models.name
  std::vector<std::string> task_ids{};    // tasks of the run, in order
  int max_epochs = 0;                     // over the run's attempts
};

// The selected attempt headers in id order. Fails with "no run 7 in x.db"
// or "no attempt 42 in x.db".
std::optional<std::vector<AttemptHeader>> SelectAttempts(
    RunReader& reader, const ExportSelection& selection, std::string* err);

// Run `run_id`'s metadata; fails with "no run 7 in x.db".
std::optional<ExportRunInfo> LoadExportRunInfo(RunReader& reader,
                                               int64_t run_id,
                                               std::string* err);

// The first request's messages of a transcript: the system prompt and the
// task instruction as the model saw them, and the tool definitions in the
// OpenAI shape. Both the OpenAI request body (`messages`, `tools`) and the
// Anthropic one (top-level `system`, `tools` with `input_schema`) are read;
// a request that is neither yields empty strings and an empty array.
struct FirstRequest {
  std::string system{}, user{};
  nlohmann::json tools = nlohmann::json::array();
};
FirstRequest ReadFirstRequest(const Transcript& t);

// The first check that did not pass, as "kind: detail" ("" when none).
std::string FirstProblemOf(const Transcript& t);

// "2025-06-01T12:00:00.123Z" -> "2025-06-01T12:00:00.123+00:00" (the
// offset form Python's datetime.fromisoformat reads before 3.11); other
// text unchanged.
std::string IsoWithOffset(const std::string& timestamp);

}  // namespace endstate::results
