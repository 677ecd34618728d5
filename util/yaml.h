// Reading YAML files (the config, task files) with one rule for errors:
// every message names the file, the line and the field, and says what was
// expected ("lab.yaml:12: run.epochs: expected an integer >= 1"). Values
// convert to JSON keeping YAML's typing.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace endstate::util {

// Converts a yaml-cpp node to a JSON value, keeping YAML's typing: quoted
// scalars stay strings; plain scalars become null, bool, integer or float
// when they read as one (YAML 1.2 core schema), else strings.
nlohmann::json YamlToJson(const YAML::Node& node);

// 1-based line of a node in its file (0 when unknown).
inline int YamlLine(const YAML::Node& node) { return node.Mark().line + 1; }

// Thrown by YamlReader; its message is complete ("file:line: field: what").
struct YamlError {
  std::string message;
};

// Typed readers for one file, for loaders to derive from. Each throws
// YamlError naming `path`, the node's line and the field when the value is
// not what was expected. Not thread-safe (one loader, one file).
class YamlReader {
 public:
  // `path` is the file as shown in messages.
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // Parses the file: "<path>: cannot read the file", or
  // "<path>:<line>: <parser message>".
  YAML::Node LoadFile() const;

  // Throws "<path>[:<line>]: [<field>: ]<what>"; the line is left out when
  // the node has no position.
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& field,
                         const std::string& what) const;
  // Fails on the first key of `map` not in `keys`: "<where>.<key>: unknown
  // field (expected one of: a, b, c)".
  void CheckKeys(const YAML::Node& map, const std::string& where,
                 const std::set<std::string>& keys) const;

  // A scalar: "expected a string".
  std::string String(const YAML::Node& n, const std::string& field) const;
  // map[key], present and non-empty: "missing field" (at the map's line) or
  // "expected a non-empty string"; the field is "<where>.<key>".
  std::string RequiredString(const YAML::Node& map, const std::string& key,
                             const std::string& where) const;
  // A list of scalars: "expected a list of strings".
  std::vector<std::string> StringList(const YAML::Node& n,
                                      const std::string& field) const;
  // An integer >= min: "expected an integer >= <min>".
  int64_t Int(const YAML::Node& n, const std::string& field, int64_t min) const;
  // An integer > 0: "expected a positive integer".
  int64_t PositiveInt(const YAML::Node& n, const std::string& field) const;
  // true or false: "expected true or false".
  bool Bool(const YAML::Node& n, const std::string& field) const;

 private:
  std::string path_;
};

}  // namespace endstate::util
