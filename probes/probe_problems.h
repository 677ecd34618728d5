// The bundled problems of the reasoning probe (evaluator/probe.h,
// docs/probes.md "Reasoning") and how an answer is read from a reply and
// compared. Pure functions over values: no I/O, thread-safe.
#pragma once

#include <string>
#include <vector>

namespace endstate::probes {

struct ReasoningProblem {
  std::string id;        // stable, e.g. "power_mod"
  std::string question;  // the user message, self-contained
  std::string expected;  // the one exact answer: digits ("1216") or a word
};

// The problems in their fixed order (at least 12, multi-step math and
// logic). Built once; the reference stays valid for the program's life.
const std::vector<ReasoningProblem>& ReasoningProblems();

// The system prompt of every request: reason, then end with
// "ANSWER: <answer>".
extern const char kReasoningSystemPrompt[];

struct ExtractedAnswer {
  std::string line;    // the answer line(s) as written, trimmed; "" = none
  std::string answer;  // what is compared; "" when no answer was read
};

// Reads the answer from `content` (the reply's content; never reasoning):
// the LAST line that starts, after leading markdown (`#`, `>`, `-`, `*`,
// `_`, spaces), with "ANSWER" or "FINAL ANSWER" in any case, optionally
// bold, followed by ':'. The text after the colon (or, when that is empty,
// the next non-blank line) is cleaned: the content of the last \boxed{..}
// replaces it; \text{..} (and \textbf, \mathrm, \mathbf) unwrapped;
// `*`, `_`, backticks, `$`, braces, \( \) \[ \] removed; trailing '.', '!' and
// surrounding quotes removed; thousands separators (',' '\,' and spaces in
// "1,234,567") removed from numbers. No answer line: both fields "".
ExtractedAnswer ExtractAnswer(const std::string& content);

// True when `answer` (ExtractAnswer(...).answer) is `expected`: numbers by
// value ("42.0" is 42, "+7" is 7), words ignoring ASCII case. Anything more
// ("42 apples", "Bob is the knight") is not the answer. "" never matches.
bool AnswerMatches(const std::string& expected, const std::string& answer);

}  // namespace endstate::probes
