// SshSession over libssh2: connect, host key check, key auth, exec. The
// SFTP half lives in ssh_sftp.cc.
#include "sandbox/ssh_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <mutex>

#include "sandbox/ssh_confine.h"
#include "sandbox/ssh_session_impl.h"

namespace endstate::sandbox {
namespace {

using Clock = SshSessionImpl::Clock;

bool InitLibssh2(std::string* err) {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = libssh2_init(0); });
  if (rc != 0) *err = "libssh2_init failed: " + std::to_string(rc);
  return rc == 0;
}

std::string SessionError(LIBSSH2_SESSION* s) {
  char* msg = nullptr;
  int len = 0;
  libssh2_session_last_error(s, &msg, &len, 0);
  return msg && len > 0 ? std::string(msg, len) : "unknown error";
}

int KnownHostKeyType(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
      return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
      return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
      return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
      return 0;
  }
}

bool CheckHostKey(LIBSSH2_SESSION* s, const SshTarget& t,
                  const std::string& where, std::string* err) {
  ssh2::KnownHosts hosts(libssh2_knownhost_init(s));
  if (!hosts) {
    *err = "cannot check host key of " + where + ": " + SessionError(s);
    return false;
  }
  if (libssh2_knownhost_readfile(hosts.get(), t.known_hosts.c_str(),
                                 LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
    *err = "cannot read known_hosts " + t.known_hosts.string();
    return false;
  }
  size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(s, &len, &type);
  if (!key) {
    *err = "no host key from " + where;
    return false;
  }
  struct libssh2_knownhost* found = nullptr;
  int check = libssh2_knownhost_checkp(
      hosts.get(), t.address.c_str(), t.port, key, len,
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
          KnownHostKeyType(type),
      &found);
  switch (check) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
      return true;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
      *err = "host key of " + where + " does not match known_hosts";
      return false;
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
      *err = "host key of " + where + " is not in known_hosts";
      return false;
    default:
      *err = "cannot check host key of " + where + ": " + SessionError(s);
      return false;
  }
}

// Restores blocking mode (used by SFTP) when an exec ends, however it ends.
class NonBlocking {
 public:
  explicit NonBlocking(LIBSSH2_SESSION* s) : s_(s) {
    libssh2_session_set_blocking(s_, 0);
  }
  ~NonBlocking() { libssh2_session_set_blocking(s_, 1); }

 private:
  LIBSSH2_SESSION* s_;
};

// Appends up to `cap` bytes in total to `out`; the rest is dropped (but was
// read, so the remote side never blocks on a full window).
void AppendCapped(std::string* out, const char* data, size_t n, size_t cap,
                  bool* truncated) {
  size_t room = cap > out->size() ? cap - out->size() : 0;
  if (n > room) *truncated = true;
  out->append(data, std::min(n, room));
}

int SignalExitCode(const std::string& name) {
  static const std::pair<const char*, int> kSignals[] = {
      {"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"ABRT", 6},
      {"FPE", 8},   {"KILL", 9},  {"SEGV", 11}, {"PIPE", 13}, {"ALRM", 14},
      {"TERM", 15}, {"USR1", 10}, {"USR2", 12}, {"XFSZ", 25}};
  for (const auto& [sig, num] : kSignals) {
    if (name == sig) return 128 + num;
  }
  return 128;
}

}  // namespace

std::unique_ptr<SshSession> SshSession::Connect(const SshTarget& target,
                                                std::string* err) {
  if (!InitLibssh2(err)) return nullptr;
  const std::string where = target.host_name + " (" + target.address + ":" +
                            std::to_string(target.port) + ")";
  ssh2::UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(target.port));
  if (::inet_pton(AF_INET, target.address.c_str(), &addr.sin_addr) != 1) {
    *err = "bad address for " + where;
    return nullptr;
  }
  if (sock.get() < 0 ||
      ::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
          0) {
    *err = "cannot connect to " + where + ": " + std::strerror(errno);
    return nullptr;
  }
  // libssh2 writes many small packets; without this, Nagle and delayed
  // ACKs add ~40 ms stalls to every round trip.
  int one = 1;
  ::setsockopt(sock.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ssh2::Session session(libssh2_session_init());
  if (!session) {
    *err = "libssh2_session_init failed";
    return nullptr;
  }
  LIBSSH2_SESSION* s = session.get();
  libssh2_session_set_blocking(s, 1);
  libssh2_session_set_timeout(s, SshSessionImpl::kIoTimeout.count());
  if (libssh2_session_handshake(s, sock.get()) != 0) {
    *err = "ssh handshake with " + where + " failed: " + SessionError(s);
    return nullptr;
  }
  if (!CheckHostKey(s, target, where, err)) return nullptr;
  const std::string pub = target.public_key.string();
  const std::string priv = target.private_key.string();
  if (libssh2_userauth_publickey_fromfile_ex(s, target.user.c_str(),
                                             target.user.size(), pub.c_str(),
                                             priv.c_str(), "") != 0) {
    *err = "ssh login as " + target.user + " to " + where +
           " failed: " + SessionError(s);
    return nullptr;
  }
  return std::make_unique<SshSessionImpl>(target, std::move(sock),
                                          std::move(session));
}

std::string SshSessionImpl::LastError() const {
  return SessionError(session_.get());
}

bool SshSessionImpl::WaitSocket(Clock::time_point deadline) const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  if (left.count() <= 0) return false;
  int dirs = libssh2_session_block_directions(session_.get());
  pollfd p{.fd = sock_.get(), .events = 0, .revents = 0};
  if (dirs & LIBSSH2_SESSION_BLOCK_INBOUND) p.events |= POLLIN;
  if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) p.events |= POLLOUT;
  if (p.events == 0) p.events = POLLIN;
  ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)) + 1);
  return true;
}

bool SshSessionImpl::Exec(const std::string& command,
                          std::chrono::milliseconds timeout,
                          size_t max_output_bytes, ExecResult* result,
                          std::string* err) {
  *result = ExecResult{};
  LIBSSH2_SESSION* s = session_.get();
  const auto start = Clock::now();
  // The host's wrapper kills the command at `timeout` (we send it below);
  // the grace lets its exit status arrive.
  const auto deadline = start + timeout + std::chrono::seconds(2);
  ssh2::Channel channel;
  NonBlocking non_blocking(s);  // destroyed first: the channel is freed
                                // in blocking mode
  auto retry = [&](auto call) {
    int rc;
    while ((rc = call()) == LIBSSH2_ERROR_EAGAIN && WaitSocket(deadline)) {
    }
    return rc;
  };
  while (!channel) {
    channel.reset(libssh2_channel_open_session(s));
    if (channel) break;
    if (libssh2_session_last_errno(s) != LIBSSH2_ERROR_EAGAIN ||
        !WaitSocket(deadline)) {
      *err =
          "cannot open a session on " + target_.host_name + ": " + LastError();
      return false;
    }
  }
  LIBSSH2_CHANNEL* ch = channel.get();
  const std::string ms = std::to_string(timeout.count());
  // Refused when the host does not accept it: the host limit then applies.
  retry([&] {
    return libssh2_channel_setenv_ex(
        ch, kSshTimeoutEnv, std::strlen(kSshTimeoutEnv), ms.c_str(), ms.size());
  });
  int rc = retry([&] {
    return libssh2_channel_process_startup(ch, "exec", 4, command.data(),
                                           command.size());
  });
  if (rc != 0) {
    *err =
        "cannot run the command on " + target_.host_name + ": " + LastError();
    return false;
  }
  char buf[32 * 1024];
  while (true) {
    bool progress = false;
    for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
      std::string* out = stream == 0 ? &result->out : &result->err;
      ssize_t n;
      while ((n = libssh2_channel_read_ex(ch, stream, buf, sizeof buf)) > 0) {
        AppendCapped(out, buf, n, max_output_bytes, &result->output_truncated);
        progress = true;
      }
      if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
        *err = "reading output from " + target_.host_name + ": " + LastError();
        return false;
      }
    }
    if (!progress && libssh2_channel_eof(ch)) break;
    if (!progress && !WaitSocket(deadline)) {
      result->timed_out = true;
      return true;  // the channel is closed on destruction
    }
  }
  retry([&] { return libssh2_channel_close(ch); });
  retry([&] { return libssh2_channel_wait_closed(ch); });
  result->exit_code = libssh2_channel_get_exit_status(ch);
  char* signal = nullptr;
  size_t signal_len = 0;
  if (libssh2_channel_get_exit_signal(ch, &signal, &signal_len, nullptr,
                                      nullptr, nullptr, nullptr) == 0 &&
      signal) {
    result->exit_code = SignalExitCode(std::string(signal, signal_len));
    libssh2_free(s, signal);
  }
  // `timeout -s KILL` in the host's wrapper ends with 128 + 9.
  if (result->exit_code == 137 && Clock::now() - start >= timeout) {
    result->timed_out = true;
  }
  return true;
}

}  // namespace endstate::sandbox
