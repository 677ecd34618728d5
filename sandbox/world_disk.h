// The disk total of one attempt's world (issue 12): the world's directory
// (workspace, every deploy host's root bound at /srv, the pristine copies
// and the hosts' sshd state) is its own tmpfs of ShellLimits::
// max_world_bytes, mounted by the harness (root) before the world is
// built. A write past it fails inside the world with ENOSPC ("No space
// left on device"), for the file tools, run_shell, ssh_exec and scp alike,
// and the host's disk is never touched. The pages are RAM (or swap), so
// the limit times the run's concurrency must fit the machine
// (docs/security.md). Each sandboxed command's own /tmp is a separate
// tmpfs, bounded by sandbox/process.h. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace endstate::sandbox {

// Mounts a tmpfs of `bytes` (mode 0755, nosuid, nodev) on the existing,
// empty directory `dir`. Returns false and sets *err on failure, e.g.
// "cannot mount the world's 512 MiB disk on /x/w: Operation not permitted
// (needs root; run.shell.max_world_mb: 0 runs without a disk limit)".
// Moves the calling process into a mount namespace of its own (its mounts
// do not propagate back to the host's), so the world disks it mounts vanish
// with it even when it dies without unmounting them (SIGKILL, a second
// Ctrl-C): nothing is left mounted under the worlds folder, and `rm -r`
// of that folder works. Call it while the process is single-threaded (a
// mount namespace belongs to a thread; threads started later inherit it).
// Returns false with *err (and the process stays in the host's namespace)
// when not allowed, e.g. not root; world disks then mount in the host's
// namespace and a killed run leaves them for SweepStaleWorlds.
bool EnterOwnMountNamespace(std::string* err);

bool MountWorldDisk(const std::filesystem::path& dir, uint64_t bytes,
                    std::string* err);

// Detaches the tmpfs mounted on `dir` (MNT_DETACH: its pages are freed once
// no process uses it); nothing when `dir` is not a mount point. Its
// contents are gone afterwards.
void UnmountWorldDisk(const std::filesystem::path& dir);

// For a kept world (WorldOptions::keep), once nothing runs in it: copies
// the contents of its tmpfs onto the disk under it, then unmounts, so the
// kept directory is plain files that `rm -r` removes. Returns false and
// sets *err when a file cannot be copied (a FIFO or socket the agent left):
// the world then stays on its mounted tmpfs, contents intact.
bool KeepWorldDisk(const std::filesystem::path& dir, std::string* err);

}  // namespace endstate::sandbox
