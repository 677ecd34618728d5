// Progress of a long run: one line per finished attempt on stderr, with
// done/total, passes so far per model, and an ETA. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace endstate::evaluator {

class Progress {
 public:
  Progress(size_t total, bool quiet);
  // Reports one finished attempt.
  void Done(const std::string& model, const std::string& task, int epoch,
            const std::string& outcome, const std::string& detail,
            double wall_ms);

 private:
  std::mutex mu_;
  size_t total_, done_ = 0;
  bool quiet_;
  std::chrono::steady_clock::time_point start_;
  std::map<std::string, std::pair<int, int>> per_model_;  // passed, done
};

}  // namespace endstate::evaluator
