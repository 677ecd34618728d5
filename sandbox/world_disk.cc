// A tmpfs rather than a quota or a periodic `du`: measured here (root in a
// container, cgroup v1), mount(2) of a tmpfs is allowed, and mount plus
// unmount cost 0.15 ms (200 rounds);
// the kernel refuses the write that would pass the size at once, whoever
// writes (a process in bubblewrap, sshd's sftp-server, the harness), so no
// write slips between two checks and nothing needs to poll.
#include "sandbox/world_disk.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "util/files.h"

namespace endstate::sandbox {

bool EnterOwnMountNamespace(std::string* err) {
  const int host = ::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (host < 0 || ::unshare(CLONE_NEWNS) != 0) {
    *err = std::string("cannot enter a mount namespace of its own: ") +
           std::strerror(errno);
    if (host >= 0) ::close(host);
    return false;
  }
  // Slave: the host's later mounts still appear here; ours never go back.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    *err = std::string("cannot make mounts one-way: ") + std::strerror(errno);
    ::setns(host, CLONE_NEWNS);  // back to the host's: nothing changed
    ::close(host);
    return false;
  }
  ::close(host);
  return true;
}

bool MountWorldDisk(const std::filesystem::path& dir, uint64_t bytes,
                    std::string* err) {
  // Inodes cost memory outside `size`: one per 16 KiB of the limit (65536
  // for 1 GiB), at least 1024.
  const uint64_t inodes = std::max<uint64_t>(bytes >> 14, 1024);
  const std::string options = "size=" + std::to_string(bytes) +
                              ",nr_inodes=" + std::to_string(inodes) +
                              ",mode=0755";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
              options.c_str()) == 0) {
    return true;
  }
  const int e = errno;
  *err = "cannot mount the world's " + std::to_string(bytes >> 20) +
         " MiB disk on " + dir.string() + ": " + std::strerror(e);
  if (e == EPERM) {
    *err +=
        " (needs root; run.shell.max_world_mb: 0 runs without a disk limit)";
  }
  return false;
}

void UnmountWorldDisk(const std::filesystem::path& dir) {
  ::umount2(dir.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);  // EINVAL: not mounted
}

bool KeepWorldDisk(const std::filesystem::path& dir, std::string* err) {
  namespace fs = std::filesystem;
  // A dot name never matches the world pattern, so SweepStaleWorlds leaves
  // the staging copy alone.
  const fs::path staging =
      dir.parent_path() / ("." + dir.filename().string() + ".keep");
  std::error_code ec;
  if (!util::CopyTree(dir, staging, err)) {
    fs::remove_all(staging, ec);
    return false;
  }
  UnmountWorldDisk(dir);
  fs::remove(dir, ec);  // the empty mount point
  fs::rename(staging, dir, ec);
  if (ec) {
    *err = "cannot move " + staging.string() + " to " + dir.string() + ": " +
           ec.message();
    return false;
  }
  return true;
}

}  // namespace endstate::sandbox
