#include "integration/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>

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

void tcp_proxy::delay(std::chrono::milliseconds latency, std::chrono::milliseconds jitter) {
  latency_us_ = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  jitter_us_ = std::chrono::duration_cast<std::chrono::microseconds>(jitter).count();
}

int tcp_proxy::open() const {
  const std::lock_guard lock(mutex_);
  return static_cast<int>(std::count_if(links_.begin(), links_.end(), [](const auto& l) { return !l->closed; }));
}

void tcp_proxy::relay(connection_pair* l) {
  using clock = std::chrono::steady_clock;
  struct chunk {
    clock::time_point due;
    std::string bytes;
  };
  // [0]: client -> server, [1]: server -> client.
  struct direction {
    int from, to;
    std::deque<chunk> held;
    clock::time_point last_due{};
    bool ended = false;  // `from` closed: once `held` is delivered, the relay ends
  };
  direction dirs[2] = {{l->client, l->server, {}, {}, false}, {l->server, l->client, {}, {}, false}};
  std::mt19937_64 random(static_cast<std::uint64_t>(l->client) * 7919u + static_cast<std::uint64_t>(relayed_));
  for (int fd : {l->client, l->server}) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  char buffer[16384];
  bool open = true;
  while (open && !stopping_) {
    // Deliver what is due.
    const auto now = clock::now();
    auto next = now + std::chrono::milliseconds(poll_ms);
    for (auto& d : dirs) {
      while (open && !partitioned_ && !d.held.empty() && d.held.front().due <= now) {
        const auto& bytes = d.held.front().bytes;
        if (byte_by_byte_) {
          for (std::size_t i = 0; open && i < bytes.size(); ++i) open = send_all(d.to, bytes.data() + i, 1);
        } else {
          open = send_all(d.to, bytes.data(), bytes.size());
        }
        d.held.pop_front();
      }
      if (!d.held.empty()) next = std::min(next, std::max(now, d.held.front().due));
      if (d.ended && d.held.empty() && !partitioned_) open = false;
    }
    if (!open) break;
    pollfd p[2] = {{dirs[0].ended ? -1 : l->client, POLLIN, 0}, {dirs[1].ended ? -1 : l->server, POLLIN, 0}};
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
    const int n = ::poll(p, 2, static_cast<int>(std::max<long long>(0, wait)));
    if (stopping_ || n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (p[i].revents == 0) continue;
      const auto got = ::recv(p[i].fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        dirs[i].ended = true;  // passed on (as a close of the other end) after what is held
        continue;
      }
      if (i == 1 && swallow_) continue;
      const auto jitter = jitter_us_.load();
      const auto wait_us = latency_us_.load() + (jitter > 0 ? static_cast<long long>(random() % static_cast<std::uint64_t>(jitter)) : 0);
      const auto due = std::max(dirs[i].last_due, clock::now() + std::chrono::microseconds(wait_us));
      dirs[i].last_due = due;
      dirs[i].held.push_back({due, std::string(buffer, static_cast<std::size_t>(got))});
    }
  }
  const std::lock_guard lock(mutex_);
  ::close(l->client);
  ::close(l->server);
  l->closed = true;
}

}  // namespace cati::it
