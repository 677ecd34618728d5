// The keys and value types a model's `sampling` mapping may hold
// (docs/config.md, "Sampling"): the sampling parameters OpenAI-compatible
// servers and the Anthropic API share or commonly accept. Anything else is
// a typo until proven otherwise (`temprature: 0.6` would be sent and
// silently ignored by most servers); server-specific fields go in `extra`,
// which is merged into the request unchecked. Pure, thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace endstate::evaluator {

struct SamplingProblem {
  YAML::Node node;    // where it is (for the line number)
  std::string field;  // "models[0].sampling.max_tokens"
  std::string what;   // "expected an integer >= 1"
};

// Checks `sampling` (a mapping) found at `where` ("models[0].sampling").
// Returns the first problem, or nullopt when every key is known and every
// value has the expected type and range.
std::optional<SamplingProblem> CheckSampling(const YAML::Node& sampling,
                                             const std::string& where);

}  // namespace endstate::evaluator
