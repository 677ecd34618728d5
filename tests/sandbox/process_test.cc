// RunProcess against the real bubblewrap: isolation, limits, tree kill.
#include "sandbox/process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/loopback_listener.h"
#include "util/stop.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

ProcessSpec Bash(const std::string& command) {
  ProcessSpec spec;
  spec.argv = {"/bin/bash", "-c", command};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  return spec;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/es-process-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

ProcessSpec Argv(std::vector<std::string> argv, bool isolate = true) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.isolate = isolate;
  return spec;
}

Mount MountOf(const fs::path& host, const std::string& inside, bool writable) {
  Mount m;
  m.host = host;
  m.inside = inside;
  m.writable = writable;
  return m;
}

TEST(BwrapPathTest, FindsInstalledBwrap) {
  EXPECT_EQ("/usr/bin/bwrap", BwrapPath());
}

TEST(RunProcessTest, TrueSucceeds) {
  ProcessResult r = RunProcess(Argv({"/usr/bin/true"}));
  EXPECT_TRUE(r.started) << r.error;
  EXPECT_EQ(0, r.exit_code);
  EXPECT_EQ(0, r.signal);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ("", r.out);
  EXPECT_EQ("", r.err);
}

TEST(RunProcessTest, ReportsExitCodeAndOutput) {
  ProcessResult r = RunProcess(Bash("echo hello; echo oops >&2; exit 3"));
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(3, r.exit_code);
  EXPECT_EQ(0, r.signal);
  EXPECT_EQ("hello\n", r.out);
  EXPECT_EQ("oops\n", r.err);
}

TEST(RunProcessTest, PassesStdinAndEnvAndWorkdir) {
  ProcessSpec spec = Bash("cat; echo \"$GREETING\"; pwd; env | wc -l");
  spec.stdin_data = "from stdin\n";
  spec.env.push_back({"GREETING", "hi there"});
  spec.workdir = "/tmp";
  ProcessResult r = RunProcess(spec);
  // The environment is exactly spec.env (PATH, GREETING and bash's own PWD,
  // SHLVL and _).
  EXPECT_EQ("from stdin\nhi there\n/tmp\n5\n", r.out) << r.err;
}

TEST(RunProcessTest, RejectsRelativeArgv0) {
  ProcessResult r = RunProcess(Argv({"bash", "-c", "true"}));
  EXPECT_FALSE(r.started);
  EXPECT_EQ("argv[0] is not an absolute path: 'bash'", r.error);
  r = RunProcess(Argv({}));
  EXPECT_EQ("empty argv", r.error);
}

TEST(RunProcessTest, PlainRunReportsMissingExecutable) {
  ProcessResult r = RunProcess(Argv({"/nonexistent/tool"}, false));
  EXPECT_FALSE(r.started);
  EXPECT_EQ("cannot start /nonexistent/tool: No such file or directory",
            r.error);
}

TEST(RunProcessTest, RunsAsUnprivilegedUserWithoutCapabilities) {
  ProcessResult r =
      RunProcess(Bash("id -u; id -g; grep CapEff /proc/self/status; hostname"));
  EXPECT_EQ("1000\n1000\nCapEff:\t0000000000000000\nsandbox\n", r.out) << r.err;
}

TEST(RunProcessTest, HasNoNetwork) {
  test::LoopbackListener listener;
  std::string port = std::to_string(listener.port());
  // The same probe succeeds outside the sandbox, so the test can fail.
  ProcessSpec plain = Bash("echo > /dev/tcp/127.0.0.1/" + port);
  plain.isolate = false;
  EXPECT_EQ(0, RunProcess(plain).exit_code);

  ProcessResult r = RunProcess(Bash("echo > /dev/tcp/127.0.0.1/" + port));
  EXPECT_EQ(1, r.exit_code);
  EXPECT_NE(std::string::npos, r.err.find("Connection refused")) << r.err;
  r = RunProcess(
      Bash("curl -sS -m 5 http://127.0.0.1:" + port + "/ >/dev/null"));
  EXPECT_EQ(7, r.exit_code) << r.err;  // curl: couldn't connect
  r = RunProcess(Bash("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"));
  EXPECT_EQ("lo\n", r.out);
}

TEST(RunProcessTest, SystemIsReadOnlyAndPrivateDirsInvisible) {
  ProcessResult r =
      RunProcess(Bash("touch /usr/x 2>&1; touch /etc/x 2>&1; "
                      "touch /x 2>&1; ls /; ls /root 2>&1; "
                      "ls /var 2>&1"));
  EXPECT_EQ(
      "touch: cannot touch '/usr/x': Read-only file system\n"
      "touch: cannot touch '/etc/x': Read-only file system\n"
      "touch: cannot touch '/x': Read-only file system\n"
      "bin\ndev\netc\nlib\nlib64\nproc\nsbin\ntmp\nusr\n"
      "ls: cannot access '/root': No such file or directory\n"
      "ls: cannot access '/var': No such file or directory\n",
      r.out);
  EXPECT_FALSE(fs::exists("/usr/x"));
}

TEST(RunProcessTest, HidesSecretsBelowEtc) {
  // Inside, uid 1000 is root outside and would own (and read) /etc/shadow.
  // Covered by /dev/null, which a user namespace cannot open (nodev).
  ProcessResult r = RunProcess(
      Bash("cat /etc/shadow 2>&1; cat /etc/ssh/ssh_host_ed25519_key 2>&1; "
           "cat /etc/ssh/ssh_host_ed25519_key.pub | cut -c1-11"));
  EXPECT_EQ(
      "cat: /etc/shadow: Permission denied\n"
      "cat: /etc/ssh/ssh_host_ed25519_key: Permission denied\n"
      "ssh-ed25519\n",
      r.out);
}

TEST(RunProcessTest, MountsAreWritableOnlyWhenAsked) {
  TempDir rw, ro;
  std::ofstream(ro.path() / "in.txt") << "read me";
  ProcessSpec spec = Bash(
      "echo written > /w/out.txt && cat /r/in.txt && "
      "(echo x > /r/new.txt) 2>&1; touch /tmp/scratch && echo tmp-ok");
  spec.mounts = {MountOf(rw.path(), "/w", true),
                 MountOf(ro.path(), "/r", false)};
  spec.workdir = "/w";
  ProcessResult r = RunProcess(spec);
  EXPECT_EQ(
      "read me/bin/bash: line 1: /r/new.txt: Read-only file system\ntmp-ok\n",
      r.out);
  std::ifstream in(rw.path() / "out.txt");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ("written\n", content);
  EXPECT_FALSE(fs::exists(ro.path() / "new.txt"));
}

// Like `pgrep -f`: whether any live process has `pattern` in its command
// line (read from /proc, so no helper shell matches itself).
bool AnyProcessMatches(const std::string& pattern) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(pattern) != std::string::npos) return true;
  }
  return false;
}

// A sleep command unique to this test process (`sleep 101.25<pid>`), so
// concurrent runs of the suite never see each other's processes; match it
// with a trailing space (the end of its argv) so pid 123 never matches 1234.
std::string Sleep(const std::string& seconds) {
  return "sleep " + seconds + std::to_string(getpid());
}

// The probe itself must see a live process, or the tests below prove nothing.
TEST(RunProcessTest, ProcessProbeSeesLiveProcesses) {
  std::string arg = Sleep("104.5").substr(6);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sleep", "sleep", arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // exec may take a while on a loaded machine: poll up to 5 s.
  bool seen = false;
  for (int i = 0; i < 500 && !seen; ++i) {
    seen = AnyProcessMatches(Sleep("104.5") + " ");
    if (!seen) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(seen);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_FALSE(AnyProcessMatches(Sleep("104.5") + " "));
}

TEST(RunProcessTest, TimeoutKillsWholeTree) {
  // Distinctive durations so pgrep finds only ours.
  ProcessSpec spec =
      Bash(Sleep("101.25") + " & setsid " + Sleep("101.5") +
           " & (trap '' TERM; " + Sleep("101.75") + ") & echo started; wait");
  spec.limits.timeout = milliseconds(500);
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = RunProcess(spec);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.started);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(SIGKILL, r.signal);
  EXPECT_EQ(-1, r.exit_code);
  EXPECT_EQ("started\n", r.out);
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_FALSE(AnyProcessMatches(Sleep("101.25") + " "));
  EXPECT_FALSE(AnyProcessMatches(Sleep("101.5") + " "));
  EXPECT_FALSE(AnyProcessMatches(Sleep("101.75") + " "));
}

TEST(RunProcessTest, PlainRunTimeoutKillsWholeTree) {
  ProcessSpec spec =
      Bash(Sleep("102.25") + " & (" + Sleep("102.5") + ") & wait");
  spec.isolate = false;
  spec.limits.timeout = milliseconds(300);
  ProcessResult r = RunProcess(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(SIGKILL, r.signal);
  EXPECT_FALSE(AnyProcessMatches(Sleep("102.25") + " "));
  EXPECT_FALSE(AnyProcessMatches(Sleep("102.5") + " "));
}

TEST(RunProcessTest, BackgroundJobsDieWhenCommandExits) {
  ProcessResult r =
      RunProcess(Bash("setsid " + Sleep("103.5") + " & echo done"));
  EXPECT_EQ("done\n", r.out);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(AnyProcessMatches(Sleep("103.5") + " "));
}

TEST(RunProcessTest, OutputIsCappedPerStream) {
  ProcessSpec spec = Bash("yes | head -c 10M; yes err | head -c 100 >&2");
  spec.limits.max_output_bytes = 1000;
  ProcessResult r = RunProcess(spec);
  EXPECT_EQ(0, r.exit_code);
  EXPECT_TRUE(r.output_truncated);
  EXPECT_EQ(1000u, r.out.size());
  EXPECT_EQ("y\ny\n", r.out.substr(0, 4));
  EXPECT_EQ(100u, r.err.size());

  spec = Bash("echo short");
  spec.limits.max_output_bytes = 1000;
  EXPECT_FALSE(RunProcess(spec).output_truncated);
}

TEST(RunProcessTest, ReportsDeathBySignal) {
  ProcessResult r = RunProcess(Bash("kill -SEGV $$"));
  EXPECT_EQ(SIGSEGV, r.signal);
  EXPECT_EQ(128 + SIGSEGV, r.exit_code);  // bwrap's convention

  ProcessSpec plain = Bash("kill -KILL $$");
  plain.isolate = false;
  r = RunProcess(plain);
  EXPECT_EQ(SIGKILL, r.signal);
  EXPECT_EQ(-1, r.exit_code);

  plain = Bash("exit 137");
  plain.isolate = false;
  r = RunProcess(plain);
  EXPECT_EQ(0, r.signal);
  EXPECT_EQ(137, r.exit_code);
}

TEST(RunProcessTest, MemoryLimitHolds) {
  ProcessSpec spec =
      Bash("/usr/bin/python3 -c 'b = bytearray(4 << 30); print(len(b))'");
  ProcessResult r = RunProcess(spec);
  EXPECT_EQ(1, r.exit_code);
  EXPECT_NE(std::string::npos, r.err.find("MemoryError")) << r.err;

  spec = Bash("/usr/bin/python3 -c 'b = bytearray(64 << 20); print(len(b))'");
  EXPECT_EQ("67108864\n", RunProcess(spec).out);
}

TEST(RunProcessTest, FileSizeLimitHolds) {
  ProcessSpec spec = Bash("head -c 2M /dev/zero > /tmp/big; echo $?");
  spec.limits.max_file_bytes = 1 << 20;
  ProcessResult r = RunProcess(spec);
  EXPECT_EQ("153\n", r.out);  // head killed by SIGXFSZ (128 + 25)
}

TEST(RunProcessTest, TmpIsBoundedTmpfs) {
  // /tmp holds max(64 MiB, 4 x max_file_bytes).
  ProcessSpec spec = Bash(
      "for i in 1 2 3 4 5 6 7 8 9; do "
      "head -c 8M /dev/zero > /tmp/f$i || { echo full at $i; break; }; done");
  spec.limits.max_file_bytes = 8 << 20;
  ProcessResult r = RunProcess(spec);
  EXPECT_EQ("full at 9\n", r.out);  // 8 x 8 MiB fill it exactly
  EXPECT_EQ("head: error writing 'standard output': No space left on device\n",
            r.err);
}

TEST(RunProcessTest, ProcessCountIsBounded) {
  ASSERT_TRUE(fs::exists("/sys/fs/cgroup/pids/tasks"))
      << "no cgroup v1 pids controller: the process limit cannot hold here";
  // Forks until refused; bwrap's monitor and its pid-1 init and python
  // itself take 3 of the 20.
  ProcessSpec spec = Bash(
      "/usr/bin/python3 -c '\n"
      "import os, time\n"
      "n = 0\n"
      "for i in range(60):\n"
      "  try:\n"
      "    pid = os.fork()\n"
      "  except OSError:\n"
      "    break\n"
      "  if pid == 0:\n"
      "    time.sleep(100.125" +
      std::to_string(getpid()) +
      ")\n"
      "    os._exit(0)\n"
      "  n += 1\n"
      "print(n)'");
  spec.limits.max_pids = 20;
  ProcessResult r = RunProcess(spec);
  EXPECT_EQ("17\n", r.out) << r.err;
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(AnyProcessMatches("time.sleep(100.125" +
                                 std::to_string(getpid()) + ")\n"));

  // A fork bomb stays bounded and is cleaned up at the timeout.
  const std::string bomb = "bomb" + std::to_string(getpid());
  spec = Bash(bomb + "() { " + bomb + " | " + bomb + " & }; " + bomb +
              "; sleep 100");
  spec.limits.max_pids = 30;
  spec.limits.timeout = milliseconds(1500);
  r = RunProcess(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(AnyProcessMatches(bomb + " | " + bomb));
}

TEST(RunProcessTest, ConcurrentRunsAreIndependent) {
  std::vector<std::thread> threads;
  std::vector<std::string> outs(6);
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([i, &outs] {
      outs[i] = RunProcess(Bash("echo " + std::to_string(i))).out;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(std::to_string(i) + "\n", outs[i]);
}

}  // namespace
}  // namespace endstate::sandbox

namespace endstate::sandbox {
namespace {

// A stopped run (util/stop.h) does not wait for the agent's commands: a
// child run with abort_on_stop is killed within the 100 ms poll; one
// without it (a grader's command) runs to its end.
TEST(RunProcessTest, AbortOnStopKillsTheTreeSoon) {
  ProcessSpec spec = Bash("sleep 20");
  spec.abort_on_stop = true;
  std::thread stopper([] {
    std::this_thread::sleep_for(milliseconds(200));
    util::RequestStop();
  });
  const auto start = std::chrono::steady_clock::now();
  ProcessResult r = RunProcess(spec);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_TRUE(r.stopped);
  EXPECT_FALSE(r.timed_out);
  ProcessResult plain = RunProcess(Bash("sleep 0.3; echo done"));
  util::ClearStopForTest();
  EXPECT_FALSE(plain.stopped);
  EXPECT_EQ("done\n", plain.out);
}

}  // namespace
}  // namespace endstate::sandbox
