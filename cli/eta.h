// Time left in a run, from the attempts that finished so far. An attempt's
// own wall time predicts the others' far better than the run's elapsed
// time, which also counts start-up and, divided by the attempts done,
// ignores that several run at once (a 19 s run of 20 attempts, 4 at a
// time, whose first attempt ended 6 s in was estimated at 6 x 19 = 114 s).
// Attempts may carry a weight, their expected relative length (the turns
// of the task's reference solution): runs start the longest tasks first,
// so the attempts left are shorter than those done, and weighting keeps
// the estimate from staying too long. Not thread-safe (Progress holds its
// lock while using it).
#pragma once

#include <cstddef>
#include <optional>

namespace endstate::cli {

class EtaEstimator {
 public:
  // `concurrency`: attempts run at once (values below 1 count as 1).
  explicit EtaEstimator(int concurrency);

  // One attempt of `weight` (> 0; other values count as 1) finished after
  // `wall_s` seconds of its own wall time.
  void Finished(double wall_s, double weight = 1);

  // Seconds until `remaining` more attempts, of `remaining_weight` in all,
  // have finished: the seconds per unit of weight so far times
  // remaining_weight, spread over min(concurrency, remaining) slots.
  // nullopt before the first attempt finished (nothing to base it on); 0
  // when nothing remains.
  std::optional<double> SecondsLeft(size_t remaining,
                                    double remaining_weight) const;
  // The same with every attempt of weight 1.
  std::optional<double> SecondsLeft(size_t remaining) const;

 private:
  size_t concurrency_;
  size_t finished_ = 0;
  double total_s_ = 0, total_weight_ = 0;
};

}  // namespace endstate::cli
