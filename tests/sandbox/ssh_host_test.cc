// SshHost: a real sshd on loopback whose sessions run confined in bwrap.
#include "sandbox/ssh_host.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "sandbox/ssh_confine.h"
#include "tests/sandbox/ssh_test_support.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;
using testing::SshHostFixture;
using Clock = std::chrono::steady_clock;

class SshHostTest : public SshHostFixture {};

TEST_F(SshHostTest, RunsACommand) {
  ExecResult r = Run("echo hi");
  EXPECT_EQ(0, r.exit_code);
  EXPECT_EQ("hi\n", r.out);
  EXPECT_EQ("", r.err);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.output_truncated);
}

TEST_F(SshHostTest, ReportsExitCodeAndBothStreams) {
  ExecResult r = Run("echo out; echo oops >&2; exit 3");
  EXPECT_EQ(3, r.exit_code);
  EXPECT_EQ("out\n", r.out);
  EXPECT_EQ("oops\n", r.err);
}

TEST_F(SshHostTest, SessionRunsAsUnprivilegedUserInSrv) {
  ExecResult r =
      Run("pwd; echo $HOME; hostname; id -u; cat /proc/self/status | "
          "grep CapEff; cat www/index.html");
  EXPECT_EQ(0, r.exit_code) << r.err;
  EXPECT_EQ(
      "/srv\n/srv\nprod.test\n1000\nCapEff:\t0000000000000000\n<h1>old</h1>\n",
      r.out);
}

TEST_F(SshHostTest, SecretsOfTheHostAreNotReadable) {
  // Inside the user namespace uid 1000 is root outside: without the
  // overlays root-owned 0600/0640 files would be readable.
  ExecResult r =
      Run("cat /etc/shadow /etc/gshadow /etc/ssh/ssh_host_ed25519_key 2>&1; "
          "echo rc=$?");
  EXPECT_EQ(
      "cat: /etc/shadow: Permission denied\n"
      "cat: /etc/gshadow: Permission denied\n"
      "cat: /etc/ssh/ssh_host_ed25519_key: Permission denied\nrc=1\n",
      r.out);
  // Nor are the worlds (client keys included) or root's home there.
  r = Run("ls /var/tmp/endstate-worlds /root 2>&1; echo rc=$?");
  EXPECT_EQ(
      "ls: cannot access '/var/tmp/endstate-worlds': No such file or "
      "directory\nls: cannot access '/root': No such file or directory\n"
      "rc=2\n",
      r.out);
}

TEST_F(SshHostTest, OnlySrvAndTmpAreWritable) {
  ExecResult r =
      Run("for p in /x /etc/x /usr/x /bin/x /srv/x /tmp/x; do "
          "touch $p 2>/dev/null && echo wrote $p; done");
  EXPECT_EQ("wrote /srv/x\nwrote /tmp/x\n", r.out);
  EXPECT_TRUE(fs::exists(root_ / "x"));
  EXPECT_EQ(0u, fs::file_size(root_ / "x"));
}

TEST_F(SshHostTest, HasNoNetwork) {
  const std::string port = std::to_string(host_->target().port);
  ExecResult r = Run("timeout 3 bash -c 'echo > /dev/tcp/127.0.0.1/" + port +
                     "' 2>&1; echo rc=$?; timeout 3 bash -c 'echo > "
                     "/dev/tcp/1.1.1.1/80' 2>&1; echo rc=$?");
  EXPECT_NE(std::string::npos, r.out.find("Connection refused\nrc=1\n"))
      << r.out;
  EXPECT_NE(std::string::npos, r.out.find("Network is unreachable\nrc=1\n"))
      << r.out;
}

TEST_F(SshHostTest, FileSizeLimitApplies) {
  ExecResult r = Run("head -c 2000000 /dev/zero > big; echo rc=$?");
  EXPECT_EQ("rc=1\n", r.out);
  EXPECT_NE(std::string::npos, r.err.find("File too large")) << r.err;
  EXPECT_EQ(1u << 20, fs::file_size(root_ / "big"));
}

TEST_F(SshHostTest, TimeoutKillsTheCommand) {
  ExecResult r;
  std::string err;
  auto start = Clock::now();
  ASSERT_TRUE(session_->Exec("echo started; sleep 20",
                             std::chrono::milliseconds(300), 1024, &r, &err))
      << err;
  auto took = Clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(137, r.exit_code);
  EXPECT_EQ("started\n", r.out);
  EXPECT_LT(took, std::chrono::seconds(2));
  EXPECT_GE(took, std::chrono::milliseconds(300));
  // The session stays usable.
  EXPECT_EQ("hi\n", Run("echo hi").out);
}

TEST_F(SshHostTest, OutputIsCappedButDrained) {
  ExecResult r;
  std::string err;
  ASSERT_TRUE(session_->Exec("head -c 300000 /dev/zero; echo tail >&2",
                             std::chrono::seconds(10), 1000, &r, &err))
      << err;
  EXPECT_EQ(0, r.exit_code);
  EXPECT_EQ(1000u, r.out.size());
  EXPECT_EQ("tail\n", r.err);
  EXPECT_TRUE(r.output_truncated);
}

TEST_F(SshHostTest, WrongHostKeyIsRefused) {
  SshTarget t = host_->target();
  const std::string where =
      "prod.test (127.0.0.1:" + std::to_string(t.port) + ")";
  // The client's own public key stands in for a host key we never saw.
  std::string client_pub = *util::ReadFile(t.public_key);
  t.known_hosts = dir_ / "wrong_known_hosts";
  ASSERT_TRUE(util::WriteFile(
      t.known_hosts,
      "[127.0.0.1]:" + std::to_string(t.port) + " " + client_pub));
  std::string err;
  EXPECT_FALSE(SshSession::Connect(t, &err));
  EXPECT_EQ("host key of " + where + " does not match known_hosts", err);

  ASSERT_TRUE(util::WriteFile(t.known_hosts, "[127.0.0.1]:1 " + client_pub));
  EXPECT_FALSE(SshSession::Connect(t, &err));
  EXPECT_EQ("host key of " + where + " is not in known_hosts", err);
}

TEST_F(SshHostTest, WrongClientKeyIsRefused) {
  SshTarget t = host_->target();
  std::string err;
  ASSERT_EQ(0, std::system(("/usr/bin/ssh-keygen -q -t ed25519 -N '' -f " +
                            (dir_ / "other").string())
                               .c_str()));
  t.private_key = dir_ / "other";
  t.public_key = dir_ / "other.pub";
  EXPECT_FALSE(SshSession::Connect(t, &err));
  EXPECT_EQ(0u, err.find("ssh login as root to prod.test (127.0.0.1:")) << err;
}

// Command lines of every process, for leak checks.
std::string AllCommandLines() {
  std::string all;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream in(e.path() / "cmdline");
    std::string line((std::istreambuf_iterator<char>(in)), {});
    std::replace(line.begin(), line.end(), '\0', ' ');
    all += line + "\n";
  }
  return all;
}

TEST_F(SshHostTest, DestroyingTheHostKillsItsSessions) {
  std::string err;
  ExecResult r;
  bool ok = true;
  std::thread t([&] {
    ok = session_->Exec("sleep 31.4159", std::chrono::seconds(30), 1024, &r,
                        &err);
  });
  for (int i = 0;
       i < 200 && AllCommandLines().find("sleep 31.4159") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_NE(std::string::npos, AllCommandLines().find("sleep 31.4159"));
  const int port = host_->target().port;
  auto start = Clock::now();
  host_.reset();
  t.join();
  // SIGKILL is delivered asynchronously: give the dying tree a moment.
  const std::string sshd_line = "sshd -D -e -f " + (dir_ / "state").string();
  auto alive = [&] {
    const std::string all = AllCommandLines();
    return all.find("sleep 31.4159") != std::string::npos ||
           all.find(sshd_line) != std::string::npos;
  };
  while (Clock::now() - start < std::chrono::seconds(3) && alive()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(std::string::npos, AllCommandLines().find("sleep 31.4159"));
  EXPECT_EQ(std::string::npos, AllCommandLines().find(sshd_line));
  session_.reset();
  // Nothing listens any more.
  SshTarget gone;
  gone.host_name = "prod.test";
  gone.port = port;
  EXPECT_FALSE(SshSession::Connect(gone, &err));
  EXPECT_EQ("cannot connect to prod.test (127.0.0.1:" + std::to_string(port) +
                "): Connection refused",
            err);
}

TEST_F(SshHostTest, MissingRootIsAnError) {
  std::string err;
  SshHostOptions o = Options();
  o.root = dir_ / "nope";
  EXPECT_FALSE(SshHost::Start(o, &err));
  EXPECT_EQ("host root " + o.root.string() + " is not a directory", err);
}

TEST_F(SshHostTest, WritesKnownHostsAndConfig) {
  const SshTarget& t = host_->target();
  EXPECT_EQ("prod.test", t.host_name);
  EXPECT_EQ("root", t.user);
  std::string known = *util::ReadFile(t.known_hosts);
  EXPECT_EQ(0u, known.find("[127.0.0.1]:" + std::to_string(t.port) +
                           " ssh-ed25519 AAAA"));
  std::string config = *util::ReadFile(dir_ / "state/sshd_config");
  EXPECT_NE(std::string::npos, config.find("\nPasswordAuthentication no\n"));
  EXPECT_NE(std::string::npos,
            config.find("\nForceCommand '" +
                        (dir_ / "state/confine.sh").string() + "'\n"));
}

// The real OpenSSH clients: legacy scp (runs `scp -t` on the host) and
// sftp-based scp both land in /srv through the wrapper.
TEST_F(SshHostTest, OpenSshScpBothProtocols) {
  const SshTarget& t = host_->target();
  ASSERT_TRUE(util::WriteFile(dir_ / "local.txt", "via scp\n"));
  for (const char* mode : {"-O", "-s"}) {
    std::string cmd =
        std::string("/usr/bin/scp -q ") + mode +
        " -o BatchMode=yes -o UserKnownHostsFile=" + t.known_hosts.string() +
        " -i " + t.private_key.string() + " -P " + std::to_string(t.port) +
        " " + (dir_ / "local.txt").string() + " root@127.0.0.1:/srv/www/" +
        (mode + 1) + ".txt";
    EXPECT_EQ(0, std::system(cmd.c_str())) << cmd;
    EXPECT_EQ("via scp\n",
              util::ReadFile(root_ / "www" / (std::string(mode + 1) + ".txt"))
                  .value_or("missing"));
  }
}

// The client may lower the wall-clock limit per command, never raise it.
TEST_F(SshHostTest, HostTimeoutCapsTheRequestedOne) {
  SshHostOptions o = Options();
  o.state_dir = dir_ / "state2";
  o.limits.timeout = std::chrono::milliseconds(400);
  std::string err;
  auto host = SshHost::Start(o, &err);
  ASSERT_TRUE(host) << err;
  auto session = SshSession::Connect(host->target(), &err);
  ASSERT_TRUE(session) << err;
  ExecResult r;
  auto start = Clock::now();
  ASSERT_TRUE(
      session->Exec("sleep 20", std::chrono::seconds(20), 1024, &r, &err))
      << err;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(137, r.exit_code);
}

TEST(SshHostParallel, HostsStartedTogetherAreIndependent) {
  std::string err;
  fs::path dir =
      util::MakeTempDir("/var/tmp/endstate-worlds", "ssh-parallel-", &err);
  ASSERT_FALSE(dir.empty()) << err;
  constexpr int kHosts = 4;
  std::vector<std::string> outs(kHosts), errs(kHosts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kHosts; ++i) {
    threads.emplace_back([&, i] {
      const std::string name = "h" + std::to_string(i) + ".test";
      fs::create_directories(dir / name);
      util::WriteFile(dir / name / "id", name);
      auto host = SshHost::Start({.name = name,
                                  .root = dir / name,
                                  .state_dir = dir / ("state-" + name),
                                  .limits = {}},
                                 &errs[i]);
      if (!host) return;
      auto session = SshSession::Connect(host->target(), &errs[i]);
      ExecResult r;
      if (session && session->Exec("cat id; hostname", std::chrono::seconds(10),
                                   1024, &r, &errs[i])) {
        outs[i] = r.out;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kHosts; ++i) {
    const std::string name = "h" + std::to_string(i) + ".test";
    EXPECT_EQ(name + name + "\n", outs[i]) << errs[i];
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace endstate::sandbox
