// A TCP relay on 127.0.0.1 between one simulated terminal and cati-server, so the simulator can make an
// interviewer "lose the connection" the way a flaky office network does: cut() closes both sides of every
// relayed connection at once. The terminal's client library then sees a dropped socket, reconnects through
// the relay (which relays the new connection as before), resumes its session and resends what its journal
// holds. Neither the server nor the client library knows the relay is there.
//
// Blocking sockets, one thread per direction per connection: a terminal has one connection at a time, so
// this is two threads per simulated interviewer, asleep in read() almost always.
//
// Thread-safety: cut() and redirect() may be called from any thread while the relay threads run.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cati::tool::sim {

class link_cutter {
 public:
  // Listens on 127.0.0.1, a free port; relays to 127.0.0.1:`upstream`. Throws std::runtime_error when
  // it cannot listen.
  explicit link_cutter(std::uint16_t upstream);
  ~link_cutter();
  link_cutter(const link_cutter&) = delete;
  link_cutter& operator=(const link_cutter&) = delete;

  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  // Closes every open relayed connection, both sides.
  void cut();
  // Relays the connections made from now on to 127.0.0.1:`upstream` (a restarted server's new port).
  void redirect(std::uint16_t upstream) { upstream_ = upstream; }

 private:
  struct link {
    int client = -1;
    int server = -1;
  };
  void accept_loop();
  void pump(int from, int to);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<std::uint16_t> upstream_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards links_ (fds are shut down under it, closed only by the destructor)
  std::vector<link> links_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace cati::tool::sim
