// A real OpenSSH sshd per deploy host, on a loopback port, confined: every
// session (exec, sftp, scp) runs through a wrapper that starts the command
// in bubblewrap with the host's root bound at /srv (NOTES.md has the sshd
// facts). sshd and all its sessions share one cgroup v1 pids controller of
// limits.max_pids + 8 processes (when one is writable, as for RunProcess):
// a fork bomb in a session stops there and dies at the session's timeout.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "sandbox/process.h"
#include "sandbox/ssh_client.h"

namespace endstate::sandbox {

// Key material shared by all worlds of one process: one host key and one
// client key pair, generated once (ssh-keygen -t ed25519) below `dir`.
struct SshKeys {
  std::filesystem::path host_key, host_key_pub;
  std::filesystem::path client_key, client_key_pub;
};
// Generates the keys once per process (thread-safe) and returns them, or
// nullptr with *err (e.g. "ssh-keygen not found: apt-get install
// openssh-client").
const SshKeys* ProcessSshKeys(std::string* err);

struct SshHostOptions {
  std::string name;                 // "prod.test"
  std::filesystem::path root;       // host root, bound at /srv inside
  std::filesystem::path state_dir;  // sshd config, pid, logs, known_hosts
  ShellLimits limits;               // for commands run on the host
};

class SshHost {
 public:
  // Starts `sshd -D -e -f CONFIG` on a free loopback port and waits until it
  // accepts connections. Returns nullptr with *err (naming a missing
  // dependency and how to install it) on failure.
  static std::unique_ptr<SshHost> Start(const SshHostOptions& options,
                                        std::string* err);
  // Kills sshd and every session it started.
  virtual ~SshHost() = default;
  // How a client reaches this host (known_hosts holds its key).
  virtual const SshTarget& target() const = 0;
};

}  // namespace endstate::sandbox
