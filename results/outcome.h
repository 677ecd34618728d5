// The record's vocabulary for how an attempt ended: its outcome (passed,
// failed, error) and its termination (why the agent loop stopped). Code
// passes these enums around; text exists only at the database and output
// boundary, converted here and nowhere else (docs/database.md, column
// attempts.termination; docs/models.md, "How a turn can end").
//
// Pure functions over constant tables: thread-safe, no allocation beyond
// the returned strings' views (which point at static storage).
#pragma once

#include <optional>
#include <string_view>

namespace endstate::results {

enum class Outcome {
  kPassed,  // every check passed
  kFailed,  // the end state is wrong (the model's doing)
  kError,   // infrastructure failed: out of every rate, retried, shown
};

// Why the agent loop stopped (or why it never ran). The comment gives the
// outcome each one leads to: "graded" = the end state decides (passed or
// failed), "error" = an infrastructure error.
enum class Termination {
  kNone,              // "" while running, or never set
  kAgentStop,         // graded: the model replied with no tool call
  kMaxTurns,          // graded: the turn limit was reached
  kTokenLimit,        // graded: the attempt's token budget was spent
  kTimeout,           // graded: the attempt's wall-clock limit
  kTruncated,         // graded: 3 replies in a row cut at the per-turn
                      // token cap (finish_reason length) with no usable call
  kContextExhausted,  // graded: the conversation no longer fits the
                      // model's context (a 400 naming it); never retried
  kEmptyReply,        // graded: no content and no tool call
  kRefusal,           // graded: the server flagged a refusal
  kModelError,        // error: the endpoint failed after its retries
  kServerCapacity,    // error: the server's shared capacity overflowed even
                      // at concurrency 1 (after lowering it)
  kServerExited,      // error: the managed server behind the endpoint
                      // died during the attempt (docs/servers.md)
  kServerError,       // error: the managed server could not be started or
                      // was never ready; the attempt did not run
  kSandboxError,      // error: the world could not be set up
  kRecordError,       // error: the record could not be written
  kInterrupted,       // error: abandoned by a killed run (set by resume)
  kCancelled,         // error: the run was stopped (SIGINT, SIGTERM) during
                      // the attempt; not a result: --resume runs the slot
                      // again, and it never counts as an interrupted try
};

// "passed" | "failed" | "error".
std::string_view OutcomeName(Outcome o);
// "" for nullopt (an attempt still running), else OutcomeName(*o).
std::string_view OutcomeName(std::optional<Outcome> o);
// The inverse; nullopt for any other text.
std::optional<Outcome> ParseOutcome(std::string_view text);

// "agent_stop", "max_turns", ... ("" for kNone).
std::string_view TerminationName(Termination t);
// The inverse ("" -> kNone); nullopt for text this version does not know.
std::optional<Termination> ParseTermination(std::string_view text);

// The outcome a termination leads to without grading: kError for the
// infrastructure terminations, nullopt when the end state is graded.
std::optional<Outcome> FixedOutcome(Termination t);

}  // namespace endstate::results
