// A cati-server that runs --standby listens at once but serves nothing until it holds the fieldwork:
// GET /healthz answers 503 naming the active server (a load balancer skips it), and every request on a
// WebSocket is answered Error{STANDBY, active_server} and the connection closed, so a terminal goes to
// the active one by itself (docs/protocol.md, "Standby servers"). Once it has taken over, main switches
// the connections to the real service: handler_switch keeps each session on the handler it was opened
// with, so a session opened on the standby never reaches the service without its on_open.
//
// Thread-safety: every member may be called from any thread (network threads, main's).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "net/message_handler.hpp"
#include "net/server_state.hpp"

namespace cati::net {

// Where the active server is, as stored with the fieldwork's ownership record, read at most once per
// `ttl` (a load balancer's probes and a crowd of reconnecting terminals must not each read the
// database). `fetch` returns the active server's URL, "" when none is known; it may throw (then the
// last known answer stays).
class active_server_lookup {
 public:
  active_server_lookup(std::function<std::string()> fetch, std::chrono::milliseconds ttl);
  std::string get();

 private:
  std::function<std::string()> fetch_;
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point fetched_{};
  bool have_ = false;
  std::string url_;
};

// The reply to any request sent to a standby: Error{STANDBY, message, active_server}.
cati::v1::ServerMessage standby_reply(std::uint64_t request_id, const std::string& active_url);

// GET /healthz of a standby: 503, "standby: the active server is at ws://...".
health_report standby_health(const std::string& active_url);

// Answers every message with standby_reply() and closes the connection after it.
class standby_handler final : public message_handler {
 public:
  explicit standby_handler(active_server_lookup& active) : active_(active) {}
  void on_open(const std::shared_ptr<session>&) override {}
  void on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage message) override;
  void on_close(const std::shared_ptr<session>&) override {}

 private:
  active_server_lookup& active_;
};

// Forwards to the handler set last with use() for sessions opened from then on; earlier sessions stay
// with the handler they were opened with until they close. Messages before any use() are dropped.
// The handlers must outlive the server (or be unhooked with use(nullptr) before they go).
class handler_switch final : public message_handler {
 public:
  void use(message_handler* h);
  void on_open(const std::shared_ptr<session>& s) override;
  void on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage m) override;
  void on_close(const std::shared_ptr<session>& s) override;
  void drain(std::function<void()> done) override;

 private:
  message_handler* of(const session& s);

  std::mutex mutex_;
  message_handler* current_ = nullptr;
  std::unordered_map<session::id_type, message_handler*> opened_with_;
};

}  // namespace cati::net
