// The description of a tool as a model sees it (the `tools` array of a
// request). Implementations live in tools/; clients only send schemas.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace endstate::models {

struct ToolSchema {
  std::string name;
  std::string description;
  nlohmann::json parameters;  // JSON Schema of the arguments object
};

// Checks `args` against `schema` (the subset used by our tools: type,
// properties, required, additionalProperties, enum, items, minimum,
// maximum, minLength). Returns "" when valid, else the first violation,
// e.g. "missing required field 'path'" or "field 'n': expected integer".
std::string ValidateArgs(const nlohmann::json& schema,
                         const nlohmann::json& args);

}  // namespace endstate::models
