// The live progress display of `endstate run` on a real pseudo-terminal
// 40 columns wide: the width comes from the terminal (TIOCGWINSZ, with
// COLUMNS unset), status lines are cut to fit, and every redraw clears the
// old block first.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <sstream>

#include "tests/evaluator/tiny_suite.h"
#include "util/files.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

// Everything the child writes to the terminal until it exits (at most
// 120 s); *status receives its wait status.
std::string ReadUntilExit(int master, pid_t pid, int* status) {
  std::string out;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{.fd = master, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 1000) < 0) break;
    if (p.revents & (POLLIN | POLLHUP)) {
      char buf[4096];
      const ssize_t n = read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO: the child closed the terminal
      out.append(buf, static_cast<size_t>(n));
    }
  }
  waitpid(pid, status, 0);
  return out;
}

TEST(ProgressPty, FitsTheTerminalAndClearsBeforeEachRedraw) {
  std::string err;
  const fs::path root =
      util::MakeTempDir(fs::temp_directory_path(), "progress-pty-", &err);
  ASSERT_FALSE(root.empty()) << err;
  const std::string suite = test::WriteTinySuite(root / "suite").string();
  const std::string db = (root / "a.db").string();
  winsize ws{};
  ws.ws_row = 24;
  ws.ws_col = 40;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("TERM", "xterm", 1);
    unsetenv("COLUMNS");
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);  // the table; only progress reaches the pty
    execl(ENDSTATE_BINARY, "endstate", "run", "--tasks", suite.c_str(),
          "--model", "builtin:oracle", "--model", "builtin:null",
          "--concurrency", "1", "--db", db.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  const std::string out = ReadUntilExit(master, pid, &status);
  close(master);
  fs::remove_all(root);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(0, WEXITSTATUS(status)) << out;
  // The first block: both status lines cut to 39 columns.
  EXPECT_NE(std::string::npos,
            out.find("\r\x1b[Jbuiltin:oracle  0/1  0 passed  0 fai...\r\n"
                     "builtin:null    0/1  0 passed  0 fai...\r\n"))
      << out;
  // null's failure is logged in full, on a cleared screen, above a
  // redrawn block.
  EXPECT_NE(std::string::npos,
            out.find("\x1b[2A\r\x1b[J[2/2 ETA 0s] builtin:null tiny-title: "
                     "failed"))
      << out;
  // No status line is wider than the terminal.
  const std::regex escape("\x1b\\[[0-9]*[A-Za-z]");
  std::istringstream lines(std::regex_replace(out, escape, ""));
  int status_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("\r", 0) == 0) line.erase(0, 1);
    if (line.rfind("builtin:", 0) != 0) continue;
    ++status_lines;
    EXPECT_LT(line.size(), 40u) << line;
  }
  EXPECT_EQ(6, status_lines) << out;  // 2 lines x (start + 2 attempts)
}

}  // namespace
}  // namespace endstate
