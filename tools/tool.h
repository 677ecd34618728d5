// Tools the model can call, and the registry that validates and dispatches
// calls. A tool's own failure (file not found, command exits 1, host
// refused) is an ordinary result with is_error set, returned to the model.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/tool_schema.h"
#include "sandbox/world.h"

namespace endstate::tools {

// The schema type is the models' (what a request offers); tools fill it.
using models::ToolSchema;
using models::ValidateArgs;

struct ToolResult {
  std::string content;  // text returned to the model
  bool is_error = false;
  int exit_code = -1;  // run_shell / ssh_exec; -1 otherwise
  std::chrono::microseconds duration{0};
};

// What a tool may touch: the attempt's world.
struct ToolContext {
  const sandbox::World* world = nullptr;
  size_t max_result_bytes = 32 * 1024;  // content returned to the model
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual const ToolSchema& schema() const = 0;
  // REQUIRES: args already validated against schema().parameters.
  virtual ToolResult Call(const nlohmann::json& args,
                          const ToolContext& ctx) const = 0;
};

// Why a call could not be executed (stored per tool call, counted by kind).
enum class CallErrorKind {
  kNone,
  kInvalidJson,      // arguments are not a JSON object
  kUnknownTool,      // name not offered in this attempt
  kSchemaViolation,  // arguments do not match the tool's schema
  kLeakedMarkup,     // tool-call markup in content instead of a call
};
const char* CallErrorKindName(CallErrorKind kind);  // "invalid_json", ...

class Registry {
 public:
  // All tools endstate knows.
  static const Registry& Default();

  // Schemas of `names` in that order (unknown names are skipped).
  std::vector<ToolSchema> Schemas(const std::vector<std::string>& names) const;
  const Tool* Find(const std::string& name) const;
  std::vector<std::string> Names() const;

  // Validates and runs one call. `allowed` are the tool names offered in the
  // attempt. `raw_args` is the arguments text exactly as the model sent it.
  // Sets *error_kind; on a call error the result explains it to the model.
  ToolResult Call(const std::string& name, const std::string& raw_args,
                  const std::vector<std::string>& allowed,
                  const ToolContext& ctx, CallErrorKind* error_kind) const;

  void Add(std::unique_ptr<Tool> tool);

 private:
  std::vector<std::unique_ptr<Tool>> tools_;
};

}  // namespace endstate::tools
