// The bubblewrap command line of one isolated run (internal to sandbox/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/process.h"

namespace endstate::sandbox {

// Arguments after the bwrap executable, ending with "--" and spec.argv.
// The sandbox: every namespace unshared (its own loopback only, no network),
// uid/gid 1000 in a user namespace with no capabilities and no nested user
// namespaces (as root, bwrap without --unshare-user keeps full capabilities
// and could remount /usr read-write: NOTES.md), a tmpfs root holding
// read-only /usr (with the /bin, /lib, /lib64, /sbin links) and /etc (minus
// its entries that are not world-readable), fresh /proc and /dev, a /tmp tmpfs
// of max(64 MiB, 4 x max_file_bytes), then spec.mounts in order; the root
// itself read-only; cwd spec.workdir; environment exactly spec.env. Nothing
// else of the host (/root, /home, /var, the worlds' base) is there.
std::vector<std::string> BwrapArgs(const ProcessSpec& spec);

// Size of the sandbox's /tmp tmpfs: max(64 MiB, 4 x max_file_bytes). The
// ssh host wrapper (ssh_confine.h) uses the same bound.
uint64_t TmpfsBytes(const ShellLimits& limits);

}  // namespace endstate::sandbox
