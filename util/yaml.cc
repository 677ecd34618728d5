#include "util/yaml.h"

#include <cerrno>
#include <cstdlib>
#include <regex>

namespace endstate::util {
namespace {

nlohmann::json PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex kInt(R"([-+]?[0-9]+)");
  static const std::regex kFloat(
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kInt)) {
    errno = 0;
    long long v = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == 0) return v;
  }
  if (std::regex_match(s, kFloat)) return std::strtod(s.c_str(), nullptr);
  return s;
}

}  // namespace

nlohmann::json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      // Tag "!" marks a quoted (non-plain) scalar: always a string.
      if (node.Tag() == "!") return node.Scalar();
      return PlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(YamlToJson(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node) {
        obj[kv.first.Scalar()] = YamlToJson(kv.second);
      }
      return obj;
    }
  }
  return nullptr;
}

YAML::Node YamlReader::LoadFile() const {
  try {
    return YAML::LoadFile(path_);
  } catch (const YAML::BadFile&) {
    throw YamlError{path_ + ": cannot read the file"};
  } catch (const YAML::Exception& e) {
    throw YamlError{path_ + ":" + std::to_string(e.mark.line + 1) + ": " +
                    e.msg};
  }
}

void YamlReader::Fail(const YAML::Node& node, const std::string& field,
                      const std::string& what) const {
  std::string msg = path_;
  if (node.IsDefined() && node.Mark().line >= 0)
    msg += ":" + std::to_string(YamlLine(node));
  msg += ": ";
  if (!field.empty()) msg += field + ": ";
  throw YamlError{msg + what};
}

void YamlReader::CheckKeys(const YAML::Node& map, const std::string& where,
                           const std::set<std::string>& keys) const {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (keys.count(key)) continue;
    std::string list;
    for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
    Fail(kv.first, where.empty() ? key : where + "." + key,
         "unknown field (expected one of: " + list + ")");
  }
}

std::string YamlReader::String(const YAML::Node& n,
                               const std::string& field) const {
  if (!n.IsScalar()) Fail(n, field, "expected a string");
  return n.Scalar();
}

std::string YamlReader::RequiredString(const YAML::Node& map,
                                       const std::string& key,
                                       const std::string& where) const {
  const std::string field = where.empty() ? key : where + "." + key;
  YAML::Node n = map[key];
  if (!n) Fail(map, field, "missing field");
  if (!n.IsScalar() || n.Scalar().empty())
    Fail(n, field, "expected a non-empty string");
  return n.Scalar();
}

std::vector<std::string> YamlReader::StringList(
    const YAML::Node& n, const std::string& field) const {
  if (!n.IsSequence()) Fail(n, field, "expected a list of strings");
  std::vector<std::string> out;
  for (const auto& item : n) {
    if (!item.IsScalar()) Fail(item, field, "expected a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

int64_t YamlReader::Int(const YAML::Node& n, const std::string& field,
                        int64_t min) const {
  nlohmann::json v = YamlToJson(n);
  if (!v.is_number_integer() || v.get<int64_t>() < min)
    Fail(n, field, "expected an integer >= " + std::to_string(min));
  return v.get<int64_t>();
}

int64_t YamlReader::PositiveInt(const YAML::Node& n,
                                const std::string& field) const {
  nlohmann::json v = YamlToJson(n);
  if (!v.is_number_integer() || v.get<int64_t>() <= 0)
    Fail(n, field, "expected a positive integer");
  return v.get<int64_t>();
}

bool YamlReader::Bool(const YAML::Node& n, const std::string& field) const {
  nlohmann::json v = YamlToJson(n);
  if (!v.is_boolean()) Fail(n, field, "expected true or false");
  return v.get<bool>();
}

}  // namespace endstate::util
