#include "evaluator/overrides.h"

#include <algorithm>

#include "evaluator/sampling_check.h"
#include "util/yaml.h"

namespace endstate::evaluator {
namespace {

constexpr char kSamplingPart[] = ".sampling.";
constexpr char kKeyExamples[] =
    "expected a dotted config key: system_prompt, run.<...> (e.g. "
    "run.limits.max_turns), models.NAME.sampling.KEY or "
    "models.*.sampling.KEY";

// A copy of `n` built in code: no source position, so messages about it
// name the flag and no line. Quoted scalars keep their "!" tag.
YAML::Node Unmarked(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: {
      YAML::Node out(n.Scalar());
      out.SetTag(n.Tag());
      return out;
    }
    case YAML::NodeType::Sequence: {
      YAML::Node out(YAML::NodeType::Sequence);
      for (const auto& item : n) out.push_back(Unmarked(item));
      return out;
    }
    case YAML::NodeType::Map: {
      YAML::Node out(YAML::NodeType::Map);
      for (const auto& kv : n) out[kv.first.Scalar()] = Unmarked(kv.second);
      return out;
    }
    default:
      return YAML::Node(YAML::NodeType::Null);
  }
}

// {parts[i]: {parts[i+1]: ... value}}.
YAML::Node Nest(const std::vector<std::string>& parts, size_t i,
                const YAML::Node& value) {
  if (i == parts.size()) return value;
  YAML::Node map(YAML::NodeType::Map);
  map[parts[i]] = Nest(parts, i + 1, value);
  return map;
}

std::vector<std::string> Split(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

}  // namespace

bool ParseOverride(const std::string& flag, const std::string& key,
                   const std::string& value, Override* out, std::string* err) {
  Override o{.flag = flag, .key = key};
  const std::vector<std::string> parts = Split(key);
  if (std::any_of(parts.begin(), parts.end(),
                  [](const std::string& p) { return p.empty(); })) {
    *err = flag + ": " + kKeyExamples;
    return false;
  }
  try {
    o.node = Unmarked(YAML::Load(value));
  } catch (const YAML::Exception& e) {
    *err = flag + ": the value is not valid YAML (" + e.msg + ")";
    return false;
  }
  o.value = util::YamlToJson(o.node);
  if (parts[0] == "models") {
    // models.NAME.sampling.KEY; NAME may hold dots (inline model specs).
    const size_t at = key.rfind(kSamplingPart);
    const size_t key_at = at + sizeof(kSamplingPart) - 1;
    if (at == std::string::npos || at < 7 ||
        key.find('.', key_at) != std::string::npos) {
      *err = flag + ": " + key +
             ": expected models.NAME.sampling.KEY or models.*.sampling.KEY "
             "(the run-time overrides of a model are its sampling keys)";
      return false;
    }
    o.model = key.substr(7, at - 7);
    o.sampling_key = key.substr(key_at);
    YAML::Node sampling(YAML::NodeType::Map);
    sampling[o.sampling_key] = o.node;
    if (auto problem =
            CheckSampling(sampling, "models." + o.model + ".sampling")) {
      *err = flag + ": " + problem->field + ": " + problem->what;
      return false;
    }
  }
  *out = std::move(o);
  return true;
}

bool ParseSetFlag(const std::string& arg, Override* out, std::string* err) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    *err = "--set " + arg +
           ": expected KEY=VALUE (e.g. --set run.limits.max_turns=30 or "
           "--set models.*.sampling.temperature=0.2)";
    return false;
  }
  return ParseOverride("--set " + arg, arg.substr(0, eq), arg.substr(eq + 1),
                       out, err);
}

bool ApplyConfigOverrides(const std::vector<Override>& overrides,
                          Config* config, std::string* err) {
  for (const Override& o : overrides) {
    if (!o.model.empty()) continue;
    if (!MergeConfig(Nest(Split(o.key), 0, o.node), o.flag, config, err))
      return false;
  }
  return true;
}

bool ApplyModelOverrides(const std::vector<Override>& overrides,
                         std::vector<models::ModelConfig>* models,
                         std::string* err) {
  for (const Override& o : overrides) {
    if (o.model.empty()) continue;
    bool found = false;
    for (models::ModelConfig& m : *models) {
      if (o.model != kEveryModel && o.model != m.name) continue;
      found = true;
      if (!m.sampling.is_object()) m.sampling = nlohmann::json::object();
      std::string key = o.sampling_key;
      if (key == "max_tokens" && !m.sampling.contains("max_tokens") &&
          m.sampling.contains("max_completion_tokens")) {
        key = "max_completion_tokens";
      }
      m.sampling[key] = o.value;
    }
    if (!found) {
      std::string names;
      for (const auto& m : *models)
        names += (names.empty() ? "" : ", ") + m.name;
      *err = o.flag + ": no model '" + o.model +
             "' in this run (models: " + names + ")";
      return false;
    }
  }
  return true;
}

nlohmann::json OverridesJson(const std::vector<Override>& overrides) {
  nlohmann::json out = nlohmann::json::array();
  for (const Override& o : overrides) {
    out.push_back({{"flag", o.flag}, {"key", o.key}, {"value", o.value}});
  }
  return out;
}

}  // namespace endstate::evaluator
