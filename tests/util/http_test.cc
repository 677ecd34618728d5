#include "util/http.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace endstate::util {
namespace {

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/hello", [](const httplib::Request& req,
                             httplib::Response& res) {
      res.set_content("hello " + req.get_header_value("Host"), "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100000, 'x'), "text/plain");
    });
    server_.Get("/redirect",
                [](const httplib::Request&, httplib::Response& res) {
                  res.set_redirect("http://elsewhere.test/x");
                });
    server_.Post(
        "/expect", [](const httplib::Request& req, httplib::Response& res) {
          res.set_content(req.get_header_value("Expect"), "text/plain");
        });
    server_.Post("/echo",
                 [](const httplib::Request& req, httplib::Response& res) {
                   res.status = 201;
                   res.set_content(req.body, "application/json");
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(HttpTest, GetThroughConnectToKeepsHostName) {
  HttpRequest req;
  req.url = "http://site.test/hello";
  req.connect_to["site.test:80"] = "127.0.0.1:" + std::to_string(port_);
  HttpResponse resp = Fetch(req);
  ASSERT_TRUE(resp.ok) << resp.error;
  EXPECT_EQ(200, resp.status);
  EXPECT_EQ("hello site.test", resp.body);
  EXPECT_EQ("text/plain", resp.headers["content-type"]);
}

TEST_F(HttpTest, BodyIsCut) {
  HttpRequest req;
  req.url = Url("/big");
  req.max_body_bytes = 1000;
  HttpResponse resp = Fetch(req);
  EXPECT_TRUE(resp.ok);
  EXPECT_TRUE(resp.body_truncated);
  EXPECT_EQ(1000u, resp.body.size());
}

TEST_F(HttpTest, RedirectIsReportedNotFollowed) {
  HttpRequest req;
  req.url = Url("/redirect");
  HttpResponse resp = Fetch(req);
  ASSERT_TRUE(resp.ok);
  EXPECT_EQ(302, resp.status);
  EXPECT_EQ("http://elsewhere.test/x", resp.redirect_url);
}

TEST_F(HttpTest, PostStreamsToCallback) {
  HttpRequest req;
  req.method = "POST";
  req.url = Url("/echo");
  req.body = R"({"a":1})";
  std::string seen;
  req.on_data = [&](std::string_view d) {
    seen.append(d);
    return true;
  };
  HttpResponse resp = Fetch(req);
  ASSERT_TRUE(resp.ok);
  EXPECT_EQ(201, resp.status);
  EXPECT_EQ(R"({"a":1})", seen);
}

// A large POST (every model request) must not wait for "100 Continue",
// which many servers never send: no Expect header goes out.
TEST_F(HttpTest, LargePostSendsNoExpectHeader) {
  HttpRequest req;
  req.method = "POST";
  req.url = Url("/expect");
  req.headers = {"Content-Type: application/json"};
  req.body = "\"" + std::string(64 * 1024, 'x') + "\"";
  HttpResponse resp = Fetch(req);
  ASSERT_TRUE(resp.ok) << resp.error;
  EXPECT_EQ(200, resp.status);
  EXPECT_EQ("", resp.body);
}

TEST_F(HttpTest, ConnectionRefusedIsTransportError) {
  HttpRequest req;
  req.url = "http://127.0.0.1:1/";
  HttpResponse resp = Fetch(req);
  EXPECT_FALSE(resp.ok);
  EXPECT_EQ("Couldn't connect to server", resp.error);
}

TEST(HttpNoServer, OtherSchemesRefused) {
  HttpRequest req;
  req.url = "file:///etc/passwd";
  HttpResponse resp = Fetch(req);
  EXPECT_FALSE(resp.ok);
  EXPECT_EQ("", resp.body);
}

}  // namespace
}  // namespace endstate::util
