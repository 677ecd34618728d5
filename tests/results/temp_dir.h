// A fresh directory under /tmp, removed with its contents on destruction;
// and the record's reader for a test database.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "results/reader.h"

namespace endstate::results::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/endstate-results-XXXXXX";
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The read-only reader of `path` (results/reader.h); aborts the test binary
// with the reason when it cannot be opened, as a test's set-up would.
inline RunReader OpenReader(const std::string& path) {
  std::string err;
  auto reader = RunReader::Open(path, &err);
  if (!reader) {
    std::fprintf(stderr, "OpenReader(%s): %s\n", path.c_str(), err.c_str());
    std::abort();
  }
  return std::move(*reader);
}

}  // namespace endstate::results::test
