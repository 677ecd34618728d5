#include "results/outcome.h"

#include <array>
#include <utility>

namespace endstate::results {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 3> kOutcomes = {{
    {Outcome::kPassed, "passed"},
    {Outcome::kFailed, "failed"},
    {Outcome::kError, "error"},
}};

struct TerminationRow {
  Termination value;
  std::string_view name;
  bool infrastructure;  // outcome error without grading
};

constexpr std::array<TerminationRow, 17> kTerminations = {{
    {Termination::kNone, "", false},
    {Termination::kAgentStop, "agent_stop", false},
    {Termination::kMaxTurns, "max_turns", false},
    {Termination::kTokenLimit, "token_limit", false},
    {Termination::kTimeout, "timeout", false},
    {Termination::kTruncated, "truncated", false},
    {Termination::kContextExhausted, "context_exhausted", false},
    {Termination::kEmptyReply, "empty_reply", false},
    {Termination::kRefusal, "refusal", false},
    {Termination::kModelError, "model_error", true},
    {Termination::kServerCapacity, "server_capacity", true},
    {Termination::kServerExited, "server_exited", true},
    {Termination::kServerError, "server_error", true},
    {Termination::kSandboxError, "sandbox_error", true},
    {Termination::kRecordError, "record_error", true},
    {Termination::kInterrupted, "interrupted", true},
    {Termination::kCancelled, "cancelled", true},
}};

}  // namespace

std::string_view OutcomeName(Outcome o) {
  for (const auto& [value, name] : kOutcomes) {
    if (value == o) return name;
  }
  return "error";
}

std::string_view OutcomeName(std::optional<Outcome> o) {
  return o ? OutcomeName(*o) : std::string_view();
}

std::optional<Outcome> ParseOutcome(std::string_view text) {
  for (const auto& [value, name] : kOutcomes) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view TerminationName(Termination t) {
  for (const TerminationRow& row : kTerminations) {
    if (row.value == t) return row.name;
  }
  return "";
}

std::optional<Termination> ParseTermination(std::string_view text) {
  for (const TerminationRow& row : kTerminations) {
    if (row.name == text) return row.value;
  }
  return std::nullopt;
}

std::optional<Outcome> FixedOutcome(Termination t) {
  for (const TerminationRow& row : kTerminations) {
    if (row.value == t && row.infrastructure) return Outcome::kError;
  }
  return std::nullopt;
}

}  // namespace endstate::results
