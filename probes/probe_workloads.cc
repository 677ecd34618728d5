#include "probes/probe_workloads.h"

#include <cstdio>
#include <vector>

namespace endstate::probes {
namespace {

// Common English words that BPE vocabularies hold as one token each (with
// their leading space), so the word count approximates the token count.
const std::vector<const char*>& Words() {
  static const std::vector<const char*> kWords = {
      "river",  "stone",  "light", "garden",  "window", "morning", "quiet",
      "small",  "house",  "road",  "north",   "water",  "green",   "old",
      "city",   "table",  "paper", "music",   "field",  "winter",  "summer",
      "market", "bridge", "train", "letter",  "school", "friend",  "open",
      "long",   "white",  "black", "story",   "night",  "forest",  "early",
      "late",   "bright", "cold",  "warm",    "simple", "careful", "little",
      "great",  "under",  "over",  "near",    "far",    "always",  "never",
      "often",  "walked", "found", "kept",    "made",   "saw",     "heard",
      "wrote",  "read",   "built", "carried", "and",    "the",     "a",
      "with",
  };
  return kWords;
}

}  // namespace

const std::string& DecodePrompt() {
  static const std::string kPrompt =
      "Write a complete merge sort in C++ for a std::vector<int>. Comment it "
      "in detail: explain every function, every loop and every branch, why "
      "the algorithm is O(n log n), how the merge step keeps the sort "
      "stable, and what the auxiliary buffer is for. Then write a main() "
      "that sorts a few example vectors (empty, one element, already sorted, "
      "reversed, with duplicates) and prints them before and after. Answer "
      "with the code only.";
  return kPrompt;
}

std::string PrefillPrompt(int approx_tokens, uint64_t nonce, int rep) {
  // The unique part comes first: prefix caches match from the first token,
  // so nothing after a differing first line can be reused.
  char head[96];
  std::snprintf(head, sizeof head, "%016llx-%d\n",
                static_cast<unsigned long long>(nonce), rep);
  std::string out = head;
  out += "Read the following notes, then answer the question at the end.\n\n";
  const std::vector<const char*>& words = Words();
  // A fixed linear congruential sequence: the body is the same for every
  // repetition, so each one prefills the same number of tokens.
  uint32_t state = 12345;
  const int target = approx_tokens * 9 / 10;  // punctuation adds the rest
  int in_sentence = 0;
  for (int i = 0; i < target; ++i) {
    state = state * 1664525u + 1013904223u;
    std::string w = words[(state >> 8) % words.size()];
    if (in_sentence == 0) w[0] = static_cast<char>(w[0] - 'a' + 'A');
    out += w;
    if (++in_sentence >= 8 + static_cast<int>((state >> 20) % 7)) {
      out += ". ";
      in_sentence = 0;
    } else {
      out += ' ';
    }
  }
  out += "\n\nQuestion: did you read the notes? Reply with the single word OK.";
  return out;
}

}  // namespace endstate::probes
