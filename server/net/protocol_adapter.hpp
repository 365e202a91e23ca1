// protocol_adapter: the cati.v1 protocol over the fieldwork application (net/fieldwork_app.hpp) and access
// (net/access/access.hpp). Implements message_handler: it maps each decoded request to calls of the two,
// and their results to replies. It holds no fieldwork rule of its own.
//
// Request order: the replies to one connection leave in the order of its requests, whatever their kind.
// Every reply goes through the app's commit pipeline (a request that changes nothing still waits behind
// the commits in flight), and while a password check runs for a connection, its later requests wait and
// are handled after the login's reply.
//
// Thread-safety: the message_handler entry points may be called from any network thread; everything
// else runs on the app's strand. Lifetime: must outlive the net::server that calls it; the app and
// access must outlive it.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>

#include "net/access/access.hpp"
#include "net/fieldwork_app.hpp"
#include "net/message_handler.hpp"
#include "net/metrics.hpp"

namespace cati::net {

struct adapter_options {
  bool manual_clock = false;  // SetClock allowed (the server runs on --clock manual:)
  core::milliseconds token_ttl = std::chrono::hours(12);  // as access was given, for LoginOk
};

class protocol_adapter final : public message_handler {
 public:
  protocol_adapter(fieldwork_app& app, access& acc, metrics_registry& metrics, adapter_options options = {});

  void on_open(const std::shared_ptr<session>& s) override;
  void on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage message) override;
  void on_close(const std::shared_ptr<session>& s) override;
  void drain(std::function<void()> done) override;

 private:
  void handle(const std::shared_ptr<session>& s, const cati::v1::ClientMessage& m);
  void login(const std::shared_ptr<session>& s, const cati::v1::ClientMessage& m);
  void resume(const std::shared_ptr<session>& s, const cati::v1::ClientMessage& m);
  // `changes`: what the login stores with the resume's (a new token, the takeover's revocations).
  void logged_in(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                 core::change_list changes, std::function<void()> after_commit);
  void handle_backlog(const std::shared_ptr<session>& s);
  void interviewer_request(const std::shared_ptr<session>& s, const core::user& who, const cati::v1::ClientMessage& m);
  void supervisor_request(const std::shared_ptr<session>& s, const core::user& who, const cati::v1::ClientMessage& m);
  void logout_user(const std::shared_ptr<session>& s, const core::user& who, const cati::v1::ClientMessage& m);

  template <class T, class OnOk>
  void answer_effect(const std::shared_ptr<session>& s, std::uint64_t request, core::effect<T> e, OnOk on_ok);

  // In request order (behind the commits in flight).
  void reply(const std::shared_ptr<session>& s, std::uint64_t request, cati::v1::ServerMessage m);
  void reply_error(const std::shared_ptr<session>& s, std::uint64_t request, cati::v1::Error::Code code,
                   std::string message, int retry_after_seconds = 0);
  // At once (only where order cannot matter any more: the storage failed).
  void send(const std::shared_ptr<session>& s, std::uint64_t request, cati::v1::ServerMessage m);
  cati::v1::ServerMessage error_message(cati::v1::Error::Code code, std::string message, int retry_after_seconds = 0);
  void send_view(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                 const core::interview_view& view, bool ack, std::uint32_t seq);
  static void tell_logged_out(const std::vector<std::shared_ptr<session>>& whom, cati::v1::Notice::Reason reason,
                              const std::string& by, const std::string& at, const std::string& message);
  cati::v1::ServerMessage status_message();
  void push_status();
  // Sets the /metrics quota gauges from a status (on the strand).
  void publish_quota_metrics(const cati::v1::Status& status);

  fieldwork_app& app_;
  access& access_;
  metrics_registry& metrics_;
  adapter_options options_;
  // Connections with a password check running, and the requests they sent since (handled after it).
  std::map<session::id_type, std::deque<cati::v1::ClientMessage>> waiting_;
};

}  // namespace cati::net
