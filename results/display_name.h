// Short model names for human-facing tables (docs/cli.md, "Display
// names"). The record, JSON and CSV keep a model's full name: its config
// name, or the --model spec it was given, e.g.
// "openai:http://127.0.0.1:18932/v1#qwen". Tables, Markdown, HTML and the
// progress display show a short name instead, so a URL does not swamp every
// column. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace endstate::results {

// The short form of one model name: the model id after '#' of an endpoint
// spec ("openai:" or "anthropic:" ... "#ID"); any other name (a config
// name, "builtin:oracle") is already short and is returned unchanged.
std::string ShortModelName(const std::string& name);

// The display names of the models of one view, in the order of `names`:
// ShortModelName of each, except that a name whose short form would be
// shown for two different models (another's short form or full name) keeps
// its full name, so no two rows ever look alike.
std::vector<std::string> DisplayModelNames(
    const std::vector<std::string>& names);

// DisplayModelNames as a map from full name to display name.
std::map<std::string, std::string> DisplayModelNameMap(
    const std::vector<std::string>& names);

}  // namespace endstate::results
