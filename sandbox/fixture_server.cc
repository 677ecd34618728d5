// The fixture web server: cpp-httplib on 127.0.0.1, one accept thread plus a
// small worker pool, virtual hosts by Host header. Files are read from disk
// on every request (no cache), so a deploy shows on the next request.
#include "sandbox/fixture_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "util/files.h"

namespace endstate::sandbox {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWorkerThreads = 4;
constexpr time_t kKeepAliveSeconds = 2;

std::string ContentType(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".xml", "application/xml"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
  };
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// "Site.Test:8080" -> "site.test".
std::string HostName(std::string host) {
  if (!host.empty() && host.front() != '[') {
    size_t colon = host.rfind(':');
    if (colon != std::string::npos) host.resize(colon);
  }
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return host;
}

// Whether canonical `path` is `root` or below it.
bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [r, p] =
      std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

// Resolves the URL path `url_path` (already percent-decoded) below `root` to
// a regular file, following symlinks only while they stay inside `root`.
// Returns an empty path when there is nothing to serve.
fs::path Resolve(const fs::path& root, const std::string& url_path) {
  if (url_path.empty() || url_path.front() != '/' ||
      url_path.find('\0') != std::string::npos) {
    return {};
  }
  fs::path relative = fs::path(url_path).relative_path();
  for (const fs::path& part : relative) {
    if (part == "..") return {};  // refused outright, even if it stays inside
  }
  std::error_code ec;
  fs::path real_root = fs::canonical(root, ec);
  if (ec) return {};
  fs::path target = fs::canonical(real_root / relative, ec);
  if (ec || !IsWithin(target, real_root)) return {};
  if (fs::is_directory(target, ec)) {
    target = fs::canonical(target / "index.html", ec);
    if (ec || !IsWithin(target, real_root)) return {};
  }
  if (!fs::is_regular_file(target, ec)) return {};
  return target;
}

class HttplibFixtureServer : public FixtureServer {
 public:
  explicit HttplibFixtureServer(std::map<std::string, fs::path> hosts)
      : hosts_(std::move(hosts)) {}

  ~HttplibFixtureServer() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  bool Start(std::string* err) {
    server_.new_task_queue = [] {
      return new httplib::ThreadPool(kWorkerThreads);
    };
    server_.set_keep_alive_timeout(kKeepAliveSeconds);
    server_.Get(".*", [this](const httplib::Request& req,
                             httplib::Response& res) { Serve(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) {
      *err = "fixture server: cannot bind a port on 127.0.0.1";
      return false;
    }
    // bind_to_any_port already listens: connections queue until the accept
    // loop runs, so no wait is needed before returning the port.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the loop runs; wait for it so that a server
    // destroyed right away still shuts down.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  int port() const override { return port_; }

 private:
  void Serve(const httplib::Request& req, httplib::Response& res) const {
    res.set_header("Cache-Control", "no-store");
    auto host = hosts_.find(HostName(req.get_header_value("Host")));
    fs::path file;
    if (host != hosts_.end()) file = Resolve(host->second, req.path);
    std::optional<std::string> body;
    if (!file.empty()) body = util::ReadFile(file);
    if (!body) {
      res.status = 404;
      res.set_content("404 not found\n", "text/plain; charset=utf-8");
      return;
    }
    res.status = 200;
    res.set_content(std::move(*body), ContentType(file));
  }

  const std::map<std::string, fs::path> hosts_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace

std::unique_ptr<FixtureServer> FixtureServer::Start(
    const std::map<std::string, fs::path>& hosts, std::string* err) {
  std::map<std::string, fs::path> normalized;
  for (const auto& [name, dir] : hosts) {
    std::error_code ec;
    fs::path absolute = fs::absolute(dir, ec);
    if (ec) {
      *err = "fixture server: bad directory for " + name + ": " + ec.message();
      return nullptr;
    }
    normalized[HostName(name)] = absolute.lexically_normal();
  }
  auto server = std::make_unique<HttplibFixtureServer>(std::move(normalized));
  if (!server->Start(err)) return nullptr;
  return server;
}

}  // namespace endstate::sandbox
