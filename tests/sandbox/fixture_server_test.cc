// FixtureServer over real loopback HTTP.
#include "sandbox/fixture_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Sends `request` verbatim (no client-side path normalization) and returns
// the status line.
std::string RawStatusLine(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "connect failed";
  }
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) response.append(buf, n);
  close(fd);
  return response.substr(0, response.find("\r\n"));
}

class FixtureServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/es-fixture-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Write(dir_ / "site/index.html", "<h1>site</h1>");
    Write(dir_ / "site/docs/index.html", "<h1>docs</h1>");
    Write(dir_ / "site/data.json", "{\"a\":1}");
    Write(dir_ / "site/style.css", "h1{}");
    Write(dir_ / "site/notes.txt", "notes");
    Write(dir_ / "site/blob.bin", "xx");
    Write(dir_ / "other/index.html", "<h1>other</h1>");
    Write(dir_ / "secret.txt", "secret");
    fs::create_directory_symlink(dir_ / "other", dir_ / "site/inside-link");
    fs::create_symlink(dir_ / "secret.txt", dir_ / "site/leak.txt");
    fs::create_directory_symlink(dir_, dir_ / "site/up");
    std::string err;
    server_ = FixtureServer::Start({{"site.test", dir_ / "site"},
                                    {"Other.Test", dir_ / "other"},
                                    {"later.test", dir_ / "not-yet"}},
                                   &err);
    ASSERT_TRUE(server_) << err;
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  httplib::Result Get(const std::string& host, const std::string& path) {
    httplib::Client client("127.0.0.1", server_->port());
    return client.Get(path, {{"Host", host}});
  }

  fs::path dir_;
  std::unique_ptr<FixtureServer> server_;
};

TEST_F(FixtureServerTest, ServesFilesByVirtualHost) {
  EXPECT_GT(server_->port(), 0);
  auto r = Get("site.test", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(200, r->status);
  EXPECT_EQ("<h1>site</h1>", r->body);
  EXPECT_EQ("text/html; charset=utf-8", r->get_header_value("Content-Type"));

  r = Get("other.test:8080", "/index.html");  // port and case ignored
  EXPECT_EQ("<h1>other</h1>", r->body);
  r = Get("SITE.TEST", "/docs/");
  EXPECT_EQ("<h1>docs</h1>", r->body);
  r = Get("site.test", "/docs");
  EXPECT_EQ("<h1>docs</h1>", r->body);
}

TEST_F(FixtureServerTest, ContentTypesByExtension) {
  EXPECT_EQ("application/json",
            Get("site.test", "/data.json")->get_header_value("Content-Type"));
  EXPECT_EQ("text/css; charset=utf-8",
            Get("site.test", "/style.css")->get_header_value("Content-Type"));
  EXPECT_EQ("text/plain; charset=utf-8",
            Get("site.test", "/notes.txt")->get_header_value("Content-Type"));
  EXPECT_EQ("application/octet-stream",
            Get("site.test", "/blob.bin")->get_header_value("Content-Type"));
}

TEST_F(FixtureServerTest, UnknownPathsAndHostsAre404) {
  EXPECT_EQ(404, Get("site.test", "/missing.html")->status);
  EXPECT_EQ(404, Get("nosuch.test", "/")->status);
  EXPECT_EQ(404, Get("127.0.0.1", "/")->status);
  EXPECT_EQ(404, Get("later.test", "/")->status);  // dir does not exist yet
  // A directory without index.html.
  fs::remove(dir_ / "site/docs/index.html");
  EXPECT_EQ(404, Get("site.test", "/docs/")->status);
}

TEST_F(FixtureServerTest, HeadHasHeadersButNoBody) {
  httplib::Client client("127.0.0.1", server_->port());
  auto r = client.Head("/data.json", {{"Host", "site.test"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(200, r->status);
  EXPECT_EQ("", r->body);
  EXPECT_EQ("7", r->get_header_value("Content-Length"));
}

TEST_F(FixtureServerTest, RefusesTraversalAndSymlinksOutside) {
  int port = server_->port();
  EXPECT_EQ("HTTP/1.1 404 Not Found",
            RawStatusLine(port,
                          "GET /../secret.txt HTTP/1.1\r\nHost: "
                          "site.test\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ("HTTP/1.1 404 Not Found",
            RawStatusLine(port,
                          "GET /%2e%2e/secret.txt HTTP/1.1\r\nHost: "
                          "site.test\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ("HTTP/1.1 404 Not Found",
            RawStatusLine(port,
                          "GET /docs/../../secret.txt HTTP/1.1\r\n"
                          "Host: site.test\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(404, Get("site.test", "/leak.txt")->status);
  EXPECT_EQ(404, Get("site.test", "/up/secret.txt")->status);
  EXPECT_EQ(404, Get("site.test", "/inside-link/index.html")->status);
  // A symlink that stays inside the directory is fine.
  fs::create_symlink("notes.txt", dir_ / "site/alias.txt");
  EXPECT_EQ("notes", Get("site.test", "/alias.txt")->body);
  // The same request shape succeeds when it does not leave the root.
  EXPECT_EQ("HTTP/1.1 200 OK",
            RawStatusLine(port,
                          "GET /notes.txt HTTP/1.1\r\nHost: "
                          "site.test\r\nConnection: close\r\n\r\n"));
}

TEST_F(FixtureServerTest, ChangesOnDiskShowAtOnce) {
  EXPECT_EQ(404, Get("later.test", "/index.html")->status);
  Write(dir_ / "not-yet/index.html", "deployed v1");
  EXPECT_EQ("deployed v1", Get("later.test", "/index.html")->body);
  Write(dir_ / "not-yet/index.html", "deployed v2");
  EXPECT_EQ("deployed v2", Get("later.test", "/")->body);
}

TEST(FixtureServerStartTest, TwoServersGetTheirOwnPorts) {
  std::string err;
  auto a = FixtureServer::Start({}, &err);
  auto b = FixtureServer::Start({}, &err);
  ASSERT_TRUE(a && b) << err;
  EXPECT_NE(a->port(), b->port());
  int port = a->port();
  a.reset();  // stopped: the port no longer answers
  EXPECT_EQ("connect failed",
            RawStatusLine(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
}

}  // namespace
}  // namespace endstate::sandbox
