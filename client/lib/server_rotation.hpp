// Which server of a fieldwork a client connects to next, and when (docs/protocol.md, "Standby servers:
// finding the active one"). The list holds the active server and its standbys, in any order:
// - a standby's redirect (Error{STANDBY, active_server}) is followed at once, unless it names the server
//   the client is on or the one whose connection was just lost (a dead server's record may still name it);
// - otherwise a closed connection moves to the next server of the list at once, and only after a whole
//   round of them failed does the backoff delay the next round: a dead active server costs no backoff
//   when a standby is next. With one server this is the plain backoff.
// Used by the client library's session and by cati-load's storm terminals, so that what the benchmark
// measures is what terminals do.
//
// Thread-safety: none; its owner uses it on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "lib/backoff.hpp"
#include "lib/url.hpp"

namespace cati::client {

class server_rotation {
 public:
  // `servers` must not be empty; the first is where the first connection goes.
  server_rotation(std::vector<url> servers, backoff_policy policy, std::uint64_t seed);

  // The server of the current (or next) connection.
  const url& current() const { return current_; }
  const std::vector<url>& servers() const { return servers_; }

  // The connection to current() failed or was lost.
  void lost() { last_lost_ = current_; }
  // A standby answered, naming `active_server` (a URL, or "" when it knows none): the next connection
  // goes there, if it is usable. Returns whether it will.
  bool standby_named(std::string_view active_server);
  // After a closed connection: moves current() to where the next attempt goes and returns how long to
  // wait before it.
  std::chrono::milliseconds next();
  // Logged in: the next failure starts a new round; `reset_backoff`: the backoff starts over too.
  void logged_in(bool reset_backoff);

 private:
  std::vector<url> servers_;
  std::size_t next_server_ = 0;        // servers_[next_server_] is the last one taken from the list
  std::size_t failures_in_round_ = 0;  // closed connections since the last successful login
  std::optional<url> redirect_;        // where a standby said the active server is
  std::optional<url> last_lost_;       // the server whose connection failed or was lost last
  url current_;
  backoff backoff_;
};

}  // namespace cati::client
