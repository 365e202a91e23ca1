// A TCP relay on 127.0.0.1 between a client and cati-server, so that a test can break the network
// without touching either end: cut every connection, refuse new ones (the network is down), swallow what
// the server sends (an answer arrives and is committed, its ack never reaches the terminal), or point it
// at a restarted server on another port.
//
// Thread-safety: every member may be called from the test thread while the relay threads run.
#pragma once

#include <atomic>
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
  // Connections relayed to a server so far.
  int relayed() const { return relayed_; }

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
  std::atomic<bool> stopping_{false};
  std::atomic<int> relayed_{0};
  std::mutex mutex_;  // guards links_ and each link's fds against close/shutdown races
  std::vector<std::unique_ptr<connection_pair>> links_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace cati::it
