// ValidateArgs: the JSON Schema subset our tool schemas use. Messages are
// written for the model that sent the arguments, naming the field.
#include "models/tool_schema.h"

#include <cmath>
#include <string>

namespace endstate::models {
namespace {

using nlohmann::json;

std::string TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "unknown";
  }
}

bool HasType(const json& v, const std::string& type) {
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    // JSON Schema: 3.0 is an integer.
    if (v.is_number_float()) {
      double d = v.get<double>();
      return std::isfinite(d) && d == std::floor(d);
    }
    return false;
  }
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

// "field 'a.b'", or "arguments" for the top level.
std::string Subject(const std::string& where) {
  return where.empty() ? "arguments" : "field '" + where + "'";
}

std::string Join(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

std::string FormatNumber(const json& v) { return v.dump(); }

std::string Validate(const json& schema, const json& v,
                     const std::string& where) {
  if (!schema.is_object()) return "";
  if (auto t = schema.find("type"); t != schema.end()) {
    std::vector<std::string> types;
    if (t->is_string()) types.push_back(t->get<std::string>());
    if (t->is_array()) {
      for (const auto& x : *t) {
        if (x.is_string()) types.push_back(x.get<std::string>());
      }
    }
    bool ok = types.empty();
    for (const auto& type : types) ok = ok || HasType(v, type);
    if (!ok) {
      std::string expected;
      for (size_t i = 0; i < types.size(); ++i) {
        if (i > 0) expected += " or ";
        expected += types[i];
      }
      if (where.empty()) {
        return "arguments must be a JSON " + expected + ", got " + TypeName(v);
      }
      return Subject(where) + ": expected " + expected + ", got " + TypeName(v);
    }
  }
  if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
    bool found = false;
    for (const auto& x : *e) found = found || x == v;
    if (!found) return Subject(where) + ": expected one of " + e->dump();
  }
  if (v.is_number()) {
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number() &&
                                         v.get<double>() < m->get<double>()) {
      return Subject(where) + ": must be at least " + FormatNumber(*m) +
             ", got " + FormatNumber(v);
    }
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number() &&
                                         v.get<double>() > m->get<double>()) {
      return Subject(where) + ": must be at most " + FormatNumber(*m) +
             ", got " + FormatNumber(v);
    }
  }
  if (v.is_string()) {
    if (auto m = schema.find("minLength");
        m != schema.end() && m->is_number_unsigned()) {
      // Counted in bytes; our schemas only use minLength 1 ("not empty").
      auto min = m->get<size_t>();
      if (v.get_ref<const std::string&>().size() < min) {
        if (min == 1) return Subject(where) + ": must not be empty";
        return Subject(where) + ": must be at least " + std::to_string(min) +
               " characters long";
      }
    }
  }
  if (v.is_array()) {
    if (auto items = schema.find("items"); items != schema.end()) {
      for (size_t i = 0; i < v.size(); ++i) {
        std::string msg = Validate(
            *items, v[i],
            (where.empty() ? "" : where) + "[" + std::to_string(i) + "]");
        if (!msg.empty()) return msg;
      }
    }
  }
  if (v.is_object()) {
    const json empty = json::object();
    auto p = schema.find("properties");
    const json& props = (p != schema.end() && p->is_object()) ? *p : empty;
    if (auto r = schema.find("required"); r != schema.end() && r->is_array()) {
      for (const auto& name : *r) {
        if (name.is_string() && !v.contains(name.get<std::string>())) {
          return "missing required field '" +
                 Join(where, name.get<std::string>()) + "'";
        }
      }
    }
    bool closed = false;
    if (auto a = schema.find("additionalProperties");
        a != schema.end() && a->is_boolean()) {
      closed = !a->get<bool>();
    }
    for (const auto& [key, value] : v.items()) {
      auto prop = props.find(key);
      if (prop == props.end()) {
        if (closed) return "unexpected field '" + Join(where, key) + "'";
        continue;
      }
      std::string msg = Validate(*prop, value, Join(where, key));
      if (!msg.empty()) return msg;
    }
  }
  return "";
}

}  // namespace

std::string ValidateArgs(const nlohmann::json& schema,
                         const nlohmann::json& args) {
  return Validate(schema, args, "");
}

}  // namespace endstate::models
