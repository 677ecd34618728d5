// RAII owners for libssh2 handles (and the socket under a session). Every
// deleter is safe on nullptr and never throws.
#pragma once

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <unistd.h>

#include "util/handle.h"

namespace endstate::sandbox::ssh2 {

inline void DisconnectAndFree(LIBSSH2_SESSION* s) {
  libssh2_session_disconnect(s, "bye");
  libssh2_session_free(s);
}

using Session = util::Handle<LIBSSH2_SESSION, DisconnectAndFree>;
using Channel = util::Handle<LIBSSH2_CHANNEL, libssh2_channel_free>;
using Sftp = util::Handle<LIBSSH2_SFTP, libssh2_sftp_shutdown>;
using SftpHandle = util::Handle<LIBSSH2_SFTP_HANDLE, libssh2_sftp_close_handle>;
using KnownHosts = util::Handle<LIBSSH2_KNOWNHOSTS, libssh2_knownhost_free>;

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
