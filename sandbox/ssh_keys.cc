// ProcessSshKeys: one host key and one client key pair per process,
// generated with ssh-keygen below /var/tmp/endstate-worlds/.keys-<pid>.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/process/v2.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "sandbox/ssh_host.h"

namespace endstate::sandbox {
namespace {

namespace bp = boost::process::v2;
namespace fs = std::filesystem;

constexpr char kSshKeygen[] = "/usr/bin/ssh-keygen";
constexpr char kKeysBase[] = "/var/tmp/endstate-worlds";

std::string ReadSmallFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `ssh-keygen -q -t ed25519 -N '' -f key` for every key at once (each
// takes ~2 ms), so the keys are ready after the slowest one.
bool GenerateKeys(const std::vector<fs::path>& keys, std::string* err) {
  boost::asio::io_context ctx;
  std::vector<bp::process> procs;
  std::vector<fs::path> logs;
  for (const fs::path& key : keys) {
    fs::path log = key;
    log += ".log";
    int fd =
        ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      *err = "cannot create " + log.string() + ": " + std::strerror(errno);
      return false;
    }
    boost::system::error_code ec;
    std::vector<std::string> args = {
        "-q", "-t", "ed25519", "-N", "", "-C", "endstate", "-f", key.string()};
    procs.push_back(bp::default_process_launcher()(
        ctx.get_executor(), ec, boost::filesystem::path(kSshKeygen), args,
        bp::process_stdio{nullptr, fd, fd}));
    ::close(fd);
    if (ec) {
      *err = "cannot run ssh-keygen: " + ec.message();
      return false;
    }
    logs.push_back(log);
  }
  bool ok = true;
  for (size_t i = 0; i < procs.size(); ++i) {
    boost::system::error_code ec;
    int code = procs[i].wait(ec);
    if (ec || code != 0) {
      if (ok) {
        *err = "ssh-keygen failed for " + keys[i].string() + ": " +
               (ec ? ec.message() : ReadSmallFile(logs[i]));
      }
      ok = false;
    }
    std::error_code ignored;
    fs::remove(logs[i], ignored);
  }
  return ok;
}

pid_t key_owner_pid = 0;
fs::path key_dir;

// Removes the key directory when the process that made it exits (forked
// children that fail to exec also run atexit handlers: skip those).
void RemoveKeysAtExit() {
  if (::getpid() != key_owner_pid) return;
  std::error_code ignored;
  fs::remove_all(key_dir, ignored);
}

}  // namespace

const SshKeys* ProcessSshKeys(std::string* err) {
  static std::once_flag once;
  static SshKeys keys;
  static bool ok = false;
  static std::string error;
  std::call_once(once, [] {
    if (::access(kSshKeygen, X_OK) != 0) {
      error = "ssh-keygen not found: apt-get install openssh-client";
      return;
    }
    std::error_code ec;
    fs::create_directories(kKeysBase, ec);
    fs::path dir =
        fs::path(kKeysBase) / (".keys-" + std::to_string(::getpid()));
    fs::remove_all(dir, ec);  // left over by an earlier process with our pid
    if (::mkdir(dir.c_str(), 0700) != 0) {
      error = "cannot create " + dir.string() + ": " + std::strerror(errno);
      return;
    }
    key_owner_pid = ::getpid();
    key_dir = dir;
    std::atexit(RemoveKeysAtExit);
    keys.host_key = dir / "host_ed25519";
    keys.host_key_pub = dir / "host_ed25519.pub";
    keys.client_key = dir / "client_ed25519";
    keys.client_key_pub = dir / "client_ed25519.pub";
    ok = GenerateKeys({keys.host_key, keys.client_key}, &error);
  });
  if (!ok) {
    if (err) *err = error;
    return nullptr;
  }
  return &keys;
}

}  // namespace endstate::sandbox
