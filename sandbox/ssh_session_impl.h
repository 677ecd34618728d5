// The libssh2 implementation of SshSession, shared by ssh_client.cc
// (connection, exec) and ssh_sftp.cc (file operations). Internal.
#pragma once

#include <chrono>
#include <string>

#include "sandbox/libssh2_handles.h"
#include "sandbox/ssh_client.h"

namespace endstate::sandbox {

class SshSessionImpl final : public SshSession {
 public:
  using Clock = std::chrono::steady_clock;
  // Blocking calls (handshake, SFTP) give up after this long.
  static constexpr std::chrono::milliseconds kIoTimeout{30'000};

  SshSessionImpl(SshTarget target, ssh2::UniqueFd sock, ssh2::Session session)
      : target_(std::move(target)),
        sock_(std::move(sock)),
        session_(std::move(session)) {}
  ~SshSessionImpl() override {
    sftp_.reset();  // before the session it belongs to
    session_.reset();
  }

  bool Exec(const std::string& command, std::chrono::milliseconds timeout,
            size_t max_output_bytes, ExecResult* result,
            std::string* err) override;
  bool WriteFile(const std::string& remote_path, const std::string& content,
                 int mode, bool make_parents, std::string* err) override;
  std::optional<std::string> ReadFile(const std::string& remote_path,
                                      std::string* err) override;
  std::optional<RemoteEntry> Stat(const std::string& remote_path,
                                  std::string* err) override;
  std::optional<std::vector<RemoteEntry>> ListTree(
      const std::string& remote_dir, std::string* err) override;

 private:
  // libssh2's last error message for the session.
  std::string LastError() const;
  // Waits until the socket is ready in the direction libssh2 is blocked on;
  // false once `deadline` passed.
  bool WaitSocket(Clock::time_point deadline) const;
  // The SFTP channel, opened on first use.
  LIBSSH2_SFTP* Sftp(std::string* err);
  // "<what> <path>: <reason>" for the last failed SFTP call.
  std::string SftpError(const std::string& what, const std::string& path);
  // True when the last failed SFTP call failed for a missing path.
  bool LastWasNoSuchFile() const;
  bool MakeDirs(const std::string& dir, std::string* err);
  bool ListInto(const std::string& dir, std::vector<RemoteEntry>* out,
                std::string* err);

  SshTarget target_;
  ssh2::UniqueFd sock_;
  ssh2::Session session_;
  ssh2::Sftp sftp_;
};

}  // namespace endstate::sandbox
