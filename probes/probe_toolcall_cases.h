// The bundled cases of the tool-call probe (evaluator/probe.h,
// docs/probes.md "Tool calls") and the rules that judge one model reply
// against a case. Pure functions over values: no I/O, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/message.h"
#include "models/tool_schema.h"

namespace endstate::probes {

// One request of the probe: the model is offered `tools` (2-4, exactly one
// of them named `expected_tool`) and asked to call that tool with exactly
// `expected_args`.
struct ToolCallCase {
  std::string id;      // stable, e.g. "nested_objects" (stored per call)
  std::string covers;  // what the case exercises, for people
  std::vector<models::ToolSchema> tools;
  std::string expected_tool;
  nlohmann::json expected_args;  // a JSON object valid for the schema
};

// The cases in their fixed order (the probe cycles through them). Built once
// on first use; the reference stays valid for the life of the program.
const std::vector<ToolCallCase>& ToolCallCases();

// The system prompt of every request, and the one user message of a case:
// it names the tool and gives the expected arguments as compact JSON
// (expected_args.dump()), so the values are unambiguous.
extern const char kToolCallSystemPrompt[];
std::string ToolCallPrompt(const ToolCallCase& c);

// Returns "" when `got` carries the same values as `expected`, else the first
// difference, e.g. "field 'items[1].quantity': expected 10, got 1".
// Semantic equality: object key order is irrelevant but the key sets must
// be equal (an argument not asked for is a difference); numbers compare by
// value (3 == 3.0); strings byte for byte (no trimming, no case folding, no
// Unicode normalization); arrays in order; booleans and null exactly; a
// type change (3 vs "3") is a difference.
std::string CompareArguments(const nlohmann::json& expected,
                             const nlohmann::json& got);

// The verdict on one reply. error_kind is "" for a valid call, else one of
// "no_call", "leaked_markup", "invalid_json", "unknown_tool", "wrong_tool",
// "schema_violation", "wrong_values", "extra_calls" (a failed request,
// "model_error", is decided by the caller: there is no reply to judge).
struct ToolCallVerdict {
  std::string error_kind;
  std::string detail;  // why, for people; "" when valid
};

// Judges `reply` (the assistant message) against `c`, in this order:
//   no tool call: "leaked_markup" when content holds tool-call markup
//     (models::DetectLeakedMarkup), else "no_call";
//   then the FIRST call: name not offered "unknown_tool", an offered decoy
//     "wrong_tool", arguments not a JSON object "invalid_json" (blank
//     arguments read as {}, as the tool registry does), arguments failing
//     models::ValidateArgs "schema_violation", values differing from
//     expected_args (CompareArguments) "wrong_values";
//   a valid first call followed by more calls "extra_calls", or beside
//     tool-call markup in content "leaked_markup".
ToolCallVerdict JudgeToolCallReply(const ToolCallCase& c,
                                   const models::Message& reply);

}  // namespace endstate::probes
