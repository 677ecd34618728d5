// The registry: the tools endstate offers, and the one place where a model's
// raw tool call is parsed, validated, run, timed and cut to size.
#include <algorithm>
#include <chrono>
#include <exception>

#include "tools/builtin_tools.h"
#include "tools/ssh_tools.h"
#include "tools/text_limits.h"
#include "tools/tool.h"

namespace endstate::tools {

const char* CallErrorKindName(CallErrorKind kind) {
  switch (kind) {
    case CallErrorKind::kNone:
      return "none";
    case CallErrorKind::kInvalidJson:
      return "invalid_json";
    case CallErrorKind::kUnknownTool:
      return "unknown_tool";
    case CallErrorKind::kSchemaViolation:
      return "schema_violation";
    case CallErrorKind::kLeakedMarkup:
      return "leaked_markup";
  }
  return "unknown";
}

const Registry& Registry::Default() {
  static const Registry* registry = [] {
    auto* r = new Registry;
    r->Add(MakeReadFileTool());
    r->Add(MakeWriteFileTool());
    r->Add(MakeEditFileTool());
    r->Add(MakeListFilesTool());
    r->Add(MakeRunShellTool());
    r->Add(MakeWebFetchTool());
    r->Add(MakeScpUploadTool());
    r->Add(MakeSshExecTool());
    return r;
  }();
  return *registry;
}

void Registry::Add(std::unique_ptr<Tool> tool) {
  tools_.push_back(std::move(tool));
}

const Tool* Registry::Find(const std::string& name) const {
  for (const auto& t : tools_) {
    if (t->schema().name == name) return t.get();
  }
  return nullptr;
}

std::vector<std::string> Registry::Names() const {
  std::vector<std::string> names;
  for (const auto& t : tools_) names.push_back(t->schema().name);
  return names;
}

std::vector<ToolSchema> Registry::Schemas(
    const std::vector<std::string>& names) const {
  std::vector<ToolSchema> out;
  for (const auto& name : names) {
    if (const Tool* t = Find(name)) out.push_back(t->schema());
  }
  return out;
}

namespace {

ToolResult CallError(std::string message) {
  ToolResult r;
  r.content = std::move(message);
  r.is_error = true;
  return r;
}

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
}

}  // namespace

ToolResult Registry::Call(const std::string& name, const std::string& raw_args,
                          const std::vector<std::string>& allowed,
                          const ToolContext& ctx,
                          CallErrorKind* error_kind) const {
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&](ToolResult r, CallErrorKind kind) {
    *error_kind = kind;
    r.content = CapWithMarker(SanitizeUtf8(r.content), ctx.max_result_bytes);
    r.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    return r;
  };

  const Tool* tool = Find(name);
  if (tool == nullptr ||
      std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
    std::string available;
    for (const auto& a : allowed) {
      if (Find(a) == nullptr) continue;
      if (!available.empty()) available += ", ";
      available += a;
    }
    return finish(CallError("unknown tool '" + name + "'; available tools: " +
                            (available.empty() ? "(none)" : available)),
                  CallErrorKind::kUnknownTool);
  }

  // Many servers send "" for a call without arguments.
  nlohmann::json args = nlohmann::json::object();
  if (!IsBlank(raw_args)) {
    try {
      args = nlohmann::json::parse(raw_args);
    } catch (const nlohmann::json::exception& e) {
      return finish(
          CallError("invalid JSON arguments for " + name + ": " + e.what() +
                    "; send the arguments as one JSON object, e.g. "
                    "{\"path\": \"index.html\"}"),
          CallErrorKind::kInvalidJson);
    }
  }
  if (!args.is_object()) {
    return finish(CallError("invalid arguments for " + name +
                            ": expected a JSON object, got " +
                            std::string(args.type_name()) +
                            "; send the arguments as one JSON object, e.g. "
                            "{\"path\": \"index.html\"}"),
                  CallErrorKind::kInvalidJson);
  }

  std::string violation = ValidateArgs(tool->schema().parameters, args);
  if (!violation.empty()) {
    return finish(CallError("invalid arguments for " + name + ": " + violation),
                  CallErrorKind::kSchemaViolation);
  }

  ToolResult result;
  try {
    result = tool->Call(args, ctx);
  } catch (const std::exception& e) {
    // Tools report their failures as results; this is a bug, but the
    // attempt should go on and the model should hear about it.
    result = CallError(name + " failed: " + e.what());
  }
  return finish(std::move(result), CallErrorKind::kNone);
}

}  // namespace endstate::tools
