// Time left in a run, from the attempts that finished so far. An attempt's
// own wall time predicts the others' far better than the run's elapsed
// time, which also counts start-up (pre-flight, probes, server start) and
// would make the first estimate several times too long. Not thread-safe
// (Progress holds its lock while using it).
#pragma once

#include <cstddef>
#include <optional>

namespace endstate::cli {

class EtaEstimator {
 public:
  // `concurrency`: attempts run at once (values below 1 count as 1).
  explicit EtaEstimator(int concurrency);

  // One attempt finished after `wall_s` seconds of its own wall time.
  void Finished(double wall_s);

  // Seconds until `remaining` more attempts have finished: their mean wall
  // time times the waves they need, remaining / min(concurrency,
  // remaining). nullopt before the first attempt finished (nothing to
  // base it on); 0 when nothing remains.
  std::optional<double> SecondsLeft(size_t remaining) const;

 private:
  size_t concurrency_;
  size_t finished_ = 0;
  double total_s_ = 0;
};

}  // namespace endstate::cli
