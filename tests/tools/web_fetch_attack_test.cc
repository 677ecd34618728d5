// web_fetch against hostile URLs and a hostile world server: other schemes,
// loopback services that are not part of the world, the cloud metadata
// address, numeric and IPv6 spellings of loopback, redirects out of the
// world, endless, huge and gzip-bomb bodies. A second loopback server stands
// for "some other service on the host": it counts requests, and a control
// fetch shows it is reachable, so each refusal is a real one.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/tools/fake_world.h"
#include "tools/builtin_tools.h"
#include "util/http.h"

namespace endstate::tools {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// An httplib server on an ephemeral loopback port, run on its own thread.
class Server {
 public:
  httplib::Server& http() { return server_; }
  int Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return port_;
  }
  ~Server() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

class WebFetchAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The host's other service: must never see a request from web_fetch.
    other_.http().Get(
        ".*", [this](const httplib::Request&, httplib::Response& res) {
          ++other_hits_;
          res.set_content("secret of another service", "text/plain");
        });
    ASSERT_GT(other_.Start(), 0);
    const std::string other = "127.0.0.1:" + std::to_string(other_.port());

    auto& w = world_server_.http();
    w.Get("/page", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("world page", "text/plain");
    });
    redirects_ = {"http://169.254.169.254/latest/meta-data/",
                  "http://" + other + "/",
                  "//" + other + "/",
                  "http://localhost:" + std::to_string(other_.port()) + "/",
                  "file:///etc/passwd",
                  "gopher://site.test:70/"};
    w.Get(R"(/redirect/(\d+))",
          [this](const httplib::Request& req, httplib::Response& res) {
            res.set_redirect(redirects_.at(std::stoul(req.matches[1])), 302);
          });
    w.Get("/to-other-port", [this](const httplib::Request&,
                                   httplib::Response& res) {
      res.set_redirect(
          "http://site.test:" + std::to_string(other_.port()) + "/page", 302);
    });
    // application/octet-stream: httplib would compress text/plain for
    // clients that accept it, which is slow at this size.
    w.Get("/endless", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider(
          "application/octet-stream", [](size_t, httplib::DataSink& sink) {
            static const std::string kChunk(64 << 10, 'x');
            return sink.write(kChunk.data(), kChunk.size());
          });
    });
    w.Get("/huge", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(
          size_t{1} << 30, "application/octet-stream",
          [](size_t, size_t length, httplib::DataSink& sink) {
            static const std::string kChunk(64 << 10, 'y');
            return sink.write(kChunk.data(), std::min(length, kChunk.size()));
          });
    });
    w.Get("/gzip-bomb", [](const httplib::Request&, httplib::Response& res) {
      static const std::string* kBomb = [] {
        const std::string zeros(32 << 20, '0');
        auto* out = new std::string;
        httplib::detail::gzip_compressor gzip;
        gzip.compress(zeros.data(), zeros.size(), true,
                      [out](const char* data, size_t n) {
                        out->append(data, n);
                        return true;
                      });
        return out;
      }();
      res.set_header("Content-Encoding", "gzip");
      res.set_content(*kBomb, "application/octet-stream");
    });
    ASSERT_GT(world_server_.Start(), 0);
    world_.http = {
        {"site.test", "127.0.0.1:" + std::to_string(world_server_.port())}};
    ctx_.world = &world_;
  }

  ToolResult Fetch(const std::string& url) {
    return tool_->Call({{"url", url}}, ctx_);
  }
  std::string Refused(const std::string& host) const {
    return "host '" + host + "' is not part of this world; hosts: site.test";
  }

  Server other_, world_server_;
  std::atomic<int> other_hits_{0};
  std::vector<std::string> redirects_;
  testing::FakeWorld world_;
  ToolContext ctx_;
  std::unique_ptr<Tool> tool_ = MakeWebFetchTool();
};

// The control: the other service answers a plain fetch.
TEST_F(WebFetchAttackTest, OtherServiceIsReachableWithoutTheTool) {
  util::HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(other_.port()) + "/";
  EXPECT_EQ(200, util::Fetch(req).status);
  EXPECT_EQ(1, other_hits_.load());
}

TEST_F(WebFetchAttackTest, OtherSchemesAreRefused) {
  const std::string kScheme =
      "only http:// URLs of this world's hosts can be fetched (hosts: "
      "site.test)";
  for (const char* url :
       {"file:///etc/passwd", "gopher://site.test:70/_GET", "ftp://site.test/",
        "https://site.test/", "dict://site.test:11211/stat", "site.test/page",
        "//site.test/page"}) {
    ToolResult r = Fetch(url);
    EXPECT_TRUE(r.is_error) << url;
    EXPECT_EQ(kScheme, r.content) << url;
  }
}

TEST_F(WebFetchAttackTest, LoopbackAndMetadataAddressesAreRefused) {
  const std::string port = std::to_string(other_.port());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://127.0.0.1:" + port + "/", "127.0.0.1"},
      {"http://localhost:" + port + "/", "localhost"},
      {"http://LOCALHOST.:" + port + "/", "localhost"},
      {"http://[::1]:" + port + "/", "[::1]"},
      {"http://2130706433:" + port + "/", "2130706433"},
      {"http://0x7f000001:" + port + "/", "0x7f000001"},
      {"http://0177.0.0.1:" + port + "/", "0177.0.0.1"},
      {"http://127.1:" + port + "/", "127.1"},
      {"http://0.0.0.0:" + port + "/", "0.0.0.0"},
      {"http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
      {"http://metadata.google.internal/", "metadata.google.internal"},
      {"http://127.0.0.1:" + port + "#@site.test/", "127.0.0.1"},
  };
  for (const auto& [url, host] : cases) {
    ToolResult r = Fetch(url);
    EXPECT_TRUE(r.is_error) << url;
    EXPECT_EQ(Refused(host), r.content) << url;
  }
  EXPECT_EQ("URLs with user information are not supported",
            Fetch("http://site.test@127.0.0.1:" + port + "/").content);
  EXPECT_EQ("URLs with user information are not supported",
            Fetch("http://site.test:80\\@127.0.0.1:" + port + "/").content);
  EXPECT_EQ(0, other_hits_.load());
}

// A world host named with another port, or with a fragment hiding an
// address, still reaches only the world's server.
TEST_F(WebFetchAttackTest, WorldHostsAlwaysReachTheWorldServer) {
  const std::string port = std::to_string(other_.port());
  ToolResult r = Fetch("http://site.test:" + port + "/page");
  EXPECT_EQ("HTTP 200 http://site.test:" + port + "/page\n\nworld page",
            r.content);
  r = Fetch("http://site.test#@127.0.0.1:" + port + "/");
  EXPECT_EQ(0u, r.content.rfind("HTTP 404 http://site.test#@127.0.0.1:", 0))
      << r.content;
  r = Fetch("http://site.test/to-other-port");
  EXPECT_EQ("HTTP 200 http://site.test:" + port + "/page\n\nworld page",
            r.content);
  EXPECT_EQ(0, other_hits_.load());
}

TEST_F(WebFetchAttackTest, RedirectsOutOfTheWorldAreRefused) {
  const std::string port = std::to_string(other_.port());
  const std::vector<std::string> expected = {
      "redirect to http://169.254.169.254/latest/meta-data/ refused: " +
          Refused("169.254.169.254"),
      "redirect to http://127.0.0.1:" + port +
          "/ refused: " + Refused("127.0.0.1"),
      "redirect to http://127.0.0.1:" + port +
          "/ refused: " + Refused("127.0.0.1"),
      "redirect to http://localhost:" + port +
          "/ refused: " + Refused("localhost"),
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    ToolResult r = Fetch("http://site.test/redirect/" + std::to_string(i));
    EXPECT_TRUE(r.is_error) << i;
    EXPECT_EQ(expected[i], r.content) << i;
  }
  const std::string kScheme =
      " refused: only http:// URLs of this world's hosts can be fetched "
      "(hosts: site.test)";
  EXPECT_EQ("redirect to file:///etc/passwd" + kScheme,
            Fetch("http://site.test/redirect/4").content);
  EXPECT_EQ("redirect to gopher://site.test:70/" + kScheme,
            Fetch("http://site.test/redirect/5").content);
  EXPECT_EQ(0, other_hits_.load());
}

// An endless chunked body, a 1 GiB body and a gzip bomb (32 MiB of zeros
// in 32 KiB) are all cut at 2 MiB of decoded body, at once.
TEST_F(WebFetchAttackTest, EndlessHugeAndCompressedBodiesAreCapped) {
  ctx_.max_result_bytes = 8 << 20;  // show the whole capped body
  const std::string kCut = "\n[body cut at 2097152 bytes]\n";
  for (const std::string path : {"/endless", "/huge", "/gzip-bomb"}) {
    const auto start = Clock::now();
    ToolResult r = Fetch("http://site.test" + path);
    const auto took = Clock::now() - start;
    EXPECT_FALSE(r.is_error) << path;
    EXPECT_LT(took, std::chrono::seconds(2)) << path;
    const std::string head = "HTTP 200 http://site.test" + path + "\n\n";
    ASSERT_EQ(head.size() + (2u << 20) + kCut.size(), r.content.size()) << path;
    EXPECT_EQ(head, r.content.substr(0, head.size()));
    EXPECT_EQ(kCut, r.content.substr(r.content.size() - kCut.size()));
    const char fill = path == "/endless" ? 'x' : path == "/huge" ? 'y' : '0';
    EXPECT_EQ(std::string(2u << 20, fill),
              r.content.substr(head.size(), 2u << 20))
        << path;
  }
}

}  // namespace
}  // namespace endstate::tools
