// Progress of a long run on stderr. Two modes:
// - live (stderr is a terminal): one status line per model, rewritten in
//   place after every finished attempt ("qwen  12/60  11 passed  1 failed
//   0 errors  ETA 1m20s"), each cut to the terminal's width - 1 columns
//   (ending "...") so none wraps; attempts that did not pass are also
//   logged, in full, as a line above the status block. Every redraw moves
//   to the top of the block and clears to the end of the screen
//   ("\r\x1b[J") first, so a log line wider than the terminal never leaves
//   an old status line's tail behind;
// - plain (not a terminal, e.g. a log file or CI): one line per finished
//   attempt with done/total, ETA and passes so far for its model.
// Models are shown by their display names (results/display_name.h). The
// ETA comes from the finished attempts' own wall times (cli/eta.h), and is
// "-" until the first attempt finished. `quiet` prints nothing.
// Thread-safe.
#pragma once

#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/eta.h"

namespace endstate::cli {

struct ProgressOptions {
  bool quiet = false;
  // Rewrite the per-model status lines in place (ANSI cursor movement).
  bool live = false;
  std::ostream* out = nullptr;  // nullptr = std::cerr
  // Terminal columns (live): status lines are cut to width - 1 so none
  // wraps (a wrapped line would break the in-place redraw); 0 = no limit.
  int width = 0;
  // When set, asked for the columns at every redraw instead of `width`
  // (follows a resized terminal).
  std::function<int()> columns{};
  // Attempts run at once, for the ETA (cli/eta.h).
  int concurrency = 1;
};

// Whether stderr is a terminal that understands cursor movement: isatty(2)
// and TERM is set and not "dumb".
bool StderrIsLiveTerminal();
// Columns of the terminal on stderr (cli/terminal.h: TIOCGWINSZ, else
// $COLUMNS), else 80.
int StderrColumns();

// "42s", "1m20s", "2h05m".
std::string FormatDuration(double seconds);

class Progress {
 public:
  // `total` attempts in all, `concurrency` at once; live when
  // StderrIsLiveTerminal(), as wide as StderrColumns() at each redraw.
  Progress(size_t total, bool quiet, int concurrency);
  Progress(size_t total, ProgressOptions options);

  // Adds `attempts` to `model`'s expected total; models are shown in the
  // order of their first Expect (or Done). `weight`: each attempt's
  // expected relative length, for the ETA (cli/eta.h). Draws nothing.
  void Expect(const std::string& model, size_t attempts, double weight = 1);
  // Draws the status block (live) once the models are known; a no-op in
  // plain or quiet mode.
  void Start();
  // Reports one finished attempt (`outcome`: passed | failed | error).
  void Done(const std::string& model, const std::string& task, int epoch,
            const std::string& outcome, const std::string& detail,
            double wall_ms, double weight = 1);
  // Prints a message line (above the status block when live).
  void Log(const std::string& line);

 private:
  struct ModelLine {
    std::string name;
    size_t total = 0;
    int done = 0, passed = 0, failed = 0, errors = 0;
  };
  ModelLine& Line(const std::string& model);  // REQUIRES: mu_ held
  std::string StatusLine(const ModelLine& m, const std::string& name,
                         size_t name_width) const;
  // Display name of `model` (results/display_name.h). REQUIRES: mu_ held
  std::string ShownLocked(const std::string& model) const;
  std::optional<double> SecondsLeftLocked() const;
  // Moves above the block, prints `log` (if any), redraws the block.
  void RedrawLocked(const std::string& log);

  std::mutex mu_;
  size_t total_, done_ = 0;
  ProgressOptions options_;
  std::ostream& out_;
  EtaEstimator eta_;
  double expected_weight_ = 0, done_weight_ = 0;
  std::vector<ModelLine> models_;
  // Length of each status line on screen (live): after the terminal was
  // made narrower, one may take several rows.
  std::vector<size_t> drawn_;
};

}  // namespace endstate::cli
