// Text that goes into the HTML report: escaping for HTML text and attributes,
// JSON embedded in <script> elements, and cutting long fields.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace endstate::report {

// Escapes & < > " ' as entities: safe in text and in quoted attributes.
std::string EscapeHtml(std::string_view text);

// Compact JSON safe inside <script type="application/json">: every '<', '>'
// and '&' (which JSON only has inside strings) becomes \u003c, \u003e,
// \u0026, so no "</script>" or "<!--" can appear; invalid UTF-8 in the data
// becomes U+FFFD instead of throwing.
std::string JsonForScript(const nlohmann::json& value);

// `head` (the first `limit` characters of a field, e.g. SQL
// substr(x, 1, limit)) followed by "\n… [cut: N characters in total]" when
// the field had `total` > `limit` characters; `head` unchanged otherwise.
std::string WithCutMarker(std::string head, int64_t total, int64_t limit);

}  // namespace endstate::report
