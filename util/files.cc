#include "util/files.h"

#include <fcntl.h>
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

namespace {

// An owned file descriptor, closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

namespace {

const char* TypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a fifo";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symlink";
  return "something else";
}

}  // namespace

bool ReadRegularFile(const fs::path& path, const ReadOptions& options,
                     std::string* content, std::string* why) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (!options.follow_symlinks) flags |= O_NOFOLLOW;
  errno = 0;
  Fd fd(::open(path.c_str(), flags));
  if (fd.get() < 0) {
    int e = errno;
    *why = e == ELOOP && !options.follow_symlinks ? "is a symlink"
                                                  : std::strerror(e);
    errno = e;
    return false;
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    *why = std::strerror(errno);
    return false;
  }
  errno = 0;
  if (!S_ISREG(st.st_mode)) {
    *why = std::string("is ") + TypeName(st.st_mode) + ", not a regular file";
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > options.max_bytes) {
    *why = "is " + std::to_string(st.st_size) + " bytes, over the " +
           std::to_string(options.max_bytes) + "-byte limit";
    return false;
  }
  // A regular file never returns EAGAIN; clear O_NONBLOCK anyway so a
  // network filesystem's short reads are plain ones.
  ::fcntl(fd.get(), F_SETFL, O_RDONLY);
  content->clear();
  content->reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    if (content->size() + static_cast<size_t>(n) > options.max_bytes) {
      *why = "grew past the " + std::to_string(options.max_bytes) +
             "-byte limit while being read";
      return false;
    }
    content->append(buf, static_cast<size_t>(n));
  }
  return true;
}

std::optional<std::string> ReadFile(const fs::path& path, std::string* err,
                                    const ReadOptions& options) {
  std::string content, why;
  if (!ReadRegularFile(path, options, &content, &why)) {
    if (err) {
      *err = (errno != 0 ? "cannot open " : "cannot read ") + path.string() +
             ": " + why;
    }
    return std::nullopt;
  }
  return content;
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
