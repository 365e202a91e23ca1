// One simulated terminal: the client library's session (client/lib, the same one cati-term uses: real
// WebSocket, reconnect with resume, on-disk journal) used the way a front end waiting at each step uses
// it. Every call sends one request and blocks until the message that settles it arrives, so the
// simulation's single driver thread never has two requests of its own in flight.
//
// Errors: a reply that is an Error, a request that failed (timeout, refused locally) or no reply within
// the wait throws terminal_error saying which request and why. A dropped connection is not an error: the
// session reconnects and resends, and the wait goes on (the reconnects are counted).
//
// Thread-safety: none; the driver thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "cati/v1/wire.pb.h"
#include "lib/session.hpp"

namespace cati::tool::sim {

struct terminal_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class terminal {
 public:
  // `journal_dir` empty: journal in memory (the clock's terminal, which sends no answers).
  terminal(const std::string& name, const std::string& url, const std::filesystem::path& journal_dir,
           std::uint64_t seed);
  ~terminal();

  v1::ServerMessage login(const std::string& user, const std::string& password);
  v1::ServerMessage logout();
  v1::ServerMessage next_case();
  v1::ServerMessage record_call(client::call_report report);
  v1::ServerMessage start_interview(const std::string& language);
  // Answer/Suspend: the settling reply (the next Screen or the InterviewEnd). `on_sent` runs right after
  // the request was handed to the session, before the wait: the simulator cuts the network there.
  v1::ServerMessage answer(const std::string& value, const std::function<void()>& on_sent = {});
  v1::ServerMessage suspend(client::suspend_report report);
  v1::ServerMessage set_clock(const std::string& now);

  int reconnects() const { return reconnects_; }
  std::size_t unacked() const { return session_.unacked(); }

 private:
  v1::ServerMessage await(client::request_id id, const char* what);

  std::string name_;
  client::session session_;
  int reconnects_ = 0;
};

}  // namespace cati::tool::sim
