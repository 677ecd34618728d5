// Containment of the two command paths a model controls, run_shell
// (World::RunShell) and ssh_exec (World::RunOnHost through the host's sshd),
// against one real World: real bubblewrap, real sshd, real fixture server.
// Each attack runs on both paths; where practical the same probe first runs
// unconfined (RunProcess with isolate = false) to show it would succeed,
// so every test can fail. docs/security.md lists the observed results.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "sandbox/process.h"
#include "sandbox/world.h"
#include "tests/support/loopback_listener.h"
#include "util/files.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What either path reports, in one shape.
struct Outcome {
  int exit_code = -1;
  std::string out, err;
  bool timed_out = false;
  bool truncated = false;
  Clock::duration took{};
};

// Runs `command` unconfined on the host (the control of each probe).
Outcome Unconfined(const std::string& command) {
  ProcessSpec spec;
  spec.argv = {"/bin/bash", "-c", command};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  spec.isolate = false;
  ProcessResult r = RunProcess(spec);
  return {.exit_code = r.exit_code, .out = r.out, .err = r.err};
}

// Number of live processes whose command line contains `marker` (from
// /proc, so the scan never matches itself).
int CountProcesses(const std::string& marker) {
  int n = 0;
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::ifstream in(it->path() / "cmdline");
    std::string line((std::istreambuf_iterator<char>(in)), {});
    std::replace(line.begin(), line.end(), '\0', ' ');
    if (line.find(marker) != std::string::npos) ++n;
  }
  return n;
}

// Polls until no process matches `marker`, for at most 3 s (SIGKILL is
// delivered asynchronously); returns how long it took.
Clock::duration WaitForNoProcess(const std::string& marker) {
  const auto start = Clock::now();
  while (CountProcesses(marker) > 0 &&
         Clock::now() - start < std::chrono::seconds(3)) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  return Clock::now() - start;
}

// `script` run by python3 from a quoted here-document.
std::string Python(const std::string& script) {
  return "/usr/bin/python3 - <<'EOF'\n" + script + "EOF\n";
}

enum class Path { kRunShell, kSshExec };

// Names the path in test listings (ctest) instead of a byte dump.
void PrintTo(Path p, std::ostream* os) {
  *os << (p == Path::kRunShell ? "run_shell" : "ssh_exec");
}

constexpr int kMaxPids = 40;
constexpr uint64_t kMaxFileBytes = 1 << 20;  // /tmp is then 64 MiB

class ContainmentTest : public ::testing::TestWithParam<Path> {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::path("/var/tmp") /
                         ("es-containment-" + std::to_string(getpid())));
    fs::remove_all(*root_);
    fs::create_directories(*root_ / "task/site");
    fs::create_directories(*root_ / "task/prod/www");
    fs::create_directories(*root_ / "canary");
    util::WriteFile(*root_ / "task/site/index.html", "<h1>site</h1>");
    tasks::Task task;
    task.id = "containment";
    task.world.sites = {{"site.test", *root_ / "task/site"}};
    tasks::HostSpec host;
    host.name = "prod.test";
    host.files = *root_ / "task/prod";
    task.world.hosts = {host};
    WorldOptions options;
    options.base = *root_ / "worlds";
    options.shell.max_pids = kMaxPids;
    options.shell.max_file_bytes = kMaxFileBytes;
    std::string err;
    world_ = World::Create(task, options, &err).release();
    ASSERT_NE(nullptr, world_) << err;
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
    fs::remove_all(*root_);
    delete root_;
  }
  void SetUp() override { ASSERT_NE(nullptr, world_); }

  // Runs `command` on the path under test with `timeout` and output cap.
  Outcome Run(const std::string& command,
              milliseconds timeout = milliseconds(10'000),
              size_t max_output = 64 << 10) {
    ShellLimits limits = world_->options().shell;
    limits.timeout = timeout;
    limits.max_output_bytes = max_output;
    Outcome o;
    const auto start = Clock::now();
    if (GetParam() == Path::kRunShell) {
      ProcessResult r = world_->RunShell(command, limits);
      EXPECT_TRUE(r.started) << r.error;
      o = {.exit_code = r.exit_code,
           .out = r.out,
           .err = r.err,
           .timed_out = r.timed_out,
           .truncated = r.output_truncated};
    } else {
      ExecResult r;
      std::string err;
      EXPECT_TRUE(world_->RunOnHost("prod.test", command, limits, &r, &err))
          << err;
      o = {.exit_code = r.exit_code,
           .out = r.out,
           .err = r.err,
           .timed_out = r.timed_out,
           .truncated = r.output_truncated};
    }
    o.took = Clock::now() - start;
    return o;
  }
  // A marker unique to this test process and path, for process scans.
  std::string Marker(const std::string& base) const {
    return base + std::to_string(getpid()) +
           (GetParam() == Path::kRunShell ? "1" : "2");
  }

  static fs::path* root_;
  static World* world_;
};

fs::path* ContainmentTest::root_ = nullptr;
World* ContainmentTest::world_ = nullptr;

TEST_P(ContainmentTest, HostSecretsAreNotReadable) {
  const DeployHost& host = world_->deploy_hosts()[0];
  const std::string key = host.ssh.private_key.string();
  const std::string probe = "cat /etc/shadow " + key +
                            " >/dev/null 2>&1 && echo read; ls /root "
                            ">/dev/null 2>&1 && echo listed; true";
  // Unconfined, the run's own client key, /etc/shadow and /root are there.
  EXPECT_EQ("read\nlisted\n", Unconfined(probe).out);

  Outcome o =
      Run(probe + "; cat /etc/shadow " + key + " " +
          (host.ssh.known_hosts.parent_path() / "sshd_config").string() +
          " 2>&1; ls /root " + world_->dir().string() + " 2>&1");
  EXPECT_EQ(
      "cat: /etc/shadow: Permission denied\n"
      "cat: " +
          key +
          ": No such file or directory\n"
          "cat: " +
          (host.ssh.known_hosts.parent_path() / "sshd_config").string() +
          ": No such file or directory\n"
          "ls: cannot access '/root': No such file or directory\n"
          "ls: cannot access '" +
          world_->dir().string() + "': No such file or directory\n",
      o.out);
}

TEST_P(ContainmentTest, WritesOutsideTheWorldGoNowhere) {
  const fs::path canary = *root_ / "canary";
  // (bash reports a failed redirection on its own stderr: hence { }.)
  const std::string probe =
      "touch " + (canary / "x").string() + " 2>&1; { echo x > " +
      (world_->dir() / "escape").string() + "; } 2>&1; true";
  // Unconfined the same writes land (then undone).
  Unconfined(probe);
  EXPECT_TRUE(fs::exists(canary / "x"));
  EXPECT_TRUE(fs::exists(world_->dir() / "escape"));
  fs::remove(canary / "x");
  fs::remove(world_->dir() / "escape");

  Outcome o = Run(probe +
                  "; for p in /x /usr/x /etc/x /bin/x; do touch $p "
                  "2>/dev/null && echo wrote $p; done; true");
  EXPECT_EQ("touch: cannot touch '" + (canary / "x").string() +
                "': No such file or directory\n"
                "/bin/bash: line 1: " +
                (world_->dir() / "escape").string() +
                ": No such file or directory\n",
            o.out);
  EXPECT_TRUE(fs::is_empty(canary));
  EXPECT_FALSE(fs::exists(world_->dir() / "escape"));
  EXPECT_FALSE(fs::exists("/usr/x"));
  EXPECT_FALSE(fs::exists("/etc/x"));
}

// `echo > /dev/tcp/ADDR/PORT` with a 3 s bound; prints the error (bash
// reports it twice: "connect: X" and "/dev/tcp/...: X") and the rc.
std::string Connect(const std::string& address, int port) {
  return "timeout 3 bash -c 'echo > /dev/tcp/" + address + "/" +
         std::to_string(port) +
         "' 2>&1 | sed 's/^.*: //' | uniq; echo rc=${PIPESTATUS[0]}; ";
}

TEST_P(ContainmentTest, OtherLoopbackPortsAreUnreachable) {
  test::LoopbackListener listener;
  const std::string address = *world_->HttpAddress("site.test");
  const int fixture_port = std::stoi(address.substr(address.find(':') + 1));
  const int sshd_port = world_->deploy_hosts()[0].ssh.port;
  const std::string probe = Connect("127.0.0.1", listener.port()) +
                            Connect("127.0.0.1", fixture_port) +
                            Connect("127.0.0.1", sshd_port);
  // Bash prints nothing when the connection succeeds.
  EXPECT_EQ("rc=0\nrc=0\nrc=0\n", Unconfined(probe).out);
  const std::string kRefused = "Connection refused\nrc=1\n";

  Outcome o = Run(probe + Connect("localhost", listener.port()) +
                  Connect("::1", listener.port()));
  EXPECT_EQ(kRefused + kRefused + kRefused + kRefused + kRefused, o.out);
}

TEST_P(ContainmentTest, PublicAddressesFailFast) {
  Outcome o = Run(Connect("1.1.1.1", 80) + Connect("169.254.169.254", 80) +
                  "getent hosts example.com; echo rc=$?");
  EXPECT_EQ(
      "Network is unreachable\nrc=1\nNetwork is unreachable\nrc=1\nrc=2\n",
      o.out);
  EXPECT_LT(o.took, std::chrono::seconds(2));
}

TEST_P(ContainmentTest, MountIsRefused) {
  Outcome o =
      Run("mount -o remount,rw / 2>&1; echo rc=$?; "
          "mount -t tmpfs none /tmp 2>&1; echo rc=$?; "
          "mount --bind /tmp /usr 2>&1; echo rc=$?; touch /usr/x 2>&1; "
          "unshare -Urm mount -t tmpfs none /usr 2>&1; echo rc=$?");
  const std::string kDmesg =
      "       dmesg(1) may have more information after failed mount system "
      "call.\nrc=32\n";
  EXPECT_EQ("mount: /: must be superuser to use mount.\n" + kDmesg +
                "mount: /tmp: must be superuser to use mount.\n" + kDmesg +
                "mount: /usr: must be superuser to use mount.\n" + kDmesg +
                "touch: cannot touch '/usr/x': Read-only file system\n"
                // A nested user namespace (a private mount namespace).
                "unshare: unshare failed: No space left on device\nrc=1\n",
            o.out);
}

// ptrace(PTRACE_ATTACH) on host processes: this test process and the
// host's sshd listener. They are outside the sandbox's pid namespace, so
// they cannot even be named. (Processes inside may trace each other, as
// on any host: the sandbox's PID 1 has no capabilities to win.)
TEST_P(ContainmentTest, PtraceReachesNoHostProcess) {
  const fs::path pid_file =
      world_->deploy_hosts()[0].ssh.known_hosts.parent_path() / "sshd.pid";
  const std::string sshd_pid = *util::ReadFile(pid_file);
  const std::string py =
      "import ctypes, os\n"
      "libc = ctypes.CDLL(None, use_errno=True)\n"
      "for name, pid in (('test', " +
      std::to_string(getpid()) + "), ('sshd', " + sshd_pid +
      ")):\n"
      "  r = libc.ptrace(16, pid, 0, 0)\n"
      "  print(name, r, os.strerror(ctypes.get_errno()) if r else "
      "'attached')\n";
  Outcome o = Run(Python(py) +
                  "grep CapEff /proc/1/status; "
                  "ls /proc | grep -c '^[0-9]' | awk '{print ($1 < 10)}'");
  EXPECT_EQ(
      "test -1 No such process\n"
      "sshd -1 No such process\n"
      "CapEff:\t0000000000000000\n"
      "1\n",
      o.out)
      << o.err;
}

TEST_P(ContainmentTest, DetachedProcessesDieAtTheTimeout) {
  const std::string m = Marker("97.");
  Outcome o = Run("setsid sh -c '(sleep " + m + " &) ; sleep " + m +
                      "' & (trap '' TERM HUP; nohup sleep " + m +
                      " >/dev/null 2>&1 &); sleep 0.2; for f in "
                      "/proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; "
                      "done | grep -c '^sleep " +
                      m + "'; sleep " + m,
                  milliseconds(800));
  EXPECT_EQ("3\n", o.out);  // all three were alive inside
  EXPECT_TRUE(o.timed_out);
  EXPECT_LT(o.took, std::chrono::seconds(3));
  Clock::duration until_gone = WaitForNoProcess("sleep " + m);
  EXPECT_EQ(0, CountProcesses("sleep " + m));
  RecordProperty(
      "survivors_gone_ms",
      std::to_string(
          std::chrono::duration_cast<milliseconds>(until_gone).count()));
}

TEST_P(ContainmentTest, ForkBombIsBounded) {
  const std::string m = Marker("96.");
  // Forks until refused (each child sleeps), prints how many it got.
  const std::string py =
      "import os, time\n"
      "n = 0\n"
      "for i in range(300):\n"
      "  try:\n"
      "    pid = os.fork()\n"
      "  except OSError:\n"
      "    break\n"
      "  if pid == 0:\n"
      "    time.sleep(" +
      m +
      ")\n"
      "    os._exit(0)\n"
      "  n += 1\n"
      "print(n)\n";
  Outcome o = Run(Python(py));
  ASSERT_FALSE(o.out.empty()) << o.err;
  const int forks = std::stoi(o.out);
  RecordProperty("forks", forks);
  // run_shell: a pids cgroup of kMaxPids per run (bwrap and python take 3).
  // ssh_exec: one of kMaxPids + 8 per host, shared with sshd and the
  // wrapper (7 of it for one session). Unbounded, the loop reaches 300.
  EXPECT_LE(forks,
            GetParam() == Path::kRunShell ? kMaxPids - 3 : kMaxPids + 8 - 7);
  EXPECT_GT(forks, kMaxPids / 2) << o.err.substr(0, 300);
  WaitForNoProcess("time.sleep(" + m + ")");
  EXPECT_EQ(0, CountProcesses("time.sleep(" + m + ")"));

  // The classic bomb stays bounded and is gone after the timeout.
  const std::string bomb = "bomb" + m.substr(3);
  o = Run(bomb + "() { " + bomb + " | " + bomb + " & }; " + bomb + "; sleep 30",
          milliseconds(1000));
  // Normally killed at the timeout; bash may also give up forking first.
  EXPECT_LT(o.took, std::chrono::seconds(3)) << o.err.substr(0, 300);
  const Clock::duration until_gone = WaitForNoProcess(bomb);
  EXPECT_EQ(0, CountProcesses(bomb + " | " + bomb))
      << "after "
      << std::chrono::duration_cast<milliseconds>(until_gone).count() << " ms";
  // The path still works afterwards.
  Outcome after = Run("echo ok");
  EXPECT_EQ("ok\n", after.out) << after.err;
}

TEST_P(ContainmentTest, MemoryBombFails) {
  Outcome o =
      Run("/usr/bin/python3 -c 'b = bytearray(4 << 30); print(len(b))' 2>&1 "
          "| tail -n 1; /usr/bin/python3 -c 'b = bytearray(64 << 20); "
          "print(len(b))'");
  EXPECT_EQ("MemoryError\n67108864\n", o.out);
}

TEST_P(ContainmentTest, DiskFillIsBounded) {
  // One file: max_file_bytes (1 MiB).
  Outcome o =
      Run("head -c 2M /dev/zero > /tmp/big 2>/dev/null; "
          "stat -c %s /tmp/big; rm /tmp/big");
  EXPECT_EQ("1048576\n", o.out);
  // /tmp in total: a tmpfs of 64 MiB.
  o = Run(
      "df -B1M --output=size /tmp | tail -n 1 | tr -d ' '; "
      "for i in $(seq 1 70); do head -c 1M /dev/zero > /tmp/f$i 2>/dev/null "
      "|| { echo full at $i; break; }; done");
  EXPECT_EQ("64\nfull at 65\n", o.out);  // 64 files of 1 MiB fill it
}

TEST_P(ContainmentTest, EndlessOutputIsCapped) {
  Outcome o = Run("yes", milliseconds(1000), 1000);
  EXPECT_TRUE(o.timed_out);
  EXPECT_TRUE(o.truncated);
  EXPECT_EQ(1000u, o.out.size());
  EXPECT_LT(o.took, std::chrono::seconds(3));
  // A finite flood is drained past the cap: the command ends normally.
  o = Run("head -c 20M /dev/zero; echo done >&2", milliseconds(10'000), 1000);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(0, o.exit_code);
  EXPECT_EQ(1000u, o.out.size());
  EXPECT_EQ("done\n", o.err);
}

INSTANTIATE_TEST_SUITE_P(BothPaths, ContainmentTest,
                         ::testing::Values(Path::kRunShell, Path::kSshExec),
                         [](const ::testing::TestParamInfo<Path>& info) {
                           return info.param == Path::kRunShell
                                      ? std::string("RunShell")
                                      : std::string("SshExec");
                         });

}  // namespace
}  // namespace endstate::sandbox
