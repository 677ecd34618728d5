#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli/terminal.h"
#include "results/display_name.h"
#include "util/format.h"

namespace endstate::cli {

bool StderrIsLiveTerminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) == 1 && term && *term &&
         std::strcmp(term, "dumb") != 0;
}

int StderrColumns() {
  const int columns = TerminalColumns(STDERR_FILENO);
  return columns > 0 ? columns : 80;
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

Progress::Progress(size_t total, bool quiet, int concurrency)
    : Progress(total, ProgressOptions{.quiet = quiet,
                                      .live = StderrIsLiveTerminal(),
                                      .columns = StderrColumns,
                                      .concurrency = concurrency}) {}

Progress::Progress(size_t total, ProgressOptions options)
    : total_(total),
      options_(std::move(options)),
      out_(options_.out ? *options_.out : std::cerr),
      eta_(options_.concurrency) {}

Progress::ModelLine& Progress::Line(const std::string& model) {
  for (ModelLine& m : models_) {
    if (m.name == model) return m;
  }
  models_.push_back({.name = model});
  return models_.back();
}

std::string Progress::ShownLocked(const std::string& model) const {
  std::vector<std::string> names;
  for (const ModelLine& m : models_) names.push_back(m.name);
  return results::DisplayModelNameMap(names).at(model);
}

void Progress::Expect(const std::string& model, size_t attempts,
                      double weight) {
  std::lock_guard lock(mu_);
  Line(model).total += attempts;
  expected_weight_ += static_cast<double>(attempts) * (weight > 0 ? weight : 1);
}

std::optional<double> Progress::SecondsLeftLocked() const {
  return eta_.SecondsLeft(total_ - std::min(done_, total_),
                          expected_weight_ - done_weight_);
}

void Progress::Start() {
  std::lock_guard lock(mu_);
  if (options_.live && !options_.quiet) RedrawLocked("");
}

std::string Progress::StatusLine(const ModelLine& m, const std::string& name,
                                 size_t name_width) const {
  std::string line = name + std::string(name_width - name.size(), ' ') + "  ";
  line += std::to_string(m.done);
  if (m.total > 0) line += "/" + std::to_string(m.total);
  line += "  " + std::to_string(m.passed) + " passed  " +
          std::to_string(m.failed) + " failed  " + std::to_string(m.errors) +
          " errors  ";
  if (m.total > 0 && static_cast<size_t>(m.done) >= m.total) {
    line += "done";
    return line;
  }
  // The models' attempts are interleaved, so each one ends about when the
  // whole run does.
  const std::optional<double> left =
      m.total == 0 ? std::nullopt : SecondsLeftLocked();
  line += "ETA " + (left ? FormatDuration(*left) : "-");
  return line;
}

void Progress::RedrawLocked(const std::string& log) {
  // Up to the top of the block, then clear it and everything below: a log
  // line wider than the terminal wrapped onto the rows of the old block,
  // and clearing row by row would leave their tails. A line drawn before
  // the terminal was made narrower now takes several rows.
  const int width = options_.columns ? options_.columns() : options_.width;
  size_t rows = 0;
  for (size_t n : drawn_) {
    rows += width > 0 && n > static_cast<size_t>(width)
                ? (n + width - 1) / width
                : 1;
  }
  std::string s;
  if (rows > 0) s += "\x1b[" + std::to_string(rows) + "A";
  s += "\r\x1b[J";
  if (!log.empty()) s += log + "\n";
  std::vector<std::string> names;
  for (const ModelLine& m : models_) names.push_back(m.name);
  const std::vector<std::string> shown = results::DisplayModelNames(names);
  size_t name_width = 0;
  for (const std::string& n : shown)
    name_width = std::max(name_width, n.size());
  drawn_.clear();
  for (size_t i = 0; i < models_.size(); ++i) {
    std::string line = StatusLine(models_[i], shown[i], name_width);
    if (width > 4 && line.size() >= static_cast<size_t>(width)) {
      line.resize(width - 4);
      line += "...";
    }
    s += line + "\n";
    drawn_.push_back(line.size());
  }
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
                    const std::string& detail, double wall_ms, double weight) {
  std::lock_guard lock(mu_);
  ++done_;
  done_weight_ += weight > 0 ? weight : 1;
  eta_.Finished(wall_ms / 1000, weight);
  ModelLine& m = Line(model);
  ++m.done;
  if (outcome == "passed") ++m.passed;
  if (outcome == "failed") ++m.failed;
  if (outcome == "error") ++m.errors;
  if (options_.quiet) return;
  const std::optional<double> left = SecondsLeftLocked();
  const std::string name = ShownLocked(model);
  std::string line =
      "[" + std::to_string(done_) + "/" + std::to_string(total_) + " ETA " +
      (left ? FormatDuration(*left) : "-") + "] " + name + " " + task;
  if (epoch > 0) line += " #" + std::to_string(util::Ordinal(epoch));
  char tail[64];
  std::snprintf(tail, sizeof tail, " (%.1fs; ", wall_ms / 1000);
  line += ": " + outcome;
  if (!detail.empty()) line += " - " + detail;
  line += std::string(tail) + name + " " + std::to_string(m.passed) + "/" +
          std::to_string(m.done) + " passed)";
  if (options_.live) {
    // Passes are summarized by the status lines; the rest is worth reading.
    RedrawLocked(outcome == "passed" ? "" : line);
  } else {
    out_ << line + "\n" << std::flush;
  }
}

}  // namespace endstate::cli
