#include "models/tool_schema.h"

#include <gtest/gtest.h>

namespace endstate::models {
namespace {

using nlohmann::json;

json Schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "path": {"type": "string", "minLength": 1},
      "make_dirs": {"type": "boolean"},
      "mode": {"type": "string", "enum": ["a", "b"]},
      "timeout_s": {"type": "integer", "minimum": 1, "maximum": 300},
      "tags": {"type": "array", "items": {"type": "string"}},
      "name": {"type": "string", "minLength": 3},
      "opt": {"type": "object", "properties": {"x": {"type": "number"}},
              "required": ["x"], "additionalProperties": false}
    },
    "required": ["path"],
    "additionalProperties": false
  })");
}

std::string V(const std::string& args) {
  return ValidateArgs(Schema(), json::parse(args));
}

TEST(ValidateArgs, AcceptsValidArguments) {
  EXPECT_EQ("", V(R"({"path": "a"})"));
  EXPECT_EQ("", V(R"({"path": "a", "make_dirs": true, "mode": "b",
                      "timeout_s": 300, "tags": ["x", "y"], "name": "abc",
                      "opt": {"x": 1.5}})"));
  // JSON Schema: 3.0 is an integer.
  EXPECT_EQ("", V(R"({"path": "a", "timeout_s": 3.0})"));
}

TEST(ValidateArgs, MissingRequiredField) {
  EXPECT_EQ("missing required field 'path'", V(R"({})"));
  EXPECT_EQ("missing required field 'opt.x'", V(R"({"path": "a", "opt": {}})"));
}

TEST(ValidateArgs, WrongType) {
  EXPECT_EQ("field 'make_dirs': expected boolean, got string",
            V(R"({"path": "a", "make_dirs": "yes"})"));
  EXPECT_EQ("field 'path': expected string, got integer", V(R"({"path": 7})"));
  EXPECT_EQ("field 'timeout_s': expected integer, got number",
            V(R"({"path": "a", "timeout_s": 1.5})"));
  EXPECT_EQ("field 'timeout_s': expected integer, got string",
            V(R"({"path": "a", "timeout_s": "30"})"));
  EXPECT_EQ("field 'tags[1]': expected string, got null",
            V(R"({"path": "a", "tags": ["x", null]})"));
  EXPECT_EQ("field 'opt.x': expected number, got boolean",
            V(R"({"path": "a", "opt": {"x": true}})"));
  EXPECT_EQ("arguments must be a JSON object, got array", V(R"([1])"));
}

TEST(ValidateArgs, UnexpectedField) {
  EXPECT_EQ("unexpected field 'foo'", V(R"({"path": "a", "foo": 1})"));
  EXPECT_EQ("unexpected field 'opt.y'",
            V(R"({"path": "a", "opt": {"x": 1, "y": 2}})"));
  json open = Schema();
  open["additionalProperties"] = true;
  EXPECT_EQ("", ValidateArgs(open, json::parse(R"({"path": "a", "foo": 1})")));
}

TEST(ValidateArgs, Enum) {
  EXPECT_EQ("field 'mode': expected one of [\"a\",\"b\"]",
            V(R"({"path": "a", "mode": "c"})"));
}

TEST(ValidateArgs, Bounds) {
  EXPECT_EQ("field 'timeout_s': must be at least 1, got 0",
            V(R"({"path": "a", "timeout_s": 0})"));
  EXPECT_EQ("field 'timeout_s': must be at most 300, got 301",
            V(R"({"path": "a", "timeout_s": 301})"));
  EXPECT_EQ("field 'path': must not be empty", V(R"({"path": ""})"));
  EXPECT_EQ("field 'name': must be at least 3 characters long",
            V(R"({"path": "a", "name": "ab"})"));
}

TEST(ValidateArgs, TypeList) {
  json s = {{"type", {"string", "null"}}};
  EXPECT_EQ("", ValidateArgs(s, nullptr));
  EXPECT_EQ("arguments must be a JSON string or null, got integer",
            ValidateArgs(s, 1));
}

}  // namespace
}  // namespace endstate::models
