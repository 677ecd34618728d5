#include "tests/support/reset_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace endstate::test {

ResetServer::ResetServer() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(fd_, 16) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd_ >= 0) close(fd_);
    throw std::runtime_error("reset server: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      // Read the request head, so the client is waiting for an answer.
      char buf[4096];
      pollfd cp{c, POLLIN, 0};
      if (poll(&cp, 1, 2000) > 0) (void)!read(c, buf, sizeof buf);
      linger l{1, 0};  // close() now sends RST instead of FIN
      setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      close(c);
      ++connections_;
    }
  });
}

ResetServer::~ResetServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

}  // namespace endstate::test
