// The reasoning problems and answer reading. Every expected answer was
// computed by brute force outside the repository (and the logic puzzles
// checked for a unique solution) when the problem was written; change a
// question only together with a fresh computation of its answer.
#include "probes/probe_problems.h"

#include <cctype>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string_view>

namespace endstate::probes {
namespace {

std::vector<ReasoningProblem> BuildProblems() {
  return {
      {"power_mod", "What is the remainder when 7^2026 is divided by 13?", "4"},
      {"digit_sum",
       "How many integers from 1 to 1000 inclusive have digits that add up "
       "to 10?",
       "63"},
      {"trains",
       "A freight train leaves a station at 09:00 and travels at a constant "
       "80 km/h. A passenger train leaves the same station at 10:30 on a "
       "parallel track, in the same direction, at a constant 120 km/h. How "
       "many minutes after 12:00 (noon) does the passenger train draw level "
       "with the freight train?",
       "90"},
      {"bells",
       "Three bells ring every 12, 18 and 30 minutes respectively. All three "
       "ring together at 08:00. Counting 08:00 itself, how many times do all "
       "three ring together from 08:00 to 20:00 inclusive?",
       "5"},
      {"arrangements",
       "How many distinct arrangements of the letters of the word BALLOON "
       "are there?",
       "1260"},
      {"grid_paths",
       "You walk on a grid from the point (0,0) to the point (6,4) using only "
       "unit steps right (+1 in x) or up (+1 in y). How many such paths never "
       "pass through the point (3,2)?",
       "110"},
      {"ages",
       "A mother is three times as old as her son. In 12 years she will be "
       "twice as old as he will be then. How old is the mother now, in years?",
       "36"},
      {"sequence",
       "A sequence starts with a(1) = 2, and each next term is "
       "a(n+1) = 3*a(n) - 1. What is a(10)?",
       "29525"},
      {"weekday",
       "In a year that is not a leap year, 1 March falls on a Tuesday. On "
       "which day of the week does 25 December of the same year fall? Answer "
       "with the English name of the day.",
       "Sunday"},
      {"prime_sum", "What is the sum of all prime numbers between 100 and 150?",
       "1216"},
      {"coins",
       "In how many different ways can you make 50 cents from any number of "
       "1-cent, 5-cent, 10-cent and 25-cent coins? The order of the coins "
       "does not matter.",
       "49"},
      {"gcd", "What is the greatest common divisor of 2^36 - 1 and 2^24 - 1?",
       "4095"},
      {"pipes",
       "Pipe A alone fills a tank in 6 hours and pipe B alone fills it in 4 "
       "hours. Drain C alone empties a full tank in 12 hours. Starting from "
       "an empty tank with A, B and C all open, how many hours does it take "
       "to fill the tank?",
       "3"},
      {"remainders",
       "What is the smallest positive integer that leaves remainder 1 when "
       "divided by 4, remainder 2 when divided by 5, and remainder 3 when "
       "divided by 7?",
       "17"},
      {"knights",
       "On an island, knights always tell the truth and knaves always lie; "
       "everyone is one or the other. Alice says: \"Bob is a knave.\" Bob "
       "says: \"Carol is a knave.\" Carol says: \"Alice and Bob are both "
       "knaves.\" Exactly one assignment is consistent. Which one of the three "
       "is a knight? Answer with the name.",
       "Bob"},
      {"race",
       "Five runners, Ana, Ben, Cleo, Dev and Eli, finish a race with no "
       "ties. Cleo finished ahead of Ben. Ben finished ahead of Ana. Dev "
       "finished immediately behind Ana. Eli finished neither first nor last. "
       "Eli and Cleo did not finish next to each other. Who finished fourth? "
       "Answer with the name.",
       "Ana"},
      {"houses",
       "Three houses stand in a row, numbered 1 to 3 from left to right, "
       "painted red, green and blue in some order. Kim, Lee and Max live in "
       "them, one each, and each house has a different pet: a cat, a dog or "
       "a fish. The red house is somewhere to the left of the green house. "
       "Kim lives in the blue house. The fish lives in house 2. Lee lives "
       "next door to the house with the cat. Max lives in house 1. The dog "
       "does not live in the green house. The cat does not live in the red "
       "house. Who owns the dog? Answer with the name.",
       "Max"},
      {"statements",
       "A list holds five statements. Statement 1: \"Exactly one of these "
       "five statements is false.\" Statement 2: \"Exactly two of these five "
       "statements are false.\" Statement 3: \"Exactly three of these five "
       "statements are false.\" Statement 4: \"Exactly four of these five "
       "statements are false.\" Statement 5: \"Exactly five of these five "
       "statements are false.\" How many of the five statements are true?",
       "1"},
  };
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void ReplaceAll(std::string* s, const std::string& from,
                const std::string& to) {
  for (size_t p = s->find(from); p != std::string::npos;
       p = s->find(from, p + to.size())) {
    s->replace(p, from.size(), to);
  }
}

// Position of the '}' closing the brace that opens just before `from`, or
// npos when unbalanced.
size_t ClosingBrace(const std::string& s, size_t from) {
  int depth = 1;
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '{') ++depth;
    if (s[i] == '}' && --depth == 0) return i;
  }
  return std::string::npos;
}

// Replaces every `command{inner}` by `inner`.
void Unwrap(std::string* s, const std::string& command) {
  for (size_t p = s->find(command); p != std::string::npos;
       p = s->find(command, p)) {
    size_t end = ClosingBrace(*s, p + command.size());
    if (end == std::string::npos) {
      s->erase(p, command.size());
      continue;
    }
    *s = s->substr(0, p) +
         s->substr(p + command.size(), end - p - command.size()) +
         s->substr(end + 1);
  }
}

// The text after the marker when `line` is an answer line.
std::optional<std::string> AfterMarker(const std::string& line) {
  size_t i = line.find_first_not_of(" \t#>*_-");
  if (i == std::string::npos) return std::nullopt;
  const std::string lower = Lower(line.substr(i));
  size_t j = i;
  if (lower.rfind("final answer", 0) == 0) {
    j += 12;
  } else if (lower.rfind("answer", 0) == 0) {
    j += 6;
  } else {
    return std::nullopt;
  }
  while (j < line.size() &&
         (line[j] == '*' || line[j] == '_' || line[j] == ' '))
    ++j;
  if (j >= line.size() || line[j] != ':') return std::nullopt;
  return line.substr(j + 1);
}

std::string Clean(std::string s) {
  // A boxed answer is the answer, whatever surrounds it.
  if (size_t p = s.rfind("\\boxed{"); p != std::string::npos) {
    size_t end = ClosingBrace(s, p + 7);
    s = s.substr(p + 7,
                 end == std::string::npos ? std::string::npos : end - p - 7);
  }
  for (const char* command : {"\\text{", "\\textbf{", "\\mathrm{", "\\mathbf{"})
    Unwrap(&s, command);
  for (const char* drop : {"\\(", "\\)", "\\[", "\\]"})
    ReplaceAll(&s, drop, "");
  ReplaceAll(&s, "\\,", ",");           // LaTeX thin space as separator
  ReplaceAll(&s, "\xE2\x80\xAF", " ");  // narrow no-break space
  ReplaceAll(&s, "\xE2\x80\x89", " ");  // thin space
  std::string kept;
  for (char c : s) {
    // Markdown emphasis, code, math delimiters, and stray LaTeX braces
    // (1{,}234).
    if (std::string_view("*_`${}").find(c) == std::string_view::npos) {
      kept += c;
    }
  }
  s = Trim(kept);
  for (bool changed = true; changed && !s.empty();) {
    changed = false;
    if (s.back() == '.' || s.back() == '!') {
      s = Trim(s.substr(0, s.size() - 1));
      changed = true;
    } else if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') &&
               s.back() == s.front()) {
      s = Trim(s.substr(1, s.size() - 2));
      changed = true;
    }
  }
  static const std::regex kGrouped(R"([+-]?\d{1,3}([, ]\d{3})+(\.\d+)?)");
  if (std::regex_match(s, kGrouped)) {
    std::string digits;
    for (char c : s) {
      if (c != ',' && c != ' ') digits += c;
    }
    s = digits;
  }
  return s;
}

bool ParseNumber(const std::string& s, double* out) {
  static const std::regex kNumber(R"([+-]?(\d+(\.\d*)?|\.\d+))");
  if (!std::regex_match(s, kNumber)) return false;
  *out = std::strtod(s.c_str(), nullptr);
  return true;
}

}  // namespace

const char kReasoningSystemPrompt[] =
    "Solve the problem. Reason step by step, then end your reply with one "
    "final line of the form\nANSWER: <answer>\nwhere <answer> is only the "
    "final number (digits only, no units, no separators) or the single word "
    "asked for.";

const std::vector<ReasoningProblem>& ReasoningProblems() {
  static const std::vector<ReasoningProblem> problems = BuildProblems();
  return problems;
}

ExtractedAnswer ExtractAnswer(const std::string& content) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = content.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    lines.push_back(content.substr(start, nl - start));
  }
  lines.push_back(content.substr(start));
  for (size_t i = lines.size(); i-- > 0;) {
    std::optional<std::string> rest = AfterMarker(lines[i]);
    if (!rest) continue;
    ExtractedAnswer out{Trim(lines[i]), Clean(*rest)};
    if (out.answer.empty()) {
      // "**ANSWER:**" alone, with the answer on the next non-blank line.
      for (size_t k = i + 1; k < lines.size(); ++k) {
        if (Trim(lines[k]).empty()) continue;
        out.line += "\n" + Trim(lines[k]);
        out.answer = Clean(lines[k]);
        break;
      }
    }
    return out;
  }
  return {};
}

bool AnswerMatches(const std::string& expected, const std::string& answer) {
  if (answer.empty()) return false;
  double a = 0, b = 0;
  if (ParseNumber(expected, &a) && ParseNumber(answer, &b)) return a == b;
  if (expected.size() != answer.size()) return false;
  return Lower(expected) == Lower(answer);
}

}  // namespace endstate::probes
