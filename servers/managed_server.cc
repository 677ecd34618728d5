#include "servers/managed_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "servers/ready.h"

namespace endstate::servers {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

std::string UtcNow() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      now.time_since_epoch())
                      .count() %
                  1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

nlohmann::json RedactedEnv(const std::map<std::string, std::string>& env) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : env) {
    std::string upper = k;
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    bool secret = false;
    for (const char* word : {"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD",
                             "CREDENTIAL", "AUTH"}) {
      if (upper.find(word) != std::string::npos) secret = true;
    }
    out[k] = secret ? "<redacted>" : v;
  }
  return out;
}

int FreePort(const std::string& host) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

ManagedServer::ManagedServer(std::string model_name, std::string model_id,
                             ServeConfig serve, ServerOptions options)
    : name_(std::move(model_name)),
      model_id_(std::move(model_id)),
      serve_(std::move(serve)),
      options_(std::move(options)) {}

ManagedServer::~ManagedServer() { Stop(); }

void ManagedServer::Log(const std::string& line) const {
  if (options_.log) options_.log("server " + name_ + ": " + line);
}

std::string ManagedServer::Tail() const {
  if (!process_) return "";
  std::string tail = LogTail(process_->log_path());
  return "; log tail (" + process_->log_path() + "):\n" +
         (tail.empty() ? "(empty)" : tail);
}

std::string ManagedServer::base_url() const {
  std::lock_guard lock(mu_);
  return ServedBaseUrl(serve_, port_);
}

pid_t ManagedServer::pid() const {
  std::lock_guard lock(mu_);
  return process_ && !process_->ExitDescription() ? process_->pid() : -1;
}

nlohmann::json ManagedServer::Provenance() const {
  std::lock_guard lock(mu_);
  return provenance_;
}

bool ManagedServer::Start(std::string* err) {
  std::lock_guard lock(mu_);
  return StartLocked(err);
}

bool ManagedServer::StartLocked(std::string* err) {
  const std::string who = "server '" + name_ + "': ";
  if (port_ == 0) port_ = serve_.port > 0 ? serve_.port : FreePort(serve_.host);
  if (port_ == 0) {
    *err = who + "no free port on " + serve_.host;
    return false;
  }
  PreflightResult mem =
      Preflight(serve_.need_gb, serve_.drop_caches, options_.memory);
  provenance_["memory_before_start"] = MemoryJson(mem.after);
  if (mem.dropped_caches) provenance_["dropped_page_cache"] = true;
  if (!mem.ok) {
    *err = who + mem.message;
    provenance_["error"] = *err;
    return false;
  }
  ++starts_;
  const std::vector<std::string> argv = ExpandCommand(serve_, port_);
  std::string cmdline;
  for (const auto& a : argv) cmdline += (cmdline.empty() ? "" : " ") + a;
  provenance_["command"] = argv;
  const std::map<std::string, std::string> env = ExpandEnv(serve_, port_);
  provenance_["env"] = RedactedEnv(env);
  provenance_["base_url"] = ServedBaseUrl(serve_, port_);
  provenance_["restarts"] = starts_ - 1;
  Log("starting on port " + std::to_string(port_) + ": " + cmdline);
  const std::string log_path = options_.log_dir + "/" + name_ + "-" +
                               std::to_string(getpid()) + "-" +
                               std::to_string(starts_) + ".log";
  const auto t0 = Clock::now();
  provenance_["started_at"] = UtcNow();
  process_ = ServerProcess::Spawn({.argv = argv,
                                   .env = env,
                                   .log_path = log_path,
                                   .stop_signal = serve_.stop_signal,
                                   .stop_grace = serve_.stop_grace},
                                  err);
  if (!process_) {
    *err = who + *err;
    provenance_["error"] = *err;
    return false;
  }
  provenance_["log"] = log_path;
  provenance_["pid"] = process_->pid();
  ServerProcess* proc = process_.get();
  const std::string root =
      "http://" + serve_.host + ":" + std::to_string(port_);
  ReadyResult ready = WaitReady(
      {.root_url = root,
       .ready_path = serve_.ready_path,
       .timeout = serve_.ready_timeout,
       .interval = options_.ready_interval,
       .exited = [proc] { return proc->ExitDescription().value_or(""); }});
  if (!ready.ready) {
    process_->Stop();
    *err = who + ready.error + Tail();
    provenance_["error"] = who + ready.error;
    Log("not ready: " + ready.error);
    return false;
  }
  provenance_["ready_at"] = UtcNow();
  provenance_["startup_s"] =
      static_cast<double>(static_cast<long long>(SecondsSince(t0) * 10)) / 10;
  provenance_["identity"] = ServerIdentity(root);
  provenance_["served_model"] = ServedModelEntry(ready.models, model_id_);
  provenance_["memory_after_ready"] = MemoryJson(ReadMemory(options_.memory));
  provenance_.erase("error");
  Log("ready after " + provenance_["startup_s"].dump() + " s");
  return true;
}

std::string ManagedServer::DownReason() {
  std::lock_guard lock(mu_);
  if (!down_.empty()) return down_;
  if (!process_) return "server '" + name_ + "' is not running";
  std::optional<std::string> exit = process_->ExitDescription();
  if (!exit) return "";
  std::string reason = "server '" + name_ + "' " + *exit + Tail();
  provenance_["exits"].push_back(*exit);
  if (starts_ - 1 < serve_.restart) {
    Log(*exit + "; restarting (" + std::to_string(starts_) + " of " +
        std::to_string(serve_.restart) + " restarts)");
    std::string err;
    if (StartLocked(&err)) return "";
    reason += "\nrestart failed: " + err;
  }
  down_ = reason;
  Log(*exit);
  return down_;
}

void ManagedServer::Stop() {
  std::lock_guard lock(mu_);
  if (!process_) return;
  if (!process_->ExitDescription()) Log("stopping");
  std::string how = process_->Stop();
  if (!provenance_.contains("stopped_at")) {
    provenance_["stopped_at"] = UtcNow();
    provenance_["exit"] = how;
  }
  if (down_.empty()) down_ = "server '" + name_ + "' was stopped";
}

}  // namespace endstate::servers
