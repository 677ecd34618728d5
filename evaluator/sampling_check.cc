#include "evaluator/sampling_check.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "util/yaml.h"

namespace endstate::evaluator {
namespace {

using nlohmann::json;

enum class Type { kNumber, kInteger, kBool, kString, kStop, kMapping };

struct Key {
  std::string_view name;
  Type type;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

// Ranges are those the servers enforce (OpenAI's where they differ), so a
// config the server would reject with HTTP 400 on every turn fails here.
constexpr Key kKeys[] = {
    {"temperature", Type::kNumber, 0, 2},
    {"top_p", Type::kNumber, 0, 1},
    {"top_k", Type::kInteger, -1},
    {"min_p", Type::kNumber, 0, 1},
    {"typical_p", Type::kNumber, 0, 1},
    {"max_tokens", Type::kInteger, 1},
    {"max_completion_tokens", Type::kInteger, 1},
    {"min_tokens", Type::kInteger, 0},
    {"seed", Type::kInteger},
    {"presence_penalty", Type::kNumber, -2, 2},
    {"frequency_penalty", Type::kNumber, -2, 2},
    {"repetition_penalty", Type::kNumber, 0},
    {"stop", Type::kStop},
    {"n", Type::kInteger, 1, 1},
    {"logprobs", Type::kBool},
    {"top_logprobs", Type::kInteger, 0, 20},
    {"logit_bias", Type::kMapping},
    {"response_format", Type::kMapping},
    {"parallel_tool_calls", Type::kBool},
    {"user", Type::kString},
};

std::string Number(double v) {
  json j = v;
  if (v == static_cast<double>(static_cast<int64_t>(v))) {
    j = static_cast<int64_t>(v);
  }
  return j.dump();
}

std::string Expectation(const Key& k) {
  const bool low = k.min > -std::numeric_limits<double>::infinity();
  const bool high = k.max < std::numeric_limits<double>::infinity();
  switch (k.type) {
    case Type::kNumber:
    case Type::kInteger: {
      std::string what =
          k.type == Type::kNumber ? "expected a number" : "expected an integer";
      if (low && high && k.min == k.max) return what + " = " + Number(k.min);
      if (low && high) {
        return what + " from " + Number(k.min) + " to " + Number(k.max);
      }
      if (low) return what + " >= " + Number(k.min);
      return what;
    }
    case Type::kBool:
      return "expected true or false";
    case Type::kString:
      return "expected a string";
    case Type::kStop:
      return "expected a string or a list of strings";
    case Type::kMapping:
      return "expected a mapping";
  }
  return "";
}

bool Fits(const Key& k, const YAML::Node& n) {
  const json v = util::YamlToJson(n);
  switch (k.type) {
    case Type::kNumber:
    case Type::kInteger: {
      if (k.type == Type::kInteger ? !v.is_number_integer() : !v.is_number()) {
        return false;
      }
      const double d = v.get<double>();
      return d >= k.min && d <= k.max;
    }
    case Type::kBool:
      return v.is_boolean();
    case Type::kString:
      return v.is_string();
    case Type::kStop:
      if (v.is_string()) return true;
      if (!v.is_array()) return false;
      for (const json& s : v) {
        if (!s.is_string()) return false;
      }
      return true;
    case Type::kMapping:
      return v.is_object();
  }
  return false;
}

}  // namespace

std::optional<SamplingProblem> CheckSampling(const YAML::Node& sampling,
                                             const std::string& where) {
  for (const auto& kv : sampling) {
    const std::string name = kv.first.Scalar();
    const Key* key = nullptr;
    for (const Key& k : kKeys) {
      if (k.name == name) key = &k;
    }
    if (!key) {
      std::string list;
      for (const Key& k : kKeys) {
        list += (list.empty() ? "" : ", ") + std::string(k.name);
      }
      return SamplingProblem{kv.first, where + "." + name,
                             "unknown sampling key (expected one of: " + list +
                                 "; server-specific fields go in extra)"};
    }
    if (!Fits(*key, kv.second)) {
      return SamplingProblem{kv.second, where + "." + name, Expectation(*key)};
    }
  }
  return std::nullopt;
}

}  // namespace endstate::evaluator
