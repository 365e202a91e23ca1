#include "integration/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cati::it {

namespace {

constexpr int poll_ms = 50;  // how often the threads look at the stop flag

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  auto a = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

tcp_proxy::tcp_proxy(std::uint16_t upstream) : upstream_(upstream) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto a = loopback(0);
  socklen_t len = sizeof a;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("tcp_proxy: cannot listen on 127.0.0.1");
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

tcp_proxy::~tcp_proxy() {
  stopping_ = true;
  acceptor_.join();
  cut();
  for (auto& t : threads_) t.join();  // the acceptor is gone: nobody adds threads now
  ::close(listener_);
}

void tcp_proxy::cut() {
  const std::lock_guard lock(mutex_);
  for (auto& l : links_)
    if (!l->closed) {
      // The relay thread sees both ends fail and closes them (under this mutex).
      ::shutdown(l->client, SHUT_RDWR);
      ::shutdown(l->server, SHUT_RDWR);
    }
}

void tcp_proxy::accept_loop() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, poll_ms) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = refuse_ ? -1 : connect_to(upstream_);
    if (server < 0) {  // the network is down, or the server is
      ::close(client);
      continue;
    }
    ++relayed_;
    const std::lock_guard lock(mutex_);
    links_.push_back(std::make_unique<connection_pair>(connection_pair{client, server, false}));
    threads_.emplace_back([this, l = links_.back().get()] { relay(l); });
  }
}

void tcp_proxy::relay(connection_pair* l) {
  char buffer[16384];
  for (;;) {
    pollfd p[2] = {{l->client, POLLIN, 0}, {l->server, POLLIN, 0}};
    const int n = ::poll(p, 2, poll_ms);
    if (stopping_) break;
    if (n < 0) break;
    if (n == 0) continue;
    bool open = true;
    for (int i = 0; i < 2 && open; ++i) {
      if (p[i].revents == 0) continue;
      const auto got = ::recv(p[i].fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        open = false;
        break;
      }
      const bool from_server = i == 1;
      if (from_server && swallow_) continue;
      open = send_all(from_server ? l->client : l->server, buffer, static_cast<std::size_t>(got));
    }
    if (!open) break;
  }
  const std::lock_guard lock(mutex_);
  ::close(l->client);
  ::close(l->server);
  l->closed = true;
}

}  // namespace cati::it
