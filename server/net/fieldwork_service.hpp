// fieldwork_service: the cati.v1 protocol over the fieldwork service. Implements message_handler:
// every decoded request is posted to one strand that owns the core::fieldwork (so fieldwork state
// changes one request at a time), its changes are committed through the journal, and only after the
// commit is the reply sent. Replies leave in request order: a request that changes nothing still waits
// behind the commits in flight.
//
// Logins: the password check (Argon2id, deliberately slow) and the account lookup run on a separate
// thread, never on the network threads or the strand. Failed logins are throttled per user and per
// address. A second password login of a user already online is refused (LOGGED_IN_ELSEWHERE); a
// terminal that reconnects uses its session token and takes the session over.
//
// Thread-safety: the message_handler entry points may be called from any network thread; everything
// else runs on the strand. Lifetime: must outlive the net::server that calls it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/calling/calendar.hpp"
#include "core/ports/clock.hpp"
#include "core/fieldwork/fieldwork.hpp"
#include "core/ports/fieldwork_ports.hpp"
#include "net/login_guard.hpp"
#include "net/message_handler.hpp"
#include "net/metrics.hpp"

namespace date {
class time_zone;
}

namespace cati::net {

struct service_options {
  bool manual_clock = false;  // SetClock allowed (the server runs on --clock fixed:/manual:)
  core::milliseconds tick = std::chrono::seconds(5);         // lease sweeps
  core::milliseconds new_cases = std::chrono::seconds(30);   // look for firms imported meanwhile
  core::milliseconds status_push = std::chrono::milliseconds(500);  // supervisor pushes, coalesced
  login_guard::options login;
  core::fieldwork_options fieldwork;
  // Called once, on the strand, when a commit fails (disk full, I/O error). The in-memory fieldwork is
  // then ahead of the file, so the service answers nothing more (every request gets UNAVAILABLE) and
  // the owner should stop the server: a restart reloads the truth from the file, and the terminals
  // resend from their journals what was never acknowledged.
  std::function<void(const std::string& why)> on_storage_failure;
};

class fieldwork_service final : public message_handler {
 public:
  // Loads the fieldwork from `source` now (throws on a broken store or study).
  fieldwork_service(boost::asio::io_context& ioc, std::shared_ptr<const core::questionnaire> study,
                    const core::calendar& cal, core::clock& clock, core::fieldwork_source& source,
                    core::fieldwork_journal& journal, metrics_registry& metrics, service_options options = {});
  ~fieldwork_service() override;

  // Starts the periodic work (lease sweeps, new cases). Call once the server runs.
  void start();

  void on_open(const std::shared_ptr<session>& s) override;
  void on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage message) override;
  void on_close(const std::shared_ptr<session>& s) override;
  void drain(std::function<void()> done) override;

 private:
  struct peer {
    std::weak_ptr<session> link;
    std::optional<core::user> who;
    std::string token;
    bool watching = false;
  };
  using reply_fn = std::function<void()>;

  void handle(const std::shared_ptr<session>& s, const cati::v1::ClientMessage& m);
  void login(const std::shared_ptr<session>& s, const cati::v1::ClientMessage& m);
  // `issued`: the token a password login just got (stored with the login's changes); nullopt for a
  // resumed session.
  void logged_in(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                 std::optional<core::session_opened> issued);
  void interviewer_request(const std::shared_ptr<session>& s, const core::user& who, const cati::v1::ClientMessage& m);
  void supervisor_request(const std::shared_ptr<session>& s, const core::user& who, const cati::v1::ClientMessage& m);

  // Commits `changes` (if any, or waits behind the commits in flight) and then runs `reply`, on the strand.
  void commit_then(core::change_list changes, reply_fn reply);
  template <class T, class OnOk>
  void answer_effect(const std::shared_ptr<session>& s, std::uint64_t request, core::effect<T> e, OnOk on_ok);

  void send(const std::shared_ptr<session>& s, std::uint64_t request, cati::v1::ServerMessage m);
  void send_error(const std::shared_ptr<session>& s, std::uint64_t request, cati::v1::Error::Code code,
                  std::string message, int retry_after_seconds = 0);
  void send_view(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                 const core::interview_view& view, bool ack, std::uint32_t seq);
  cati::v1::ServerMessage status_message();
  // Sets the /metrics quota gauges from a status (on the strand).
  void publish_quota_metrics(const cati::v1::Status& status);
  void schedule_status_push();
  void schedule_tick();
  void schedule_new_cases();
  void finish_drain_if_idle();

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::thread_pool hashing_{1};
  boost::asio::steady_timer tick_timer_, cases_timer_, status_timer_;
  std::shared_ptr<const core::questionnaire> study_;
  const core::calendar& calendar_;
  core::clock& clock_;
  const date::time_zone* zone_ = nullptr;
  core::fieldwork_source& source_;
  core::fieldwork_journal& journal_;
  metrics_registry& metrics_;
  service_options options_;
  histogram& commit_seconds_;  // registered once: observed on every commit
  std::unique_ptr<core::fieldwork> fieldwork_;
  core::case_id last_case_ = 0;

  login_guard guard_;
  std::map<session::id_type, peer> peers_;
  std::map<std::string, session::id_type> online_;  // user name -> the session they are logged in on
  int in_flight_ = 0;
  bool status_pending_ = false;
  bool draining_ = false;
  std::function<void()> drained_;
  bool stopped_ = false;
  bool storage_failed_ = false;
};

}  // namespace cati::net
