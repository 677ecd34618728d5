// A client for the world's deploy hosts over libssh2: exec and SFTP, with
// the host key verified against the world's known_hosts. Used by the
// scp_upload / ssh_exec tools and, through fresh connections of their own,
// by the remote_file grader.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace endstate::sandbox {

struct SshTarget {
  std::string host_name;  // "prod.test", for messages
  std::string address = "127.0.0.1";
  int port = 0;
  std::string user;                   // login user
  std::filesystem::path private_key;  // client key (ed25519, no passphrase)
  std::filesystem::path public_key;
  std::filesystem::path known_hosts;  // holds the host's key for [addr]:port
};

struct ExecResult {
  int exit_code = -1;
  std::string out, err;
  bool output_truncated = false;
  bool timed_out = false;
};

struct RemoteEntry {
  std::string path;  // absolute remote path
  bool is_dir = false;
  uint64_t size = 0;
};

// One authenticated SSH session. Not thread-safe; one per user.
// Every method returns false / nullopt and sets *err on failure; err texts
// are short and meant for the model or a check detail.
class SshSession {
 public:
  // Connects, verifies the host key (mismatch or unknown host is an error),
  // authenticates with the key pair.
  static std::unique_ptr<SshSession> Connect(const SshTarget& target,
                                             std::string* err);
  virtual ~SshSession() = default;

  virtual bool Exec(const std::string& command,
                    std::chrono::milliseconds timeout, size_t max_output_bytes,
                    ExecResult* result, std::string* err) = 0;
  // Writes `content` to `remote_path` (replacing it: unlink first, as
  // OpenSSH SFTP v3 ignores OVERWRITE). With make_parents, creates missing
  // parent directories; otherwise a missing parent is an error
  // "no such directory: /srv/www/docs/v2".
  virtual bool WriteFile(const std::string& remote_path,
                         const std::string& content, int mode,
                         bool make_parents, std::string* err) = 0;
  virtual std::optional<std::string> ReadFile(const std::string& remote_path,
                                              std::string* err) = 0;
  // nullopt + empty *err when the path does not exist.
  virtual std::optional<RemoteEntry> Stat(const std::string& remote_path,
                                          std::string* err) = 0;
  // Every regular file below `remote_dir`, recursively, sorted by path.
  virtual std::optional<std::vector<RemoteEntry>> ListTree(
      const std::string& remote_dir, std::string* err) = 0;
};

}  // namespace endstate::sandbox
