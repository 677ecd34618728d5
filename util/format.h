// Numbers as every text output prints them (docs/statistics.md, "How numbers
// are printed"): fixed decimals without a "-0.0", percentages with one
// decimal, token counts in K/M. Pure functions; thread-safe.
#pragma once

#include <string>

namespace endstate::util {

// printf("%.*f"), except that a value rounding to zero never prints a sign:
// Fixed(-0.04, 1) == "0.0".
std::string Fixed(double v, int decimals);

// "85.0%" (one decimal) for fraction 0.85.
std::string Percent(double fraction);

// A token count: 850 -> "850", 1536 -> "1.5K", 2'500'000 -> "2.5M".
std::string TokensText(double tokens);

// Numbering (docs/report.md, "Numbering"): the record stores turns, epochs,
// checks and tool calls counting from 0; every view, every flag and every
// output format counts them from 1. These two are the only conversions:
// Ordinal(0) == 1 for output, FromOrdinal(1) == 0 for a flag's value.
constexpr int Ordinal(int stored) { return stored + 1; }
constexpr int FromOrdinal(int shown) { return shown - 1; }

}  // namespace endstate::util
