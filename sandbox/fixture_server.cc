// The fixture web server: cpp-httplib on 127.0.0.1, one accept thread plus a
// small worker pool, virtual hosts by Host header. Files are read from disk
// on every request (no cache), so a deploy shows on the next request.
#include "sandbox/fixture_server.h"

#include <fcntl.h>
#include <httplib.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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

// A file descriptor closed on destruction.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The rest of `fd`, or nullopt on a read error.
std::optional<std::string> ReadAll(int fd) {
  std::string out;
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) return out;
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

// openat2 with RESOLVE_BENEATH: `rel` is resolved below `dirfd` by the
// kernel, in one step; `..`, absolute symlinks and symlinks climbing out
// fail with EXDEV. Checking canonical paths first and opening after would
// race with a host session swapping a directory for a symlink in between.
int OpenBeneath(int dirfd, const std::string& rel) {
  struct open_how how {};
  how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;  // a FIFO must not block
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(
      ::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof(how)));
}

// Reads the file that `url_path` (already percent-decoded) names in
// `served`: a regular file, or index.html for a directory, reached without
// leaving served.jail. Sets *name (for the content type).
std::optional<std::string> ReadServed(const ServedDir& served,
                                      const std::string& url_path,
                                      fs::path* name) {
  if (url_path.empty() || url_path.front() != '/' ||
      url_path.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  fs::path relative = fs::path(url_path).relative_path();
  for (const fs::path& part : relative) {
    if (part == "..") return std::nullopt;  // refused even if it stays inside
  }
  Fd jail(::open(served.jail.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (jail.get() < 0) return std::nullopt;
  std::string rel = (served.dir.lexically_relative(served.jail) / relative)
                        .lexically_normal()
                        .generic_string();
  if (rel.empty()) rel = ".";
  *name = relative;
  Fd file(OpenBeneath(jail.get(), rel));
  struct stat st {};
  if (file.get() < 0 || ::fstat(file.get(), &st) != 0) return std::nullopt;
  if (S_ISDIR(st.st_mode)) {
    *name = relative / "index.html";
    Fd index(OpenBeneath(jail.get(), rel + "/index.html"));
    if (index.get() < 0 || ::fstat(index.get(), &st) != 0 ||
        !S_ISREG(st.st_mode)) {
      return std::nullopt;
    }
    return ReadAll(index.get());
  }
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  return ReadAll(file.get());
}

class HttplibFixtureServer : public FixtureServer {
 public:
  explicit HttplibFixtureServer(std::map<std::string, ServedDir> hosts)
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
    std::optional<std::string> body;
    if (host != hosts_.end()) body = ReadServed(host->second, req.path, &file);
    if (!body) {
      res.status = 404;
      res.set_content("404 not found\n", "text/plain; charset=utf-8");
      return;
    }
    res.status = 200;
    res.set_content(std::move(*body), ContentType(file));
  }

  const std::map<std::string, ServedDir> hosts_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace

std::unique_ptr<FixtureServer> FixtureServer::Start(
    const std::map<std::string, fs::path>& hosts, std::string* err) {
  std::map<std::string, ServedDir> served;
  for (const auto& [name, dir] : hosts)
    served[name] = {.dir = dir, .jail = dir};
  return StartJailed(served, err);
}

std::unique_ptr<FixtureServer> FixtureServer::StartJailed(
    const std::map<std::string, ServedDir>& hosts, std::string* err) {
  std::map<std::string, ServedDir> normalized;
  for (const auto& [name, served] : hosts) {
    std::error_code ec;
    fs::path dir = fs::absolute(served.dir, ec).lexically_normal();
    fs::path jail = fs::absolute(served.jail, ec).lexically_normal();
    if (ec) {
      *err = "fixture server: bad directory for " + name + ": " + ec.message();
      return nullptr;
    }
    fs::path below = dir.lexically_relative(jail);
    if (below.empty() || *below.begin() == "..") {
      *err =
          "fixture server: " + dir.string() + " is not below " + jail.string();
      return nullptr;
    }
    normalized[HostName(name)] = {.dir = dir, .jail = jail};
  }
  auto server = std::make_unique<HttplibFixtureServer>(std::move(normalized));
  if (!server->Start(err)) return nullptr;
  return server;
}

}  // namespace endstate::sandbox
