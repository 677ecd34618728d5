// Fuzz target for the handling of a model's tool calls: the path from
// response bytes to a validated call.
//
// Input: line 1 is a JSON Schema for a tool's arguments (when it is not a
// JSON object, a schema shaped like run_shell's and edit_file's is used);
// the rest is the raw arguments text. Each input goes through:
//  - models::DetectLeakedMarkup on the whole input;
//  - tools::Registry::Call (JSON parse + models::ValidateArgs) with a tool
//    that echoes its arguments, checking that a call runs exactly when its
//    arguments parse to an object that ValidateArgs accepts;
//  - models::ToolCallAccumulator: the arguments text as a JSON array of
//    streamed fragments (AddDelta) or a whole call (AddWhole), then every
//    assembled call through Registry::Call;
//  - models::StreamAssembler with each input line as one SSE data payload,
//    and models::ParseCompletionBody on the whole input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "models/markup.h"
#include "models/openai_wire.h"
#include "models/tool_call_accumulator.h"
#include "tools/builtin_tools.h"
#include "tools/tool.h"

namespace {

using nlohmann::json;
namespace models = endstate::models;
namespace tools = endstate::tools;

constexpr const char* kToolName = "echo";

void Require(bool ok, const char* what) {
  if (ok) return;
  __builtin_printf("tool_args_fuzz: invariant failed: %s\n", what);
  std::abort();
}

const json& DefaultSchema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "path": {"type": "string", "minLength": 1},
      "command": {"type": "string", "minLength": 1},
      "timeout_s": {"type": "integer", "minimum": 1, "maximum": 600},
      "mode": {"enum": ["a", "b", 3]},
      "tags": {"type": "array", "items": {"type": "string"}},
      "opts": {"type": "object", "properties": {"n": {"type": "number"}},
               "additionalProperties": false}
    },
    "required": ["path"],
    "additionalProperties": false
  })");
  return schema;
}

tools::ToolResult Echo(const json& args, const tools::ToolContext&) {
  return tools::TextResult(
      "ok " + args.dump(-1, ' ', false, json::error_handler_t::replace));
}

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// One call through the registry, with the invariant that ties the error
// kind to what the arguments are.
void CheckCall(const tools::Registry& registry, const json& schema,
               const std::string& name, const std::string& raw_args,
               size_t max_bytes) {
  tools::ToolContext ctx;
  ctx.max_result_bytes = max_bytes;
  tools::CallErrorKind kind = tools::CallErrorKind::kLeakedMarkup;
  tools::ToolResult r = registry.Call(name, raw_args, {kToolName}, ctx, &kind);

  tools::CallErrorKind expected;
  if (name != kToolName) {
    expected = tools::CallErrorKind::kUnknownTool;
  } else {
    json args = IsBlank(raw_args) ? json::object()
                                  : json::parse(raw_args, nullptr, false);
    if (!args.is_object()) {
      expected = tools::CallErrorKind::kInvalidJson;
    } else if (!models::ValidateArgs(schema, args).empty()) {
      expected = tools::CallErrorKind::kSchemaViolation;
    } else {
      expected = tools::CallErrorKind::kNone;
    }
  }
  Require(kind == expected, "error kind does not match the arguments");
  Require(r.is_error == (kind != tools::CallErrorKind::kNone),
          "is_error does not match the error kind");
  Require(r.content.size() <= max_bytes, "result over max_result_bytes");
  Require(std::string(tools::CallErrorKindName(kind)) != "unknown",
          "unnamed error kind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  static const std::set<std::string> kMarkupKinds = {
      "", "special_token", "tool_call_tag", "function_tag", "bare_json_call"};
  Require(kMarkupKinds.count(models::DetectLeakedMarkup(input)) == 1,
          "unknown markup kind");

  const size_t nl = input.find('\n');
  json schema = json::parse(input.substr(0, nl), nullptr, false);
  if (!schema.is_object()) schema = DefaultSchema();
  const std::string raw_args =
      nl == std::string::npos ? "" : input.substr(nl + 1);

  tools::Registry registry;
  registry.Add(std::make_unique<tools::FunctionTool>(
      tools::ToolSchema{kToolName, "echoes its arguments", schema}, &Echo));
  // Results are cut to a size from 64 bytes up (the marker alone needs ~30).
  const size_t max_bytes = 64 + (size % 512);
  CheckCall(registry, schema, kToolName, raw_args, max_bytes);

  // The arguments text as what a server sends for tool calls.
  json calls = json::parse(raw_args, nullptr, false);
  models::ToolCallAccumulator acc;
  if (calls.is_array()) {
    for (const json& fragment : calls) acc.AddDelta(fragment);
  } else {
    acc.AddWhole(calls);
  }
  for (const models::ToolCall& call : acc.Finish(7)) {
    Require(!call.id.empty(), "call without id");
    Require(!call.name.empty() || !call.arguments.empty(), "empty call kept");
    CheckCall(registry, schema, call.name, call.arguments, max_bytes);
  }

  // Every line as one SSE data payload, as models/openai_client.cc feeds
  // the assembler.
  models::StreamAssembler stream;
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    stream.Add(input.substr(start, end - start));
    start = end + 1;
  }
  models::CompletionResponse streamed;
  stream.Finish(3, &streamed);
  for (const models::ToolCall& call : streamed.message.tool_calls) {
    Require(!call.id.empty(), "streamed call without id");
  }

  models::CompletionResponse whole;
  std::string err;
  if (!models::ParseCompletionBody(input, 3, &whole, &err)) {
    Require(!err.empty(), "ParseCompletionBody failed without a message");
  }
  return 0;
}
