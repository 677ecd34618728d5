// How `endstate show` (and `endstate replay`) present a recorded attempt:
// the transcript as a person reads it, and a stable JSON form for tools.
// Formats: docs/cli.md ("endstate show"). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/failed_checks.h"
#include "results/transcript.h"

namespace endstate::cli {

struct ViewOptions {
  bool color = false;  // ANSI colors (cli/terminal.h UseColor)
  bool full = false;   // no folding of reasoning, no truncation of results
  size_t max_result_bytes = 1500;  // longer tool results are cut here
  int max_reasoning_lines = 8;     // longer reasoning is folded to
  int folded_reasoning_lines = 4;  // this many lines + "[... N more lines]"
};

// The whole transcript as text: header, instruction, turns, checks.
std::string RenderTranscript(const results::Transcript& t,
                             const ViewOptions& o);

// One check as a line "  FAIL  kind  name: detail" (name from the spec's
// "name" field when present), newline-terminated.
std::string RenderCheck(const results::CheckRecord& c, bool color);

// The stable JSON form (`show --json`); raw request/response bodies only
// when `raw`.
nlohmann::json TranscriptJson(const results::Transcript& t, bool raw);

// The checks that did not pass, as JSON: [{"check" (number, from 1), "kind",
// "name" (null when none), "label", "verdict", "detail"}].
nlohmann::json FailedChecksJson(
    const std::vector<results::FailedCheck>& checks);

// The header of an attempt as JSON (also one element of `attempts --json`).
nlohmann::json AttemptHeaderJson(const results::AttemptHeader& a);

}  // namespace endstate::cli
