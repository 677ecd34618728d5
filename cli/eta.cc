#include "cli/eta.h"

#include <algorithm>

namespace endstate::cli {

EtaEstimator::EtaEstimator(int concurrency)
    : concurrency_(static_cast<size_t>(std::max(1, concurrency))) {}

void EtaEstimator::Finished(double wall_s, double weight) {
  ++finished_;
  total_s_ += std::max(0.0, wall_s);
  total_weight_ += weight > 0 ? weight : 1;
}

std::optional<double> EtaEstimator::SecondsLeft(size_t remaining,
                                                double remaining_weight) const {
  if (remaining == 0) return 0.0;
  if (finished_ == 0) return std::nullopt;
  const double per_weight = total_s_ / total_weight_;
  const double slots = static_cast<double>(std::min(concurrency_, remaining));
  return per_weight * std::max(0.0, remaining_weight) / slots;
}

std::optional<double> EtaEstimator::SecondsLeft(size_t remaining) const {
  return SecondsLeft(remaining, static_cast<double>(remaining));
}

}  // namespace endstate::cli
