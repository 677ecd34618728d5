#include "cli/eta.h"

#include <algorithm>

namespace endstate::cli {

EtaEstimator::EtaEstimator(int concurrency)
    : concurrency_(static_cast<size_t>(std::max(1, concurrency))) {}

void EtaEstimator::Finished(double wall_s) {
  ++finished_;
  total_s_ += std::max(0.0, wall_s);
}

std::optional<double> EtaEstimator::SecondsLeft(size_t remaining) const {
  if (remaining == 0) return 0.0;
  if (finished_ == 0) return std::nullopt;
  const double mean = total_s_ / static_cast<double>(finished_);
  const double waves = static_cast<double>(remaining) /
                       static_cast<double>(std::min(concurrency_, remaining));
  return mean * waves;
}

}  // namespace endstate::cli
