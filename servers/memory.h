// The memory pre-flight before a server starts (docs/servers.md, "Memory
// pre-flight"): the memory the model needs against what the machine has
// available, with one page-cache drop allowed when short.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace endstate::servers {

// Where the pre-flight reads and writes; tests point these at files.
struct MemorySources {
  std::string meminfo = "/proc/meminfo";
  std::string drop_caches = "/proc/sys/vm/drop_caches";
  // Queried with --query-gpu=memory.free,memory.total when found on PATH;
  // "" = never. Its output is read up to 64 KiB.
  std::string nvidia_smi = "nvidia-smi";
};

// Memory seen at one moment, in GB (10^9 bytes); -1 = not known.
struct MemorySnapshot {
  double mem_available_gb = -1;     // MemAvailable
  double mem_free_gb = -1;          // MemFree
  std::vector<double> gpu_free_gb;  // per GPU, from nvidia-smi
};

// Reads /proc/meminfo-style text at sources.meminfo and queries nvidia-smi.
// Never fails: unknown values stay -1 / empty.
MemorySnapshot ReadMemory(const MemorySources& sources);

nlohmann::json MemoryJson(const MemorySnapshot& m);

struct PreflightResult {
  bool ok = true;
  MemorySnapshot before;        // first reading
  MemorySnapshot after;         // after a page-cache drop, else = before
  bool dropped_caches = false;  // sync + drop_caches were written
  // When !ok: "memory pre-flight: needs 80.0 GB, 12.0 GB available
  // (MemAvailable) ...", naming both numbers and what was tried.
  std::string message;
};

// The memory available for the model: the sum of free GPU memory when
// nvidia-smi reported any, else MemAvailable; -1 when neither is known.
double AvailableGb(const MemorySnapshot& m, std::string* source);

// need_gb <= 0 passes without checking. When short and drop_caches is
// allowed and the process is root, runs sync(), writes "3" to
// sources.drop_caches and reads again. Unknown memory passes (with the
// reading recorded).
PreflightResult Preflight(double need_gb, bool drop_caches,
                          const MemorySources& sources);

}  // namespace endstate::servers
