// The ForceCommand wrapper of a deploy host's sshd: every session (exec,
// sftp subsystem, legacy scp) runs the requested command inside bubblewrap,
// confined like RunProcess (same /tmp tmpfs size, address space and file
// size limits), with the host root bound read-write at /srv.
// Internal to sandbox/ssh_host.cc; separate so tests can read the script.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sandbox/process.h"

namespace endstate::sandbox {

// Environment variable a client may send (sshd AcceptEnv) to lower the
// session's wall-clock limit below ShellLimits::timeout, in milliseconds.
inline constexpr char kSshTimeoutEnv[] = "ENDSTATE_TIMEOUT_MS";
// The sftp server run for the "sftp" subsystem (inside the sandbox).
inline constexpr char kSftpServer[] = "/usr/lib/openssh/sftp-server";

// Files and directories below /etc that are not world-readable (shadow,
// sshd host keys, ...). Inside the user namespace uid 1000 maps to root, so
// root-owned secrets would be readable: the wrapper hides them. Computed
// once per process; thread-safe.
const std::vector<std::filesystem::path>& HiddenSystemPaths();

// `s` single-quoted for bash.
std::string ShellQuote(const std::string& s);

// The text of the wrapper script for host `host_name` whose root is `root`.
// With `memory_cgroup` (the host's memory cgroup, which sshd and every
// session share; empty: none), the session raises its oom_score_adj to
// 500 (so the kernel kills a session's process, not the listener), and when
// the cgroup's OOM-kill count rose while the command ran it adds
// "[memory limit hit: ...]" to stderr, keeping the command's exit status.
std::string ConfineScript(const std::string& host_name,
                          const std::filesystem::path& root,
                          const ShellLimits& limits,
                          const std::filesystem::path& memory_cgroup = {});

}  // namespace endstate::sandbox
