#include "servers/memory.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace endstate::servers {
namespace {

std::string Gb(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB", v);
  return buf;
}

bool OnPath(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::vector<double> GpuFree(const std::string& nvidia_smi) {
  std::vector<double> out;
  if (nvidia_smi.empty() || !OnPath(nvidia_smi)) return out;
  std::string cmd = "'" + nvidia_smi +
                    "' --query-gpu=memory.free --format=csv,noheader,nounits "
                    "2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    if (text.size() < 64 * 1024) text.append(buf, n);  // drain, keep 64 KiB
  }
  pclose(f);
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    try {
      size_t used = 0;
      double mib = std::stod(line, &used);
      out.push_back(mib * 1048576.0 / 1e9);
    } catch (const std::exception&) {
      // "[N/A]" (unified memory): MemAvailable is the number that counts.
    }
  }
  return out;
}

}  // namespace

MemorySnapshot ReadMemory(const MemorySources& sources) {
  MemorySnapshot m;
  std::ifstream in(sources.meminfo);
  std::string line;
  for (int i = 0; i < 1000 && std::getline(in, line); ++i) {
    unsigned long long kb = 0;
    if (std::sscanf(line.c_str(), "MemAvailable: %llu kB", &kb) == 1)
      m.mem_available_gb = static_cast<double>(kb) * 1024 / 1e9;
    if (std::sscanf(line.c_str(), "MemFree: %llu kB", &kb) == 1)
      m.mem_free_gb = static_cast<double>(kb) * 1024 / 1e9;
  }
  m.gpu_free_gb = GpuFree(sources.nvidia_smi);
  return m;
}

nlohmann::json MemoryJson(const MemorySnapshot& m) {
  nlohmann::json j = nlohmann::json::object();
  auto round = [](double v) {
    return static_cast<double>(static_cast<long long>(v * 100 + 0.5)) / 100;
  };
  if (m.mem_available_gb >= 0)
    j["mem_available_gb"] = round(m.mem_available_gb);
  if (m.mem_free_gb >= 0) j["mem_free_gb"] = round(m.mem_free_gb);
  if (!m.gpu_free_gb.empty()) {
    j["gpu_free_gb"] = nlohmann::json::array();
    for (double g : m.gpu_free_gb) j["gpu_free_gb"].push_back(round(g));
  }
  return j;
}

double AvailableGb(const MemorySnapshot& m, std::string* source) {
  if (!m.gpu_free_gb.empty()) {
    double sum = 0;
    for (double g : m.gpu_free_gb) sum += g;
    *source = "free GPU memory (nvidia-smi)";
    return sum;
  }
  *source = "MemAvailable";
  return m.mem_available_gb;
}

PreflightResult Preflight(double need_gb, bool drop_caches,
                          const MemorySources& sources) {
  PreflightResult r;
  r.before = r.after = ReadMemory(sources);
  if (need_gb <= 0) return r;
  std::string source;
  double have = AvailableGb(r.before, &source);
  if (have < 0 || have >= need_gb) return r;
  std::string tried;
  if (drop_caches && geteuid() == 0) {
    sync();
    std::ofstream out(sources.drop_caches);
    out << "3\n";
    out.flush();
    if (out) {
      r.dropped_caches = true;
      r.after = ReadMemory(sources);
      have = AvailableGb(r.after, &source);
      if (have >= need_gb) return r;
      tried = " after dropping the page cache";
    } else {
      tried = "; dropping the page cache failed (cannot write " +
              sources.drop_caches + ")";
    }
  } else if (drop_caches) {
    tried = "; the page cache was not dropped (drop_caches needs root)";
  } else {
    tried = "; the page cache was not dropped (memory.drop_caches is off)";
  }
  r.ok = false;
  r.message = "memory pre-flight: needs " + Gb(need_gb) + ", " + Gb(have) +
              " available (" + source + ")" + tried;
  return r;
}

}  // namespace endstate::servers
