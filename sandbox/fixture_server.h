// The fixture web server of one world: one cpp-httplib server on a loopback
// port serving several virtual hosts (by Host header) from directories.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace endstate::sandbox {

// One virtual host's files: `dir` is served; every file sent is reached
// from `jail` (dir itself or a directory above it) without leaving it, at
// the moment of the request: no `..`, no absolute symlink, no symlink
// climbing out (openat2 RESOLVE_BENEATH). A deploy host's docroot is served
// with the host root as jail, so a session that swaps the docroot for a
// symlink to `/` exposes nothing, while relative links inside the root
// (www -> releases/v2) keep working.
struct ServedDir {
  std::filesystem::path dir;
  std::filesystem::path jail;
};

class FixtureServer {
 public:
  // Serves each `hosts` entry (name -> directory) read-only: GET and HEAD,
  // index.html for directories, content types by extension, 404 for
  // unknown paths or hosts, never a path outside the directory. The
  // directories are read on every request, so deployed changes show at
  // once. Returns nullptr and sets *err on failure. Each directory is its
  // own jail.
  static std::unique_ptr<FixtureServer> Start(
      const std::map<std::string, std::filesystem::path>& hosts,
      std::string* err);
  // The same with an explicit jail per host; *err when a dir is not below
  // its jail.
  static std::unique_ptr<FixtureServer> StartJailed(
      const std::map<std::string, ServedDir>& hosts, std::string* err);
  virtual ~FixtureServer() = default;  // stops the server
  virtual int port() const = 0;
};

}  // namespace endstate::sandbox
