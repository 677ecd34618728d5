// Ctrl-C and SIGTERM during `endstate run` (docs/cli.md, "Stopping a run").
// The first SIGINT or SIGTERM asks the run to stop (util::RequestStop: no
// new attempt starts, those in flight end as `cancelled` within about a
// second) and calls `on_first` on a watcher thread; a second one writes the
// exit message and ends the process at once with exit code 130
// (kExitInterrupted).
//
// The handler does only async-signal-safe things: it writes one byte to a
// self-pipe (first signal) or write(2)s a prepared message and calls
// _exit (second); everything else happens on the watcher thread.
//
// One instance at a time per process (the handlers are process-wide);
// construct and destroy it on the main thread. Signals arriving after the
// destructor get their previous dispositions back.
#pragma once

#include <functional>
#include <string>
#include <thread>

namespace endstate::cli {

// The exit code of a run stopped by SIGINT or SIGTERM (128 + SIGINT).
inline constexpr int kExitInterrupted = 130;

class StopSignals {
 public:
  // Installs the handlers. `on_first(signal)` runs once, on the watcher
  // thread, right after util::RequestStop(); it must not throw.
  explicit StopSignals(std::function<void(int)> on_first);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The text a second signal writes to stderr before exiting (at most 1023
  // bytes, cut beyond). Thread-safe with the handler.
  void SetExitMessage(const std::string& text);

  // Whether the pipe and handlers were installed (false only when pipe(2)
  // or sigaction(2) failed: signals then keep their default action).
  bool installed() const { return installed_; }

 private:
  void Watch(int read_fd);

  std::function<void(int)> on_first_;
  int pipe_[2] = {-1, -1};
  bool installed_ = false;
  std::thread watcher_;
};

}  // namespace endstate::cli
