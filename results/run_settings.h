// The settings a run ran with, read back from runs.config_json for `runs
// --json` and `report --format json` (docs/database.md, "config_json"): the
// effective run settings and which of them came from the command line
// (`run --set`, `--max-turns`, `--temperature`, `--max-tokens`; recorded
// by evaluator/overrides.h). Read with the caller's connection; never
// writes. Not thread-safe beyond what the reader is.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "results/reader.h"

namespace endstate::results {

// {"epochs": 3, "concurrency": 4, "seed": 0, "limits": {"max_turns": 1},
//  "sampling": {"qwen": {"temperature": 0.2}},
//  "overrides": [{"flag": "--max-turns 1", "key": "run.limits.max_turns",
//  "value": 1}]}: the effective values (from config_json "resume", else
// its top level; `limits` only holds the caps that were set; `sampling` is
// each model's as recorded, by name, absent without "resume"),
// `overrides` [] when none. A config_json that is not a JSON object (older or
// foreign runs) gives {"overrides": []}. Returns nullopt and sets *err when the
// run cannot be read ("no run 7").
std::optional<nlohmann::json> LoadRunSettings(RunReader& reader, int64_t run,
                                              std::string* err);

// The same, from a config_json text already read.
nlohmann::json RunSettingsJson(const std::string& config_json);

}  // namespace endstate::results
