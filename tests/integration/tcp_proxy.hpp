// A TCP relay on 127.0.0.1 between a client and cati-server, so that a test can break the network
// without touching either end: cut every connection, refuse new ones (the network is down), swallow what
// the server sends (an answer arrives and is committed, its ack never reaches the terminal), or point it
// at a restarted server on another port. And make it bad without breaking it: delay every chunk
// (latency plus random jitter, order kept), deliver one byte per segment, or partition it: bytes are
// taken from both ends (their TCP acknowledges them, as a network holding them would) but delivered only
// when the partition heals, so a peer sees a connection that stops answering without closing
// (half-open); a partition that never heals is a peer that died without a FIN. If an end closes during a
// partition, the relay closes the other end once the partition heals (or at cut()).
//
// Thread-safety: every member may be called from the test thread while the relay threads run.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cati::it {

class tcp_proxy {
 public:
  explicit tcp_proxy(std::uint16_t upstream);
  ~tcp_proxy();
  tcp_proxy(const tcp_proxy&) = delete;
  tcp_proxy& operator=(const tcp_proxy&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }

  // New connections go to this port from now on.
  void set_upstream(std::uint16_t port) { upstream_ = port; }
  // Closes every open connection, both sides. New ones are relayed as before (unless refused).
  void cut();
  // While on, new connections are accepted and closed at once.
  void refuse(bool on) { refuse_ = on; }
  // While on, bytes from the server are read and thrown away.
  void swallow_replies(bool on) { swallow_ = on; }
  // Every chunk waits `latency` plus a random share of `jitter` (uniform, seeded) before it is passed on;
  // a chunk never overtakes an earlier one of the same direction.
  void delay(std::chrono::milliseconds latency, std::chrono::milliseconds jitter);
  // While on, bytes are passed on one send (and, with Nagle off, one TCP segment) per byte.
  void one_byte_at_a_time(bool on) { byte_by_byte_ = on; }
  // While on, nothing is passed on in either direction (held, in order); off: what was held flows.
  void partition(bool on) { partitioned_ = on; }
  // Connections relayed to a server so far.
  int relayed() const { return relayed_; }
  // Relayed connections still open.
  int open() const;

 private:
  struct connection_pair {
    int client = -1;
    int server = -1;
    bool closed = false;
  };
  void accept_loop();
  void relay(connection_pair* l);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<std::uint16_t> upstream_;
  std::atomic<bool> refuse_{false};
  std::atomic<bool> swallow_{false};
  std::atomic<bool> byte_by_byte_{false};
  std::atomic<bool> partitioned_{false};
  std::atomic<long long> latency_us_{0};
  std::atomic<long long> jitter_us_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int> relayed_{0};
  mutable std::mutex mutex_;  // guards links_ and each link's fds against close/shutdown races
  std::vector<std::unique_ptr<connection_pair>> links_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace cati::it
