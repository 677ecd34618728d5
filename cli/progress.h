// Progress of a long run on stderr. Two modes:
// - live (stderr is a terminal): one status line per model, rewritten in
//   place after every finished attempt ("builtin:oracle  12/60  11 passed
//   1 failed  0 errors  ETA 1m20s"); attempts that did not pass are also
//   logged as a line above the status block;
// - plain (not a terminal, e.g. a log file or CI): one line per finished
//   attempt with done/total, ETA and passes so far for its model.
// `quiet` prints nothing. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <vector>

namespace endstate::cli {

struct ProgressOptions {
  bool quiet = false;
  // Rewrite the per-model status lines in place (ANSI cursor movement).
  bool live = false;
  std::ostream* out = nullptr;  // nullptr = std::cerr
  // Terminal columns (live): status lines are cut to width - 1 so none
  // wraps (a wrapped line would break the in-place redraw); 0 = no limit.
  int width = 0;
  // The clock (tests); empty = std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now{};
};

// Whether stderr is a terminal that understands cursor movement: isatty(2)
// and TERM is set and not "dumb".
bool StderrIsLiveTerminal();
// Columns of the terminal on stderr (TIOCGWINSZ), or 0 when unknown.
int StderrColumns();

// "42s", "1m20s", "2h05m".
std::string FormatDuration(double seconds);

class Progress {
 public:
  // `total` attempts in all; live when StderrIsLiveTerminal().
  Progress(size_t total, bool quiet);
  Progress(size_t total, ProgressOptions options);

  // Adds `attempts` to `model`'s expected total; models are shown in the
  // order of their first Expect (or Done). Draws nothing.
  void Expect(const std::string& model, size_t attempts);
  // Draws the status block (live) once the models are known; a no-op in
  // plain or quiet mode.
  void Start();
  // Reports one finished attempt (`outcome`: passed | failed | error).
  void Done(const std::string& model, const std::string& task, int epoch,
            const std::string& outcome, const std::string& detail,
            double wall_ms);
  // Prints a message line (above the status block when live).
  void Log(const std::string& line);

 private:
  struct ModelLine {
    std::string name;
    size_t total = 0;
    int done = 0, passed = 0, failed = 0, errors = 0;
  };
  ModelLine& Line(const std::string& model);  // REQUIRES: mu_ held
  std::string StatusLine(const ModelLine& m, double elapsed) const;
  // Moves above the block, prints `log` (if any), redraws the block.
  void RedrawLocked(const std::string& log);
  double ElapsedLocked() const;

  std::mutex mu_;
  size_t total_, done_ = 0;
  ProgressOptions options_;
  std::ostream& out_;
  std::chrono::steady_clock::time_point start_;
  std::vector<ModelLine> models_;
  size_t drawn_ = 0;  // status lines currently on screen (live)
};

}  // namespace endstate::cli
