// Converts yaml-cpp nodes to JSON values, keeping YAML's typing: quoted
// scalars stay strings; plain scalars become null, bool, integer or float
// when they read as one (YAML 1.2 core schema), else strings.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

namespace endstate::tasks {

nlohmann::json YamlToJson(const YAML::Node& node);

// 1-based line of a node in its file (0 when unknown).
inline int YamlLine(const YAML::Node& node) { return node.Mark().line + 1; }

}  // namespace endstate::tasks
