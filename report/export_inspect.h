// `endstate export --format inspect` (docs/export.md, "Inspect AI"): the
// attempts of one model in one run as one Inspect AI eval log (the JSON
// log format, version 2, that `inspect view` and
// inspect_ai.log.read_eval_log open). One task of the suite is one Inspect
// sample; an epoch is its epoch (Inspect counts from 1); the end-state
// verdict is the score "end_state" ("C" passed, "I" failed; an errored
// attempt has no score and an `error`); the conversation is the sample's
// `messages` (system, user, assistant with tool_calls, tool). The mapping
// of every field is in docs/export.md. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/export_select.h"

namespace endstate::report {

// The eval log of `attempts` (all of model `model` of run `run`).
nlohmann::json InspectEvalLog(const results::ExportRunInfo& run,
                              const std::string& model,
                              const std::vector<results::Transcript>& attempts);

}  // namespace endstate::report
