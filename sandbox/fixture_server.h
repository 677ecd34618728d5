// The fixture web server of one world: one cpp-httplib server on a loopback
// port serving several virtual hosts (by Host header) from directories.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace endstate::sandbox {

class FixtureServer {
 public:
  // Serves each `hosts` entry (name -> directory) read-only: GET and HEAD,
  // index.html for directories, content types by extension, 404 for
  // unknown paths or hosts, never a path outside the directory. The
  // directories are read on every request, so deployed changes show at
  // once. Returns nullptr and sets *err on failure.
  static std::unique_ptr<FixtureServer> Start(
      const std::map<std::string, std::filesystem::path>& hosts,
      std::string* err);
  virtual ~FixtureServer() = default;  // stops the server
  virtual int port() const = 0;
};

}  // namespace endstate::sandbox
