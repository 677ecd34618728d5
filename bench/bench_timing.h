// Timing for the benchmarks (bench/*_bench.cc): the median wall and CPU
// time of a few calls. Not thread-safe; CPU time is this process's.
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <vector>

namespace endstate::bench {

struct Timing {
  double wall_ms = -1, cpu_ms = -1;  // negative when a call failed
};

// Median wall and CPU milliseconds of `repeats` calls of `fn`; a call that
// returns false ends the measurement with a negative Timing.
inline Timing Median(const std::function<bool()>& fn, int repeats) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    if (!fn()) return {};
    cpu.push_back(1000.0 * (std::clock() - cpu_start) / CLOCKS_PER_SEC);
    wall.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

}  // namespace endstate::bench
