// access: who is connected and logged in as whom. Logins (the password check through core's
// password_check port, on its own thread), session tokens, the login throttle, and presence (which
// connection a user is on, who watches the status).
//
// Rules (docs/protocol.md, "Sessions"):
// - An interviewer has one live session. A password login takes it over at once: every other token of
//   theirs is revoked (the caller commits the returned digests with the new session), and the connections
//   that held it are returned so the caller can tell them who took it and when. A token revoked that way
//   is refused with `taken_over` (and why) when a sleeping terminal wakes with it.
// - Supervisors and admins may hold several sessions (the page and a terminal at once).
// - Only a connection's close removes what belongs to that connection. A password check that ends after
//   its connection closed changes nothing but the throttle's count: no presence, no token, no takeover.
//
// Thread-safety: none. Every member runs on the fieldwork strand (the executor given at construction),
// except that check() runs the slow part on its own thread and comes back to that strand.
// Lifetime: the destructor joins the check thread; results still queued on the strand are dropped
// unrun only if the strand's io_context no longer runs (as at shutdown). Destroy it before the app whose
// strand it uses, and while the account source lives.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/fieldwork/fieldwork_changes.hpp"
#include "core/ports/fieldwork_ports.hpp"
#include "core/ports/password_check.hpp"
#include "net/access/login_guard.hpp"
#include "net/session.hpp"

namespace cati::net {

class access {
 public:
  struct connection {
    std::weak_ptr<session> link;
    std::optional<core::user> who;  // set once logged in
    std::string token;              // the token this connection logged in or resumed with
    bool delivered = false;         // its LoginOk (with the token) went out
    bool watching = false;          // WatchStatus: gets Status pushes
  };

  struct refusal {
    enum class kind { throttled, expired, taken_over };
    kind why;
    std::string message;
    int retry_after_seconds = 0;
  };

  access(boost::asio::any_io_executor strand, core::fieldwork_source& accounts, const core::password_check& passwords,
         login_guard::options options);
  ~access();
  access(const access&) = delete;
  access& operator=(const access&) = delete;

  void restore(const std::vector<core::fieldwork_source::saved_session>& sessions);

  // --- connections ---
  void open(const std::shared_ptr<session>& s);
  // Removes the connection and what belongs to it (its presence; a token it never received). Returns the
  // digest of such an undelivered token, to close in the store.
  std::optional<std::string> close(session::id_type id);
  // The connection while it is open; null before open() or after close().
  connection* find(session::id_type id);
  // Calls `f` for every open connection.
  void for_each(const std::function<void(session::id_type, connection&)>& f);
  // The interviewers logged in on some open connection, by name.
  std::vector<std::string> online_interviewers() const;

  // --- password logins ---
  // The attempt arrives: counted by the throttle at once, or refused.
  std::optional<refusal> admit(const std::string& user, const std::string& address, core::time_point now);
  // Looks the account up and checks the password off the strand, then, back on it, calls done(user) when
  // it matched and done(nullopt) when not, but only while connection `id` is open (see the rules).
  // Call only after admit() let the attempt through.
  void check(session::id_type id, std::string address, std::string user, std::string password,
             std::function<core::time_point()> now, std::function<void(std::optional<core::user>)> done);

  struct signed_in {
    std::string token;                               // for LoginOk
    core::session_opened opened;                     // commit these two together ...
    std::vector<core::session_closed> revoked;       // ... with the takeover's revocations
    std::vector<std::shared_ptr<session>> displaced; // connections that lost the session: tell them
  };
  // A password login succeeded on connection `id`: a new token, and for an interviewer the takeover.
  // `by` says where the login came from, for the displaced terminals.
  signed_in sign_in(session::id_type id, const core::user& who, core::time_point now, const std::string& by);
  // ResumeSession: the user the token belongs to, or why not. An older connection of the same token (the
  // same terminal before its reconnect) is closed quietly.
  struct resumed {
    std::string user;
  };
  std::variant<resumed, refusal> resume(session::id_type id, const std::string& token, core::time_point now);
  // The user (whose account the caller looked up) is logged in on `id` now.
  void set_user(session::id_type id, const core::user& who);
  // Logout on `id`: the digest of its token (to close in the store).
  std::optional<std::string> sign_out(session::id_type id);
  // A supervisor ends every session of `user`: the revoked digests and the connections to tell.
  struct forced {
    std::vector<core::session_closed> revoked;
    std::vector<std::shared_ptr<session>> displaced;
  };
  forced force_out(const std::string& user, const std::string& why);
  // True when `user` has a session (a live connection or a token).
  bool has_session(const std::string& user, core::time_point now) const;

 private:
  std::vector<std::shared_ptr<session>> drop_user_connections(const std::string& user, session::id_type keep);

  boost::asio::any_io_executor strand_;
  core::fieldwork_source& accounts_;
  const core::password_check& passwords_;
  login_guard guard_;
  boost::asio::thread_pool checks_{1};
  std::map<session::id_type, connection> connections_;
};

}  // namespace cati::net
