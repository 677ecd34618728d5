// Removing the worlds a killed run left behind. A run killed with SIGKILL
// cannot tear its worlds down; their directories (and the run's SSH keys)
// stay below the worlds base. Each such directory carries the creating
// process id in its name (util::MakeTempDir: <prefix><pid>-<n>-<hex>, and
// .keys-<pid>), so a directory whose process is gone is stale. Worlds kept
// on purpose (--keep-worlds, marked by a kKeepMarker file) are never
// removed, nor is anything whose name does not follow the pattern.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace endstate::sandbox {

// Written into a world's directory when it is kept (WorldOptions::keep).
inline constexpr char kKeepMarker[] = ".endstate-keep";

struct SweepResult {
  std::vector<std::filesystem::path> removed;  // stale directories removed
  std::vector<std::string> errors;             // "cannot remove X: ..."
};

// The process id encoded in a world or key directory name, or 0 when the
// name does not follow the pattern.
int WorldOwnerPid(const std::string& name);

// Removes the stale directories directly below `base` (see above). A
// missing base is not an error. Safe while other runs use the same base:
// their processes are alive, so their worlds are left alone.
SweepResult SweepStaleWorlds(const std::filesystem::path& base);

}  // namespace endstate::sandbox
