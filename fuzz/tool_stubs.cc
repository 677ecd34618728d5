// Link stubs for the built-in tool factories named by
// tools::Registry::Default() (tools/registry.cc). tool_args_fuzz builds its
// own Registry and never calls Default(); linking the real tools would pull
// in the sandbox, libcurl and libssh2 for code the fuzzer never reaches.
#include "tools/builtin_tools.h"
#include "tools/ssh_tools.h"

namespace endstate::tools {

std::unique_ptr<Tool> MakeReadFileTool() { return nullptr; }
std::unique_ptr<Tool> MakeWriteFileTool() { return nullptr; }
std::unique_ptr<Tool> MakeEditFileTool() { return nullptr; }
std::unique_ptr<Tool> MakeListFilesTool() { return nullptr; }
std::unique_ptr<Tool> MakeRunShellTool() { return nullptr; }
std::unique_ptr<Tool> MakeWebFetchTool() { return nullptr; }
std::unique_ptr<Tool> MakeScpUploadTool() { return nullptr; }
std::unique_ptr<Tool> MakeSshExecTool() { return nullptr; }

}  // namespace endstate::tools
