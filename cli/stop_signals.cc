// Life of a stop: the kernel runs OnSignal on some thread; the first call
// writes the signal number to the self-pipe and returns; the watcher thread
// wakes, calls util::RequestStop() (which every long wait in the run polls)
// and on_first. A second call writes the prepared message and _exits: no
// lock, no allocation, nothing that could deadlock a thread it interrupted.
#include "cli/stop_signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "util/stop.h"

namespace endstate::cli {
namespace {

constexpr size_t kMaxMessage = 1024;

// Shared with the handler: lock-free atomics and a fixed buffer only.
std::atomic<int> g_signals{0};
std::atomic<int> g_pipe_write{-1};
char g_message[kMaxMessage];
std::atomic<size_t> g_message_len{0};
struct sigaction g_old_int, g_old_term;

// The byte the destructor writes to end the watcher (not a signal number).
constexpr unsigned char kQuit = 0xFF;

void OnSignal(int sig) {
  const int saved_errno = errno;
  if (g_signals.fetch_add(1) > 0) {
    const size_t len = g_message_len.load();
    if (len > 0) {
      ssize_t ignored = write(STDERR_FILENO, g_message, len);
      (void)ignored;
    }
    _exit(kExitInterrupted);
  }
  const int fd = g_pipe_write.load();
  if (fd >= 0) {
    const unsigned char byte = static_cast<unsigned char>(sig);
    ssize_t ignored = write(fd, &byte, 1);
    (void)ignored;
  }
  errno = saved_errno;
}

}  // namespace

StopSignals::StopSignals(std::function<void(int)> on_first)
    : on_first_(std::move(on_first)) {
  g_signals = 0;
  g_message_len = 0;
  if (pipe2(pipe_, O_CLOEXEC) != 0) return;
  g_pipe_write = pipe_[1];
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (sigaction(SIGINT, &sa, &g_old_int) != 0) return;
  if (sigaction(SIGTERM, &sa, &g_old_term) != 0) {
    sigaction(SIGINT, &g_old_int, nullptr);
    return;
  }
  installed_ = true;
  watcher_ = std::thread([this, fd = pipe_[0]] { Watch(fd); });
}

StopSignals::~StopSignals() {
  if (installed_) {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    const unsigned char quit = kQuit;
    ssize_t ignored = write(pipe_[1], &quit, 1);
    (void)ignored;
    watcher_.join();
  }
  g_pipe_write = -1;
  for (int fd : pipe_) {
    if (fd >= 0) close(fd);
  }
}

void StopSignals::SetExitMessage(const std::string& text) {
  g_message_len = 0;  // the handler writes nothing while the text changes
  const size_t n = std::min(text.size(), kMaxMessage - 1);
  std::memcpy(g_message, text.data(), n);
  g_message_len = n;
}

void StopSignals::Watch(int read_fd) {
  for (;;) {
    unsigned char byte = 0;
    const ssize_t n = read(read_fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == kQuit) return;
    util::RequestStop();
    if (on_first_) on_first_(byte);
  }
}

}  // namespace endstate::cli
