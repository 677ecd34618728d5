#include "sandbox/bwrap_args.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <system_error>

namespace endstate::sandbox {
uint64_t TmpfsBytes(const ShellLimits& limits) {
  return std::max<uint64_t>(64ull << 20, 4 * limits.max_file_bytes);
}

namespace {

// Entries below /etc that are not world-readable (shadow, sshd host keys):
// uid 1000 inside is root outside, so the sandbox would "own" and read
// them. They are covered: files by /dev/null, directories by an empty tmpfs.
// Scanned once per process.
const std::vector<std::pair<std::string, bool>>& HiddenEtcEntries() {
  static const auto* entries = [] {
    auto* out = new std::vector<std::pair<std::string, bool>>();
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(
        "/etc", std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator();
         it.increment(ec)) {
      struct stat st;
      if (lstat(it->path().c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        if ((st.st_mode & (S_IROTH | S_IXOTH)) != (S_IROTH | S_IXOTH)) {
          out->emplace_back(it->path().string(), true);
          it.disable_recursion_pending();
        }
      } else if (S_ISREG(st.st_mode) && !(st.st_mode & S_IROTH)) {
        out->emplace_back(it->path().string(), false);
      }
    }
    return out;
  }();
  return *entries;
}

}  // namespace

std::vector<std::string> BwrapArgs(const ProcessSpec& spec) {
  // clang-format off
  std::vector<std::string> a = {
      "--unshare-all",  // no network (own loopback only), ipc, pid, uts
      "--unshare-user", "--uid", "1000", "--gid", "1000",
      "--cap-drop", "ALL",
      // No nested user namespace: it would give the command a private
      // mount namespace (mount -t tmpfs works there) and the kernel's
      // namespace code as attack surface.
      "--disable-userns",
      "--die-with-parent", "--new-session",
      "--hostname", "sandbox",
      // Filesystem: an empty tmpfs root with only the system's programs.
      "--tmpfs", "/",
      "--ro-bind", "/usr", "/usr",
      "--symlink", "usr/bin", "/bin",
      "--symlink", "usr/lib", "/lib",
      "--symlink", "usr/lib64", "/lib64",
      "--symlink", "usr/sbin", "/sbin",
      // System configuration (passwd, ld.so.cache, ssl certs, gitconfig
      // defaults) that bash, git and python read.
      "--ro-bind", "/etc", "/etc",
  };
  // clang-format on
  for (const auto& [path, is_dir] : HiddenEtcEntries()) {
    if (is_dir) {
      a.insert(a.end(), {"--tmpfs", path});
    } else {
      a.insert(a.end(), {"--ro-bind", "/dev/null", path});
    }
  }
  a.insert(
      a.end(),
      {"--proc", "/proc", "--dev", "/dev",
       // Scratch space, in memory: bounded so it cannot eat the host's RAM.
       "--size", std::to_string(TmpfsBytes(spec.limits)), "--tmpfs", "/tmp"});
  for (const Mount& m : spec.mounts) {
    a.push_back(m.writable ? "--bind" : "--ro-bind");
    a.push_back(m.host.string());
    a.push_back(m.inside);
  }
  // The root tmpfs only holds mount points; nothing may be created there.
  a.insert(a.end(), {"--remount-ro", "/"});
  a.insert(a.end(), {"--chdir", spec.workdir, "--clearenv"});
  for (const auto& [key, value] : spec.env) {
    a.insert(a.end(), {"--setenv", key, value});
  }
  a.push_back("--");
  a.insert(a.end(), spec.argv.begin(), spec.argv.end());
  return a;
}

}  // namespace endstate::sandbox
