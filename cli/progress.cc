#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "util/format.h"

namespace endstate::cli {

bool StderrIsLiveTerminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) == 1 && term && *term &&
         std::strcmp(term, "dumb") != 0;
}

int StderrColumns() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

std::string FormatDuration(double seconds) {
  const long s = std::max(0L, std::lround(seconds));
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%lds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  }
  return buf;
}

Progress::Progress(size_t total, bool quiet)
    : Progress(total, ProgressOptions{.quiet = quiet,
                                      .live = StderrIsLiveTerminal(),
                                      .width = StderrColumns()}) {}

Progress::Progress(size_t total, ProgressOptions options)
    : total_(total),
      options_(std::move(options)),
      out_(options_.out ? *options_.out : std::cerr) {
  if (!options_.now)
    options_.now = [] { return std::chrono::steady_clock::now(); };
  start_ = options_.now();
}

Progress::ModelLine& Progress::Line(const std::string& model) {
  for (ModelLine& m : models_) {
    if (m.name == model) return m;
  }
  models_.push_back({.name = model});
  return models_.back();
}

double Progress::ElapsedLocked() const {
  return std::chrono::duration<double>(options_.now() - start_).count();
}

void Progress::Expect(const std::string& model, size_t attempts) {
  std::lock_guard lock(mu_);
  Line(model).total += attempts;
}

void Progress::Start() {
  std::lock_guard lock(mu_);
  if (options_.live && !options_.quiet) RedrawLocked("");
}

std::string Progress::StatusLine(const ModelLine& m, double elapsed) const {
  size_t width = 0;
  for (const ModelLine& other : models_) {
    width = std::max(width, other.name.size());
  }
  std::string line = m.name + std::string(width - m.name.size(), ' ') + "  ";
  line += std::to_string(m.done);
  if (m.total > 0) line += "/" + std::to_string(m.total);
  line += "  " + std::to_string(m.passed) + " passed  " +
          std::to_string(m.failed) + " failed  " + std::to_string(m.errors) +
          " errors  ";
  if (m.total > 0 && static_cast<size_t>(m.done) >= m.total) {
    line += "done";
  } else if (m.done == 0 || m.total == 0) {
    line += "ETA -";
  } else {
    // Models run interleaved, so each model's own pace predicts its end.
    line += "ETA " + FormatDuration(elapsed / m.done *
                                    static_cast<double>(m.total - m.done));
  }
  return line;
}

void Progress::RedrawLocked(const std::string& log) {
  std::string s;
  if (drawn_ > 0) s += "\x1b[" + std::to_string(drawn_) + "A\r";
  if (!log.empty()) s += "\x1b[2K" + log + "\n";
  const double elapsed = ElapsedLocked();
  for (const ModelLine& m : models_) {
    std::string line = StatusLine(m, elapsed);
    if (options_.width > 1 &&
        line.size() >= static_cast<size_t>(options_.width)) {
      line.resize(options_.width - 1);
    }
    s += "\x1b[2K" + line + "\n";
  }
  drawn_ = models_.size();
  out_ << s << std::flush;
}

void Progress::Log(const std::string& line) {
  std::lock_guard lock(mu_);
  if (options_.quiet) return;
  if (options_.live) {
    RedrawLocked(line);
  } else {
    out_ << line + "\n" << std::flush;
  }
}

void Progress::Done(const std::string& model, const std::string& task,
                    int epoch, const std::string& outcome,
                    const std::string& detail, double wall_ms) {
  std::lock_guard lock(mu_);
  ++done_;
  ModelLine& m = Line(model);
  ++m.done;
  if (outcome == "passed") ++m.passed;
  if (outcome == "failed") ++m.failed;
  if (outcome == "error") ++m.errors;
  if (options_.quiet) return;
  const double elapsed = ElapsedLocked();
  const double eta = elapsed / done_ * (total_ - std::min(done_, total_));
  char head[96];
  std::snprintf(head, sizeof head, "[%zu/%zu ETA %.0fs]", done_, total_, eta);
  std::string line = std::string(head) + " " + model + " " + task;
  if (epoch > 0) line += " #" + std::to_string(util::Ordinal(epoch));
  char tail[64];
  std::snprintf(tail, sizeof tail, " (%.1fs; ", wall_ms / 1000);
  line += ": " + outcome;
  if (!detail.empty()) line += " - " + detail;
  line += std::string(tail) + model + " " + std::to_string(m.passed) + "/" +
          std::to_string(m.done) + " passed)";
  if (options_.live) {
    // Passes are summarized by the status lines; the rest is worth reading.
    RedrawLocked(outcome == "passed" ? "" : line);
  } else {
    out_ << line + "\n" << std::flush;
  }
}

}  // namespace endstate::cli
