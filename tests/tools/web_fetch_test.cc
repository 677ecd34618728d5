// web_fetch against a real HTTP server on loopback, reached through the
// host mapping of a FakeWorld (the world-level test is world_tools_test.cc).
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "tests/tools/fake_world.h"
#include "tools/builtin_tools.h"

namespace endstate::tools {
namespace {

using nlohmann::json;

class WebFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/page.html", [](const httplib::Request& req,
                                 httplib::Response& res) {
      res.set_content("<html><body><h1>Hi " + req.get_header_value("Host") +
                          "</h1><p>See <a href=\"/b\">b</a></p></body></html>",
                      "text/html; charset=utf-8");
    });
    server_.Get("/plain.txt",
                [](const httplib::Request&, httplib::Response& res) {
                  res.set_content("<b>not html</b>", "text/plain");
                });
    server_.Get("/missing",
                [](const httplib::Request&, httplib::Response& res) {
                  res.status = 404;
                  res.set_content("<p>no such page</p>", "text/html");
                });
    server_.Get("/hop", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://other.test/page.html", 302);
    });
    server_.Get("/away", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://evil.test/x", 301);
    });
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/loop", 302);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const std::string address = "127.0.0.1:" + std::to_string(port_);
    world_.http = {{"site.test", address}, {"other.test", address}};
    ctx_.world = &world_;
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  ToolResult Fetch(const json& args) {
    EXPECT_EQ("", ValidateArgs(tool_->schema().parameters, args));
    return tool_->Call(args, ctx_);
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  testing::FakeWorld world_;
  ToolContext ctx_;
  std::unique_ptr<Tool> tool_ = MakeWebFetchTool();
};

TEST_F(WebFetchTest, FetchesHtmlAsText) {
  ToolResult r = Fetch({{"url", "http://site.test/page.html"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(
      "HTTP 200 http://site.test/page.html\n\n# Hi site.test\n\nSee b "
      "[/b]\n",
      r.content);
  // Any port of the URL reaches the same world server.
  r = Fetch({{"url", "http://SITE.test:8080/page.html"}});
  EXPECT_EQ(
      "HTTP 200 http://site.test:8080/page.html\n\n# Hi "
      "site.test:8080\n\nSee b [/b]\n",
      r.content);
}

TEST_F(WebFetchTest, RawAndNonHtmlBodiesAreReturnedAsIs) {
  ToolResult r = Fetch({{"url", "http://site.test/page.html"}, {"raw", true}});
  EXPECT_EQ(
      "HTTP 200 http://site.test/page.html\n\n<html><body><h1>Hi "
      "site.test</h1><p>See <a href=\"/b\">b</a></p></body></html>",
      r.content);
  r = Fetch({{"url", "http://site.test/plain.txt"}});
  EXPECT_EQ("HTTP 200 http://site.test/plain.txt\n\n<b>not html</b>",
            r.content);
}

TEST_F(WebFetchTest, ErrorStatusIsAToolError) {
  ToolResult r = Fetch({{"url", "http://site.test/missing"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("HTTP 404 http://site.test/missing\n\nno such page\n", r.content);
}

TEST_F(WebFetchTest, RefusesOtherSchemesAndHosts) {
  const char* kScheme =
      "only http:// URLs of this world's hosts can be fetched (hosts: "
      "other.test, site.test)";
  ToolResult r = Fetch({{"url", "file:///etc/passwd"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(kScheme, r.content);
  EXPECT_EQ(kScheme, Fetch({{"url", "https://site.test/"}}).content);
  r = Fetch({{"url", "http://example.com/"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "host 'example.com' is not part of this world; hosts: other.test, "
      "site.test",
      r.content);
  r = Fetch({{"url", "http://127.0.0.1:" + std::to_string(port_) + "/"}});
  EXPECT_EQ(
      "host '127.0.0.1' is not part of this world; hosts: other.test, "
      "site.test",
      r.content);
  r = Fetch({{"url", "http://user@site.test/"}});
  EXPECT_EQ("URLs with user information are not supported", r.content);
}

TEST_F(WebFetchTest, FollowsRedirectsWithinTheWorld) {
  ToolResult r = Fetch({{"url", "http://site.test/hop"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ(
      "HTTP 200 http://other.test/page.html\n\n# Hi other.test\n\nSee b "
      "[/b]\n",
      r.content);
}

TEST_F(WebFetchTest, RefusesRedirectsOutOfTheWorld) {
  ToolResult r = Fetch({{"url", "http://site.test/away"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "redirect to http://evil.test/x refused: host 'evil.test' is not part "
      "of this world; hosts: other.test, site.test",
      r.content);
  r = Fetch({{"url", "http://site.test/loop"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("too many redirects (more than 5) at http://site.test/loop",
            r.content);
}

TEST_F(WebFetchTest, ReportsTransportErrors) {
  world_.http["down.test"] = "127.0.0.1:1";
  ToolResult r = Fetch({{"url", "http://down.test/"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(0u, r.content.rfind("could not fetch http://down.test/: ", 0))
      << r.content;
}

}  // namespace
}  // namespace endstate::tools
