// JSON value matching shared by the json_value check and the http check's
// json_pointer / json_equals (implemented in graders/json_check.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace endstate::graders {

// Parses `text` and finds the value at RFC 6901 `pointer`. Returns false and
// sets *why to "not valid JSON (...)" or "<pointer>: missing".
bool JsonAt(const std::string& text, const std::string& pointer,
            nlohmann::json* out, std::string* why);

// Compares `got` with each of `wants`. Strict: JSON equality (1 == 1.0).
// Loose: trimmed, case-insensitive text forms (strings unquoted), so 44
// equals "44". On mismatch sets *why to "got X, want Y" or "got X, want one
// of [Y, Z]".
bool JsonMatches(const nlohmann::json& got,
                 const std::vector<nlohmann::json>& wants, bool loose,
                 std::string* why);

// True when `pointer` is a syntactically valid RFC 6901 pointer.
bool IsJsonPointer(const std::string& pointer);

// Validates the optional `json_pointer` + `json_equals` pair of the http and
// remote_file checks: both or neither, and a valid pointer. Returns false
// and sets *err ("json_pointer: expected an RFC 6901 ...") otherwise.
bool ValidateJsonPointerPair(const nlohmann::json& spec, std::string* err);

}  // namespace endstate::graders
