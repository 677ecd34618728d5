// Managed servers with a real process (tests/servers/fake_model_server.py):
// ready after a slow start, never ready, exits before ready, dies while
// serving (with and without a restart), ignores SIGTERM and leaks a child.
#include "servers/managed_server.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/servers/fake_server.h"

namespace endstate::servers {
namespace {

using std::chrono::milliseconds;
using testing::AllGone;
using testing::FakeServe;
using testing::ReadPids;

class ManagedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("es-managed-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.log_dir = (dir_ / "logs").string();
    options_.memory.nvidia_smi = "";
    options_.ready_interval = milliseconds(50);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string PidFile() const { return (dir_ / "pids").string(); }

  std::filesystem::path dir_;
  ServerOptions options_;
};

TEST_F(ManagedServerTest, ReadyAfterASlowStartWithProvenance) {
  ServeConfig serve = FakeServe({"--startup-delay", "1"});
  serve.env = {{"VLLM_USE_V1", "1"}, {"HF_TOKEN", "hf_secret"}};
  ManagedServer server("fake", "fake-model", serve, options_);
  const auto t0 = std::chrono::steady_clock::now();
  std::string err;
  ASSERT_TRUE(server.Start(&err)) << err;
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(1000));
  EXPECT_EQ("", server.DownReason());
  nlohmann::json p = server.Provenance();
  EXPECT_EQ(server.base_url(), p["base_url"]);
  EXPECT_EQ("--port", p["command"][2]);
  EXPECT_NE("{port}", p["command"][3]);
  EXPECT_EQ(server.base_url(),
            "http://127.0.0.1:" + p["command"][3].get<std::string>() + "/v1");
  EXPECT_EQ((nlohmann::json{{"HF_TOKEN", "<redacted>"}, {"VLLM_USE_V1", "1"}}),
            p["env"]);
  EXPECT_EQ((nlohmann::json{{"kind", "vllm"}, {"version", "0.0.1-fake"}}),
            p["identity"]);
  EXPECT_EQ(
      (nlohmann::json{
          {"id", "fake-model"}, {"owned_by", "fake"}, {"max_model_len", 4096}}),
      p["served_model"]);
  EXPECT_GE(p["startup_s"].get<double>(), 1.0);
  EXPECT_TRUE(p["memory_before_start"].contains("mem_available_gb"));
  EXPECT_TRUE(p["memory_after_ready"].contains("mem_available_gb"));
  EXPECT_EQ(0, p["restarts"]);
  const pid_t pid = server.pid();
  server.Stop();
  EXPECT_TRUE(AllGone({pid}, milliseconds(2000)));
  EXPECT_EQ("killed by signal 15 (SIGTERM)", server.Provenance()["exit"]);
  EXPECT_EQ("server 'fake' was stopped", server.DownReason());
}

TEST_F(ManagedServerTest, NeverReadyTimesOutWithTheLogTail) {
  ServeConfig serve = FakeServe({"--never-ready", "--pid-file", PidFile()});
  serve.ready_timeout = std::chrono::seconds(2);
  ManagedServer server("fake", "fake-model", serve, options_);
  std::string err;
  EXPECT_FALSE(server.Start(&err));
  const std::string log = server.Provenance()["log"];
  EXPECT_EQ(
      "server 'fake': not ready after 2 s (last: GET /health: HTTP "
      "503); log tail (" +
          log + "):\nfake server: loading weights for fake-model",
      err);
  EXPECT_TRUE(AllGone(ReadPids(PidFile()), milliseconds(2000)));
}

TEST_F(ManagedServerTest, ExitBeforeReadyIsReportedAtOnce) {
  ServeConfig serve = FakeServe({"--exit-at-once", "1"});
  ManagedServer server("fake", "fake-model", serve, options_);
  const auto t0 = std::chrono::steady_clock::now();
  std::string err;
  EXPECT_FALSE(server.Start(&err));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(5000));
  const std::string log = server.Provenance()["log"];
  EXPECT_EQ(0u, err.find("server 'fake': exited with status 1 before it was "
                         "ready (last: GET /health: "))
      << err;
  EXPECT_NE(std::string::npos,
            err.find("; log tail (" + log +
                     "):\nfake server: loading weights for fake-model\nfake "
                     "server: fatal: cannot load the model"))
      << err;
}

TEST_F(ManagedServerTest, MissingCommandIsNamed) {
  ServeConfig serve;
  serve.command = {"no-such-server-binary", "--port", "{port}"};
  ManagedServer server("fake", "m", serve, options_);
  std::string err;
  EXPECT_FALSE(server.Start(&err));
  EXPECT_EQ(
      "server 'fake': serve.command[0]: 'no-such-server-binary' not found on "
      "PATH",
      err);
}

TEST_F(ManagedServerTest, StopKillsAServerIgnoringTermAndItsLeakedChild) {
  ServeConfig serve =
      FakeServe({"--ignore-term", "--leak-child", "--pid-file", PidFile()});
  ManagedServer server("fake", "fake-model", serve, options_);
  std::string err;
  ASSERT_TRUE(server.Start(&err)) << err;
  std::vector<pid_t> pids = ReadPids(PidFile());
  ASSERT_EQ(2u, pids.size());
  const auto t0 = std::chrono::steady_clock::now();
  server.Stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, milliseconds(1000));  // the grace period
  EXPECT_LT(took, milliseconds(4000));
  EXPECT_TRUE(AllGone(pids, milliseconds(2000)));
  EXPECT_EQ("killed by signal 9 (SIGKILL)", server.Provenance()["exit"]);
}

TEST_F(ManagedServerTest, DeathIsSeenWithinASecondAndTheGroupIsKilled) {
  ServeConfig serve = FakeServe({"--leak-child", "--pid-file", PidFile()});
  ManagedServer server("fake", "fake-model", serve, options_);
  std::string err;
  ASSERT_TRUE(server.Start(&err)) << err;
  std::vector<pid_t> pids = ReadPids(PidFile());
  ASSERT_EQ(2u, pids.size());
  ASSERT_EQ(0, kill(pids[0], SIGKILL));
  const auto t0 = std::chrono::steady_clock::now();
  std::string reason;
  while (reason.empty() &&
         std::chrono::steady_clock::now() - t0 < milliseconds(3000)) {
    reason = server.DownReason();
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(1000));
  const std::string log = server.Provenance()["log"];
  EXPECT_EQ("server 'fake' killed by signal 9 (SIGKILL); log tail (" + log +
                "):\nfake server: loading weights for fake-model",
            reason);
  EXPECT_TRUE(AllGone(pids, milliseconds(2000)));  // the leaked child too
}

TEST_F(ManagedServerTest, RestartAllowsOneMoreLife) {
  ServeConfig serve = FakeServe();
  serve.restart = 1;
  ManagedServer server("fake", "fake-model", serve, options_);
  std::string err;
  ASSERT_TRUE(server.Start(&err)) << err;
  const std::string url = server.base_url();
  const pid_t first = server.pid();
  ASSERT_EQ(0, kill(first, SIGKILL));
  ASSERT_TRUE(AllGone({first}, milliseconds(2000)));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ("", server.DownReason());  // restarted, ready again
  const pid_t second = server.pid();
  EXPECT_NE(first, second);
  EXPECT_GT(second, 0);
  EXPECT_EQ(url, server.base_url());  // same port
  EXPECT_EQ(1, server.Provenance()["restarts"]);
  ASSERT_EQ(0, kill(second, SIGKILL));
  ASSERT_TRUE(AllGone({second}, milliseconds(2000)));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(0u, server.DownReason().find("server 'fake' killed by signal 9"));
}

TEST_F(ManagedServerTest, PreflightRefusesWhenMemoryIsShort) {
  std::ofstream(dir_ / "meminfo") << "MemTotal:       16000000 kB\n"
                                     "MemFree:         1000000 kB\n"
                                     "MemAvailable:    1953125 kB\n";
  options_.memory.meminfo = (dir_ / "meminfo").string();
  options_.memory.drop_caches = (dir_ / "drop_caches").string();
  ServeConfig serve = FakeServe({"--pid-file", PidFile()});
  serve.need_gb = 80;
  {
    ManagedServer server("fake", "fake-model", serve, options_);
    std::string err;
    EXPECT_FALSE(server.Start(&err));
    EXPECT_EQ(
        "server 'fake': memory pre-flight: needs 80.0 GB, 2.0 GB available "
        "(MemAvailable); the page cache was not dropped "
        "(memory.drop_caches is off)",
        err);
  }
  EXPECT_FALSE(std::filesystem::exists(PidFile()));  // never started
  if (geteuid() == 0) {
    serve.drop_caches = true;
    ManagedServer server("fake", "fake-model", serve, options_);
    std::string err;
    EXPECT_FALSE(server.Start(&err));
    EXPECT_EQ(
        "server 'fake': memory pre-flight: needs 80.0 GB, 2.0 GB available "
        "(MemAvailable) after dropping the page cache",
        err);
    std::ifstream in(dir_ / "drop_caches");
    std::string written;
    std::getline(in, written);
    EXPECT_EQ("3", written);
    EXPECT_EQ(true, server.Provenance()["dropped_page_cache"]);
  }
  serve.need_gb = 1.5;
  ManagedServer fits("fake", "fake-model", serve, options_);
  std::string err;
  EXPECT_TRUE(fits.Start(&err)) << err;
  EXPECT_EQ((nlohmann::json{{"mem_available_gb", 2.0}, {"mem_free_gb", 1.02}}),
            fits.Provenance()["memory_before_start"]);
}

TEST(ServeConfigTest, CommandExpansionSignalsAndJson) {
  ServeConfig s;
  s.command = {"vllm", "serve", "m", "--port", "{port}", "--x={port}:{port}"};
  EXPECT_EQ((std::vector<std::string>{"vllm", "serve", "m", "--port", "8123",
                                      "--x=8123:8123"}),
            ExpandCommand(s, 8123));
  EXPECT_EQ("http://127.0.0.1:8123/v1", ServedBaseUrl(s, 8123));
  s.env = {{"OLLAMA_HOST", "127.0.0.1:{port}"}};
  EXPECT_EQ(
      (std::map<std::string, std::string>{{"OLLAMA_HOST", "127.0.0.1:8123"}}),
      ExpandEnv(s, 8123));
  EXPECT_EQ(SIGTERM, SignalNumber("TERM"));
  EXPECT_EQ(SIGINT, SignalNumber("SIGINT"));
  EXPECT_EQ(0, SignalNumber("USR3"));
  s.env = {{"A", "1"}};
  s.exclusive = "gpu0";
  s.restart = 2;
  s.stop_signal = SIGINT;
  s.need_gb = 40.5;
  ServeConfig back = ParseServeJson(ServeJson(s));
  EXPECT_EQ(ServeJson(s), ServeJson(back));
  EXPECT_EQ(SIGINT, back.stop_signal);
}

TEST(LogTailTest, LastLinesOfTheLastBytes) {
  auto path = std::filesystem::temp_directory_path() /
              ("es-tail-" + std::to_string(getpid()));
  {
    std::ofstream out(path);
    for (int i = 0; i < 100; ++i) out << "line " << i << '\n';
    out << "\n\n";
  }
  EXPECT_EQ("line 97\nline 98\nline 99", LogTail(path.string(), 4096, 3));
  EXPECT_EQ("line 99", LogTail(path.string(), 12, 20));  // cut line dropped
  EXPECT_EQ("", LogTail("/nonexistent/log", 4096, 3));
  std::filesystem::remove(path);
}

TEST(RedactedEnvTest, SecretsAreRedacted) {
  EXPECT_EQ((nlohmann::json{{"CUDA_VISIBLE_DEVICES", "0"},
                            {"HF_TOKEN", "<redacted>"},
                            {"OPENAI_API_KEY", "<redacted>"},
                            {"db_password", "<redacted>"}}),
            RedactedEnv({{"CUDA_VISIBLE_DEVICES", "0"},
                         {"HF_TOKEN", "x"},
                         {"OPENAI_API_KEY", "y"},
                         {"db_password", "z"}}));
}

}  // namespace
}  // namespace endstate::servers
