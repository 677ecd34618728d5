#include "evaluator/progress.h"

#include <cstdio>
#include <iostream>

namespace endstate::evaluator {

Progress::Progress(size_t total, bool quiet)
    : total_(total), quiet_(quiet), start_(std::chrono::steady_clock::now()) {}

void Progress::Done(const std::string& model, const std::string& task,
                    int epoch, const std::string& outcome,
                    const std::string& detail, double wall_ms) {
  std::lock_guard lock(mu_);
  ++done_;
  auto& [passed, done] = per_model_[model];
  ++done;
  if (outcome == "passed") ++passed;
  if (quiet_) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  const double eta = done_ > 0 ? elapsed / done_ * (total_ - done_) : 0;
  char head[96];
  std::snprintf(head, sizeof head, "[%zu/%zu ETA %.0fs]", done_, total_, eta);
  std::string line = std::string(head) + " " + model + " " + task;
  if (epoch > 0) line += " #" + std::to_string(epoch);
  char tail[64];
  std::snprintf(tail, sizeof tail, " (%.1fs; %s %d/%d passed)", wall_ms / 1000,
                model.c_str(), passed, done);
  line += ": " + outcome;
  if (!detail.empty()) line += " - " + detail;
  line += tail;
  std::cerr << line << '\n';
}

}  // namespace endstate::evaluator
