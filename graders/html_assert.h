// The HTML assertions of docs/graders.md ("select" plus count, min_count,
// absent, index, text_equals, text_contains, texts_equal, attr with
// attr_equals / attr_contains), shared by the `html` check and the `html:`
// mapping of the `http` check. Implemented in graders/html_check.cc.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "graders/grader.h"

namespace endstate::graders {

// The assertion field names, for unknown-field checks.
extern const char* const kHtmlAssertFields[];
bool IsHtmlAssertField(const std::string& name);

// Validates `select` and the assertions of `spec` (other fields are the
// caller's). Requires one or more assertions.
bool ValidateHtmlAssertions(const nlohmann::json& spec, std::string* err);

// Runs the assertions of `spec` on `html`. `label` starts every detail
// ("about.html", "http://prod.test/").
CheckResult RunHtmlAssertions(const std::string& html,
                              const nlohmann::json& spec,
                              const std::string& label);

}  // namespace endstate::graders
