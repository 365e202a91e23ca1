#include "net/access/access.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "net/log.hpp"

namespace cati::net {

namespace asio = boost::asio;

access::access(asio::any_io_executor strand, core::fieldwork_source& accounts, const core::password_check& passwords,
               login_guard::options options)
    : strand_(std::move(strand)), accounts_(accounts), passwords_(passwords), guard_(options) {}

access::~access() { checks_.join(); }

void access::restore(const std::vector<core::fieldwork_source::saved_session>& sessions) {
  for (const auto& t : sessions) guard_.restore(t.digest, t.user, t.expires);
}

// --- connections ---------------------------------------------------------------------------------------

void access::open(const std::shared_ptr<session>& s) { connections_[s->id()].link = s; }

std::optional<std::string> access::close(session::id_type id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return std::nullopt;
  std::optional<std::string> undelivered;
  // A token whose LoginOk never left is of no use to anybody: it goes with its connection. A delivered one
  // stays, so that the terminal resumes with it after a reconnect.
  if (it->second.who && !it->second.delivered && !it->second.token.empty())
    undelivered = guard_.revoke(it->second.token);
  connections_.erase(it);
  return undelivered;
}

access::connection* access::find(session::id_type id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : &it->second;
}

void access::for_each(const std::function<void(session::id_type, connection&)>& f) {
  for (auto& [id, c] : connections_) f(id, c);
}

std::vector<std::string> access::online_interviewers() const {
  std::vector<std::string> out;
  for (const auto& [id, c] : connections_)
    if (c.who && c.who->role == core::user_role::interviewer) out.push_back(c.who->name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// --- password logins -------------------------------------------------------------------------------------

std::optional<access::refusal> access::admit(const std::string& user, const std::string& address,
                                             core::time_point now) {
  auto r = guard_.admit(user, address, now);
  if (!r) return std::nullopt;
  const int secs = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(r->retry_after).count()) + 1;
  return refusal{refusal::kind::throttled, r->why + ": wait " + std::to_string(secs) + " s", secs};
}

void access::check(session::id_type id, std::string address, std::string user, std::string password,
                   std::function<core::time_point()> now, std::function<void(std::optional<core::user>)> done) {
  asio::post(checks_, [this, id, address = std::move(address), user = std::move(user),
                       password = std::move(password), now = std::move(now), done = std::move(done)] {
    std::optional<core::user> who;
    try {
      auto account = accounts_.find_account(user);
      // An unknown user is checked too (against a dummy hash): the same time either way.
      std::optional<std::string> hash;
      if (account) hash = account->password_hash;
      if (passwords_.verify(hash, password) && account) who = account->who;
    } catch (const std::exception& e) {
      log_error("login of ", user, ": ", e.what());
    }
    asio::post(strand_, [this, id, address, user, who, now, done] {
      guard_.finished(user, address, who.has_value(), now());
      if (!who) log_warn("failed login for '", user, "' from ", address);
      // Only an open connection may log in: one that closed meanwhile must leave no trace.
      if (connections_.count(id) == 0) return;
      done(who);
    });
  });
}

std::vector<std::shared_ptr<session>> access::drop_user_connections(const std::string& user, session::id_type keep) {
  std::vector<std::shared_ptr<session>> out;
  for (auto& [id, c] : connections_) {
    if (id == keep || !c.who || c.who->name != user) continue;
    c.who.reset();
    c.token.clear();
    c.watching = false;
    if (auto link = c.link.lock()) out.push_back(std::move(link));
  }
  return out;
}

access::signed_in access::sign_in(session::id_type id, const core::user& who, core::time_point now,
                                  const std::string& by) {
  auto t = guard_.issue(who.name, now);
  signed_in out;
  out.token = t.value;
  out.opened = core::session_opened{t.digest, who.name, now, t.expires};
  if (who.role == core::user_role::interviewer) {
    for (auto& d : guard_.revoke_user(who.name, t.digest, "taken over by a login from " + by))
      out.revoked.push_back(core::session_closed{std::move(d)});
    out.displaced = drop_user_connections(who.name, id);
  }
  auto& c = connections_[id];
  c.who = who;
  c.token = t.value;
  c.delivered = false;
  return out;
}

std::variant<access::resumed, access::refusal> access::resume(session::id_type id, const std::string& token,
                                                              core::time_point now) {
  auto name = guard_.redeem(token, now);
  if (!name) {
    if (auto why = guard_.revoked_because(token, now))
      return refusal{refusal::kind::taken_over, "this session was " + *why + "; log in again to go on", 0};
    return refusal{refusal::kind::expired, "the session has expired: log in again", 0};
  }
  // The same terminal after a reconnect: the connection it had may not have noticed yet that it is dead.
  for (auto& [other, c] : connections_) {
    if (other == id || c.token != token) continue;
    c.who.reset();
    c.token.clear();
    c.watching = false;
    if (auto link = c.link.lock()) link->close(close_code::policy_violation);
  }
  connections_[id].token = token;
  return resumed{*name};
}

void access::set_user(session::id_type id, const core::user& who) {
  auto& c = connections_[id];
  c.who = who;
}

std::optional<std::string> access::sign_out(session::id_type id) {
  auto c = find(id);
  if (!c || !c->who) return std::nullopt;
  auto digest = guard_.revoke(c->token);
  c->who.reset();
  c->token.clear();
  c->watching = false;
  return digest;
}

access::forced access::force_out(const std::string& user, const std::string& why) {
  forced out;
  for (auto& d : guard_.revoke_user(user, {}, why)) out.revoked.push_back(core::session_closed{std::move(d)});
  out.displaced = drop_user_connections(user, 0);
  return out;
}

bool access::has_session(const std::string& user, core::time_point now) const {
  if (guard_.has_token(user, now)) return true;
  return std::any_of(connections_.begin(), connections_.end(),
                     [&](const auto& c) { return c.second.who && c.second.who->name == user; });
}

}  // namespace cati::net
