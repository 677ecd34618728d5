// Factories of the tools implemented in this folder (the SSH tools are in
// ssh_tools.h), and the small pieces their implementations share.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "tools/tool.h"

namespace endstate::tools {

std::unique_ptr<Tool> MakeReadFileTool();
std::unique_ptr<Tool> MakeWriteFileTool();
std::unique_ptr<Tool> MakeEditFileTool();
std::unique_ptr<Tool> MakeListFilesTool();
std::unique_ptr<Tool> MakeRunShellTool();
std::unique_ptr<Tool> MakeWebFetchTool();

// Renders a finished command for the model: `status_line` ("exit code 1"),
// then "--- stdout ---" and "--- stderr ---" sections (each omitted when
// empty), then `notes`. Each stream gets half of `max_bytes` (one that needs
// less leaves the rest to the other), cut with a marker; 0 = no limit.
std::string RenderProcessOutput(const std::string& status_line,
                                const std::string& out, const std::string& err,
                                const std::string& notes, size_t max_bytes);

// A tool made of a schema and a function.
class FunctionTool : public Tool {
 public:
  using Fn = ToolResult (*)(const nlohmann::json& args, const ToolContext& ctx);
  FunctionTool(ToolSchema schema, Fn fn)
      : schema_(std::move(schema)), fn_(fn) {}
  const ToolSchema& schema() const override { return schema_; }
  ToolResult Call(const nlohmann::json& args,
                  const ToolContext& ctx) const override {
    return fn_(args, ctx);
  }

 private:
  ToolSchema schema_;
  Fn fn_;
};

// A failed call: `message` is what the model reads.
inline ToolResult ErrorResult(std::string message) {
  ToolResult r;
  r.content = std::move(message);
  r.is_error = true;
  return r;
}

inline ToolResult TextResult(std::string text) {
  ToolResult r;
  r.content = std::move(text);
  return r;
}

}  // namespace endstate::tools
