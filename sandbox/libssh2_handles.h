// RAII owners for libssh2 handles (and the socket under a session). Every
// deleter is safe on nullptr and never throws.
#pragma once

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <unistd.h>

#include <memory>

namespace endstate::sandbox::ssh2 {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    if (p) Fn(p);
  }
};

inline void DisconnectAndFree(LIBSSH2_SESSION* s) {
  libssh2_session_disconnect(s, "bye");
  libssh2_session_free(s);
}

using Session = std::unique_ptr<LIBSSH2_SESSION, Deleter<DisconnectAndFree>>;
using Channel = std::unique_ptr<LIBSSH2_CHANNEL, Deleter<libssh2_channel_free>>;
using Sftp = std::unique_ptr<LIBSSH2_SFTP, Deleter<libssh2_sftp_shutdown>>;
using SftpHandle =
    std::unique_ptr<LIBSSH2_SFTP_HANDLE, Deleter<libssh2_sftp_close_handle>>;
using KnownHosts =
    std::unique_ptr<LIBSSH2_KNOWNHOSTS, Deleter<libssh2_knownhost_free>>;

// A file descriptor closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace endstate::sandbox::ssh2
