// Text of the statistics as every format prints them (docs/statistics.md,
// "How numbers are printed"), plus terminal colors and escaping helpers
// shared by the report and compare renderers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "report/statistics.h"
#include "util/format.h"

namespace endstate::report {

// "85.0% [72.1, 97.9]"; "-" when attempts == 0; "85.0%" without interval.
std::string RateText(const RateEstimate& r);
// "[72.1, 97.9]" in percent with one decimal.
std::string IntervalText(const Interval& i);
// A difference of fractions in percentage points, signed: "-21.7", "+5.0",
// "0.0".
std::string Points(double difference);
// "0.0078", "< 0.0001", "1".
std::string PValueText(double p);

// ANSI SGR colors; Paint returns `text` unchanged when `on` is false (or
// `text` is empty). Whether to paint is the caller's (cli/terminal.h).
enum class Color { kBold, kRed, kGreen, kYellow, kDim, kCyan };
std::string Paint(std::string_view text, Color c, bool on);

// A CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF.
std::string CsvField(std::string_view s);
// XML character data / attribute value: & < > " ' escaped; bytes that are
// not valid UTF-8 and control characters other than tab, LF and CR (not
// allowed in XML 1.0) become '?'.
std::string XmlEscape(std::string_view s);
// A Markdown table cell: '|' escaped, newlines as spaces.
std::string MarkdownCell(std::string_view s);

}  // namespace endstate::report
