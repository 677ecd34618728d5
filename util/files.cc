#include "util/files.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace endstate::util {
namespace fs = std::filesystem;

std::optional<std::string> ReadFile(const fs::path& path, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (err)
      *err = "cannot open " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    if (err) *err = "cannot read " + path.string();
    return std::nullopt;
  }
  return std::move(ss).str();
}

bool WriteFile(const fs::path& path, std::string_view content,
               std::string* err) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    if (err)
      *err = "cannot write " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    if (err) *err = "cannot write " + path.string();
    return false;
  }
  return true;
}

bool WriteFileAtomic(const fs::path& path, std::string_view content,
                     std::string* err) {
  fs::path tmp = path;
  tmp += ".tmp";
  auto fail = [&] {
    if (err)
      *err = "cannot write " + path.string() + ": " + std::strerror(errno);
    std::error_code ec;
    fs::remove(tmp, ec);
    return false;
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail();
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return fail();
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail();
  return true;
}

bool CopyTree(const fs::path& from, const fs::path& to, std::string* err) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) {
    if (err) *err = "cannot create " + to.string() + ": " + ec.message();
    return false;
  }
  fs::copy(from, to,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks |
               fs::copy_options::overwrite_existing,
           ec);
  if (ec) {
    if (err) {
      *err = "cannot copy " + from.string() + " to " + to.string() + ": " +
             ec.message();
    }
    return false;
  }
  return true;
}

fs::path MakeTempDir(const fs::path& base, std::string_view prefix,
                     std::string* err) {
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec) {
    if (err) *err = "cannot create " + base.string() + ": " + ec.message();
    return {};
  }
  ::chmod(base.c_str(), 0755);
  // Process id + counter + random suffix: unique across threads and
  // processes; mkdir's atomicity settles any remaining race.
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int i = 0; i < 100; ++i) {
    std::ostringstream name;
    name << prefix << ::getpid() << '-' << counter++ << '-' << std::hex
         << (rng() & 0xffffff);
    fs::path dir = base / name.str();
    if (::mkdir(dir.c_str(), 0755) == 0) return dir;
    if (errno != EEXIST) {
      if (err)
        *err = "cannot create " + dir.string() + ": " + std::strerror(errno);
      return {};
    }
  }
  if (err) *err = "cannot create a unique directory below " + base.string();
  return {};
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace endstate::util
