#include "sandbox/world_sweep.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>

#include "sandbox/world_disk.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;

bool AllOf(const std::string& s, const char* chars) {
  return !s.empty() && s.find_first_not_of(chars) == std::string::npos;
}

int ParsePid(const std::string& s) {
  if (!AllOf(s, "0123456789") || s.size() > 9) return 0;
  return std::atoi(s.c_str());
}

// Whether a process with this id exists (EPERM: it exists, not ours).
bool Alive(int pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

int WorldOwnerPid(const std::string& name) {
  if (name.rfind(".keys-", 0) == 0) return ParsePid(name.substr(6));
  // <prefix><pid>-<n>-<hex>: the prefix itself may hold dashes and digits,
  // so read from the end.
  const size_t hex_dash = name.rfind('-');
  if (hex_dash == std::string::npos || hex_dash == 0) return 0;
  const size_t n_dash = name.rfind('-', hex_dash - 1);
  if (n_dash == std::string::npos || n_dash == 0) return 0;
  if (!AllOf(name.substr(hex_dash + 1), "0123456789abcdef") ||
      !AllOf(name.substr(n_dash + 1, hex_dash - n_dash - 1), "0123456789")) {
    return 0;
  }
  // The pid runs back from n_dash to the dash that ends the prefix.
  size_t start = n_dash;
  while (start > 0 && name[start - 1] >= '0' && name[start - 1] <= '9') {
    --start;
  }
  if (start == 0 || name[start - 1] != '-') return 0;
  return ParsePid(name.substr(start, n_dash - start));
}

SweepResult SweepStaleWorlds(const fs::path& base) {
  SweepResult result;
  std::error_code ec;
  fs::directory_iterator it(base, ec);
  if (ec) return result;  // no base yet: nothing was left behind
  for (const fs::directory_entry& e : it) {
    std::error_code type_ec;
    if (!e.is_directory(type_ec) || e.is_symlink(type_ec)) continue;
    const int pid = WorldOwnerPid(e.path().filename().string());
    if (pid <= 1 || Alive(pid)) continue;
    if (fs::exists(e.path() / kKeepMarker, type_ec)) continue;
    UnmountWorldDisk(e.path());  // its tmpfs, when it has one
    std::error_code rm_ec;
    fs::remove_all(e.path(), rm_ec);
    if (rm_ec) {
      result.errors.push_back("cannot remove " + e.path().string() + ": " +
                              rm_ec.message());
    } else {
      result.removed.push_back(e.path());
    }
  }
  return result;
}

}  // namespace endstate::sandbox
