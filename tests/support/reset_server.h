// A TCP listener on 127.0.0.1 that answers every connection with a reset
// (RST): it reads the request, then closes with SO_LINGER 0. Models the
// "connection reset by peer" a crashing or restarting model server gives.
#pragma once

#include <atomic>
#include <thread>

namespace endstate::test {

class ResetServer {
 public:
  ResetServer();  // listening when constructed (port chosen by the kernel)
  ~ResetServer();
  ResetServer(const ResetServer&) = delete;
  ResetServer& operator=(const ResetServer&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_.load(); }  // reset so far

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace endstate::test
