// The deploy-host tools: scp_upload (a workspace file to a host, over SFTP)
// and ssh_exec (`bash -c` on a host, confined there like run_shell). Both
// reach only the world's deploy hosts, by name, each call through a fresh
// SSH session. Registered by Registry::Default().
#pragma once

#include <memory>

#include "tools/tool.h"

namespace endstate::tools {

// scp_upload(local_path, host, remote_path, make_dirs = false).
// remote_path is absolute on the host or relative to /srv; an existing
// directory (or a trailing '/') receives the file under its own name.
// "uploaded 1234 bytes to prod.test:/srv/www/index.html".
std::unique_ptr<Tool> MakeScpUploadTool();

// ssh_exec(host, command): "exit code N", then stdout and stderr sections,
// as run_shell renders them; limits from the world's shell limits.
std::unique_ptr<Tool> MakeSshExecTool();

}  // namespace endstate::tools
