#include "net/protocol_adapter.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "core/fieldwork/fieldwork_rules.hpp"
#include "net/log.hpp"
#include "net/protocol_mapping.hpp"
#include "net/status_mapping.hpp"

namespace cati::net {

namespace asio = boost::asio;
namespace v1 = cati::v1;

namespace {

// Supervisors see rates per group of the study's first quota variable (region in the seed study); a
// variable that is not in the frame (answered in the interview) gives the overall rates only.
std::string status_group_by(const core::questionnaire& q) {
  return q.quotas.empty() || q.quotas.front().variables.empty() ? "overall" : q.quotas.front().variables.front();
}

bool is_interviewer_request(v1::ClientMessage::BodyCase c) {
  switch (c) {
    case v1::ClientMessage::kWatchStatus:
    case v1::ClientMessage::kQuotaAction:
    case v1::ClientMessage::kLogoutUser: return false;
    default: return true;
  }
}

}  // namespace

protocol_adapter::protocol_adapter(fieldwork_app& app, access& acc, metrics_registry& metrics, adapter_options options)
    : app_(app), access_(acc), metrics_(metrics), options_(options) {
  app_.on_status_due([this] { push_status(); });
  // /metrics is scraped on a network thread, so the quota counts reach it through gauges that the strand
  // sets (publish_quota_metrics), never by reading the fieldwork from another thread.
  asio::post(app_.strand(), [this] { publish_quota_metrics(status_message().status()); });
}

// --- message_handler ---------------------------------------------------------------------------------

void protocol_adapter::on_open(const std::shared_ptr<session>& s) {
  asio::post(app_.strand(), [this, s] { access_.open(s); });
}

void protocol_adapter::on_close(const std::shared_ptr<session>& s) {
  asio::post(app_.strand(), [this, id = s->id()] {
    waiting_.erase(id);
    const auto* c = access_.find(id);
    const bool mattered = c && (c->who || c->watching);
    // A delivered token stays: the terminal resumes with it after a reconnect, and its case hold and lease
    // run on until they lapse. A token that never reached it goes.
    if (auto undelivered = access_.close(id)) app_.commit_then({core::session_closed{*undelivered}}, [] {});
    if (mattered) app_.status_changed();
  });
}

void protocol_adapter::on_message(const std::shared_ptr<session>& s, v1::ClientMessage message) {
  // (Counted by type in cati_messages_in_total, net_metrics.)
  asio::post(app_.strand(), [this, s, m = std::move(message)] {
    // Behind a password check of this connection: handled after its reply (request order).
    if (auto w = waiting_.find(s->id()); w != waiting_.end()) {
      w->second.push_back(m);
      return;
    }
    handle(s, m);
  });
}

void protocol_adapter::drain(std::function<void()> done) { app_.drain(std::move(done)); }

// --- replies -----------------------------------------------------------------------------------------

void protocol_adapter::send(const std::shared_ptr<session>& s, std::uint64_t request, v1::ServerMessage m) {
  m.set_request_id(request);
  s->send(std::move(m));
}

void protocol_adapter::reply(const std::shared_ptr<session>& s, std::uint64_t request, v1::ServerMessage m) {
  m.set_request_id(request);
  app_.commit_then({}, [s, m = std::move(m)]() mutable { s->send(std::move(m)); });
}

v1::ServerMessage protocol_adapter::error_message(v1::Error::Code code, std::string message, int retry_after_seconds) {
  v1::ServerMessage m;
  m.mutable_error()->set_code(code);
  m.mutable_error()->set_message(std::move(message));
  m.mutable_error()->set_retry_after_seconds(retry_after_seconds);
  metrics_.add_counter("cati_service_errors_total", "typed errors sent by the fieldwork service",
                       {{"code", v1::Error::Code_Name(code)}})
      .inc();
  return m;
}

void protocol_adapter::reply_error(const std::shared_ptr<session>& s, std::uint64_t request, v1::Error::Code code,
                                   std::string message, int retry_after_seconds) {
  reply(s, request, error_message(code, std::move(message), retry_after_seconds));
}

void protocol_adapter::tell_logged_out(const std::vector<std::shared_ptr<session>>& whom, v1::Notice::Reason reason,
                                       const std::string& by, const std::string& at, const std::string& message) {
  v1::ServerMessage n;
  auto* notice = n.mutable_notice();
  notice->set_kind(v1::Notice::LOGGED_OUT);
  notice->set_reason(reason);
  notice->set_by(by);
  notice->set_at(at);
  notice->set_message(message);
  for (const auto& s : whom) s->send(n);
}

template <class T, class OnOk>
void protocol_adapter::answer_effect(const std::shared_ptr<session>& s, std::uint64_t request, core::effect<T> e,
                                      OnOk on_ok) {
  if (!e.reply) {
    // A refused request changes nothing, but still answers in order behind earlier commits.
    auto err = to_wire(e.reply.err());
    v1::ServerMessage m;
    *m.mutable_error() = err;
    metrics_.add_counter("cati_service_errors_total", "typed errors sent by the fieldwork service",
                         {{"code", v1::Error::Code_Name(err.code())}})
        .inc();
    reply(s, request, std::move(m));
    return;
  }
  // What a supervisor sees: quota counts, calls (dispositions, productivity), interviews starting (state).
  bool status_touched = std::any_of(e.changes.begin(), e.changes.end(), [](const core::change& c) {
    return std::holds_alternative<core::quota_changed>(c) || std::holds_alternative<core::call_logged>(c) ||
           std::holds_alternative<core::interview_opened>(c);
  });
  app_.commit_then(std::move(e.changes), [on_ok, value = std::move(e.reply).value()] { on_ok(value); });
  if (status_touched) app_.status_changed();
}

void protocol_adapter::send_view(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                                  const core::interview_view& view, bool ack, std::uint32_t seq) {
  v1::ServerMessage m;
  fill(m, view, app_.fieldwork().today(who, app_.clock().now()));
  m.set_request_id(request);
  if (!ack) {
    s->send(std::move(m));
    return;
  }
  v1::ServerMessage a;
  auto* ak = a.mutable_answer_ack();
  ak->set_interview_id(std::to_string(view.id));
  ak->set_seq(seq);
  ak->set_duplicate(view.duplicate);
  a.set_request_id(request);
  s->send_pair(std::move(a), std::move(m));  // the ack, then its screen: one hand-over to the connection
}

// --- requests ----------------------------------------------------------------------------------------

void protocol_adapter::handle(const std::shared_ptr<session>& s, const v1::ClientMessage& m) try {
  const auto request = m.request_id();
  if (!access_.find(s->id())) access_.open(s);
  if (app_.storage_failed()) {
    send(s, request, error_message(v1::Error::UNAVAILABLE,
                                   "the server could not write its database and is stopping: your terminal keeps what "
                                   "was not acknowledged and resends it after the restart"));
    return;
  }
  if (app_.draining()) {
    reply_error(s, request, v1::Error::UNAVAILABLE, "the server is shutting down");
    return;
  }
  switch (m.body_case()) {
    case v1::ClientMessage::kLogin: login(s, m); return;
    case v1::ClientMessage::kResumeSession: resume(s, m); return;
    case v1::ClientMessage::kPing: {
      v1::ServerMessage r;
      r.mutable_pong()->set_now(format_local(app_.clock().now(), app_.zone()));
      reply(s, request, std::move(r));
      return;
    }
    default: break;
  }
  const auto* c = access_.find(s->id());
  if (!c || !c->who) {
    reply_error(s, request, v1::Error::NOT_LOGGED_IN, "log in first");
    return;
  }
  const core::user who = *c->who;
  switch (m.body_case()) {
    case v1::ClientMessage::kLogout: {
      auto digest = access_.sign_out(s->id());
      core::change_list changes;
      if (digest) changes.push_back(core::session_closed{*digest});
      app_.commit_then(std::move(changes), [this, s, request] {
        v1::ServerMessage r;
        r.mutable_notice()->set_kind(v1::Notice::LOGGED_OUT);
        r.mutable_notice()->set_reason(v1::Notice::REQUESTED);
        r.mutable_notice()->set_message("logged out");
        send(s, request, std::move(r));
      });
      app_.status_changed();
      return;
    }
    case v1::ClientMessage::kSetClock: {
      // Only a logged-in driver moves the clock: an anonymous connection must not change what everybody's
      // calls and appointments are judged by.
      auto* manual = dynamic_cast<core::manual_clock*>(&app_.clock());
      if (!options_.manual_clock || !manual) {
        reply_error(s, request, v1::Error::NOT_ALLOWED, "the clock can be set only on a server started with a manual clock");
        return;
      }
      auto t = parse_wire_time(m.set_clock().now());
      if (!t) {
        reply_error(s, request, v1::Error::MALFORMED, "set_clock.now is not an RFC 3339 time: '" + m.set_clock().now() + "'");
        return;
      }
      // Moved now, so that the requests after this one see the new time; replied in order.
      manual->set(*t);
      v1::ServerMessage r;
      r.mutable_pong()->set_now(format_local(app_.clock().now(), app_.zone()));
      reply(s, request, std::move(r));
      return;
    }
    default: break;
  }
  if (is_interviewer_request(m.body_case()))
    interviewer_request(s, who, m);
  else
    supervisor_request(s, who, m);
} catch (const std::exception& e) {
  log_error("request ", body_name(m), " from ", s->peer(), " failed: ", e.what());
  reply_error(s, m.request_id(), v1::Error::INTERNAL, "internal error; the request was not applied");
}

void protocol_adapter::login(const std::shared_ptr<session>& s, const v1::ClientMessage& m) {
  const auto request = m.request_id();
  const auto& l = m.login();
  if (l.user().empty()) {
    reply_error(s, request, v1::Error::MALFORMED, "login.user is empty");
    return;
  }
  if (auto refused = access_.admit(l.user(), s->peer_address(), app_.clock().now())) {
    reply_error(s, request, v1::Error::THROTTLED, refused->message, refused->retry_after_seconds);
    return;
  }
  waiting_[s->id()];  // later requests of this connection wait for the check
  std::string by = s->peer();
  if (!l.client().empty()) by += ", " + l.client().substr(0, 80);
  access_.check(s->id(), s->peer_address(), l.user(), l.password(), [this] { return app_.clock().now(); },
                [this, s, request, by](std::optional<core::user> who) {
                  if (!who) {
                    reply_error(s, request, v1::Error::BAD_CREDENTIALS, "unknown user or wrong password");
                    handle_backlog(s);
                    return;
                  }
                  const auto now = app_.clock().now();
                  auto in = access_.sign_in(s->id(), *who, now, by);
                  core::change_list changes;
                  changes.push_back(std::move(in.opened));
                  for (auto& r : in.revoked) changes.push_back(std::move(r));
                  // Told once the revocation is stored, like every other change.
                  auto displaced = std::move(in.displaced);
                  const auto at = format_local(now, app_.zone());
                  logged_in(s, request, *who, std::move(changes), [displaced, by, at, name = who->name] {
                    tell_logged_out(displaced, v1::Notice::TAKEN_OVER, by, at,
                                    "logged out: " + name + " logged in on another terminal (" + by + ") at " + at);
                  });
                  handle_backlog(s);
                });
}

void protocol_adapter::handle_backlog(const std::shared_ptr<session>& s) {
  auto w = waiting_.find(s->id());
  if (w == waiting_.end()) return;
  auto backlog = std::move(w->second);
  waiting_.erase(w);
  while (!backlog.empty()) {
    auto m = std::move(backlog.front());
    backlog.pop_front();
    if (auto again = waiting_.find(s->id()); again != waiting_.end()) {
      // A Login in the backlog started another check: the rest waits for it in turn.
      for (auto& rest : backlog) again->second.push_back(std::move(rest));
      again->second.push_front(std::move(m));
      return;
    }
    handle(s, m);
  }
}

void protocol_adapter::resume(const std::shared_ptr<session>& s, const v1::ClientMessage& m) {
  const auto request = m.request_id();
  auto r = access_.resume(s->id(), m.resume_session().token(), app_.clock().now());
  if (const auto* no = std::get_if<access::refusal>(&r)) {
    reply_error(s, request,
                no->why == access::refusal::kind::taken_over ? v1::Error::SESSION_TAKEN_OVER : v1::Error::SESSION_EXPIRED,
                no->message);
    return;
  }
  const auto& name = std::get<access::resumed>(r).user;
  // Disabled since? Then the token is no use either.
  auto account = app_.fieldwork_source().find_account(name);
  if (!account) {
    reply_error(s, request, v1::Error::SESSION_EXPIRED, "the session has expired: log in again");
    return;
  }
  access_.set_user(s->id(), account->who);
  if (auto* c = access_.find(s->id())) c->delivered = true;  // the terminal has had this token all along
  logged_in(s, request, account->who, {}, nullptr);
}

void protocol_adapter::logged_in(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                                 core::change_list changes, std::function<void()> after_commit) {
  const auto now = app_.clock().now();
  const auto* c = access_.find(s->id());
  v1::ServerMessage r;
  auto* ok = r.mutable_login_ok();
  ok->set_user(who.name);
  ok->set_role(std::string(core::to_string(who.role)));
  ok->set_token(c ? c->token : std::string());
  ok->set_token_expires_at(format_local(now + options_.token_ttl, app_.zone()));
  for (const auto& l : who.languages) ok->add_languages(l);
  ok->set_study_id(app_.study().id);
  ok->set_study_title(app_.study().title);
  ok->set_study_version(app_.study().version);
  ok->set_now(format_local(now, app_.zone()));
  ok->set_time_zone(app_.study().time_zone);
  for (const auto& l : app_.study().languages) ok->add_study_languages(l);
  ok->set_case_lock_minutes(std::max(1, app_.study().rules.case_lock_minutes));
  *ok->mutable_today() = to_wire(app_.fieldwork().today(who, now));
  log_info(changes.empty() ? "resumed session of " : "login of ", who.name, " from ", s->peer());
  // Give the terminal back what it was doing: its case and the screen it was on.
  auto back = app_.fieldwork().resume(who, now);
  // The new token (and the takeover's revocations) are stored with the resume's changes, before LoginOk
  // hands the token out.
  for (auto& ch : changes) back.changes.push_back(std::move(ch));
  answer_effect(s, request, std::move(back),
                [this, s, request, who, r, after_commit](const core::session_view& v) {
                  if (after_commit) after_commit();
                  send(s, request, r);
                  if (auto* mine = access_.find(s->id())) mine->delivered = true;
                  if (v.held) {
                    v1::ServerMessage card;
                    fill(*card.mutable_case_card(), *v.held, app_.zone());
                    send(s, request, std::move(card));
                  }
                  if (v.interview) send_view(s, request, who, *v.interview, false, 0);
                });
  app_.status_changed();
}

void protocol_adapter::interviewer_request(const std::shared_ptr<session>& s, const core::user& who,
                                            const v1::ClientMessage& m) {
  const auto request = m.request_id();
  const auto now = app_.clock().now();
  // Strictly: " 1" and "01" are not interview 1 (core::parse_interview_id).
  auto interview_id = [&](const std::string& text) -> std::optional<core::interview_id> {
    if (auto id = core::parse_interview_id(text)) return id;
    reply_error(s, request, v1::Error::MALFORMED, "interview_id is not an interview id (digits, no leading zero)");
    return std::nullopt;
  };
  // 0 and numbers past 32 bits are refused before anything is looked up (core::sequence_number).
  auto sequence = [&](std::uint64_t wire) -> std::optional<std::uint32_t> {
    auto seq = core::sequence_number(wire);
    if (seq) return seq.value();
    reply_error(s, request, v1::Error::MALFORMED, seq.err().message);
    return std::nullopt;
  };
  // An outcome number this server does not know is refused as such, never read as "unspecified".
  auto outcome = [&](v1::Outcome o, std::string_view field) -> std::optional<core::outcome> {
    if (core::known_outcome(static_cast<int>(o))) return from_wire(o);
    reply_error(s, request, v1::Error::MALFORMED,
                std::string(field) + " " + std::to_string(static_cast<int>(o)) + " is not a known outcome");
    return std::nullopt;
  };
  switch (m.body_case()) {
    case v1::ClientMessage::kNextCase:
      answer_effect(s, request, app_.fieldwork().next_case(who, request, now),
                    [this, s, request](const std::variant<core::case_offer, core::idle>& v) {
                      v1::ServerMessage r;
                      if (const auto* offer = std::get_if<core::case_offer>(&v))
                        fill(*r.mutable_case_card(), *offer, app_.zone());
                      else
                        fill(*r.mutable_no_case(), std::get<core::idle>(v), app_.zone());
                      send(s, request, std::move(r));
                    });
      app_.status_changed();
      return;
    case v1::ClientMessage::kCallResult: {
      const auto& c = m.call_result();
      auto result = outcome(c.outcome(), "call_result.outcome");
      if (!result) return;
      std::optional<core::time_point> when;
      if (!c.appointment_at().empty() && !(when = parse_wire_time(c.appointment_at()))) {
        reply_error(s, request, v1::Error::MALFORMED, "appointment_at is not an RFC 3339 time: '" + c.appointment_at() + "'");
        return;
      }
      answer_effect(s, request,
                    app_.fieldwork().record_call(who, request, c.case_id(), *result, when, c.personal_appointment(),
                                            c.note(), c.number(), now),
                    [this, s, request, who](const core::call_done& d) {
                      v1::ServerMessage r;
                      auto* rec = r.mutable_call_recorded();
                      rec->set_case_id(d.id);
                      rec->set_outcome(to_wire(d.result));
                      *rec->mutable_today() = to_wire(app_.fieldwork().today(who, app_.clock().now()));
                      send(s, request, std::move(r));
                    });
      return;
    }
    case v1::ClientMessage::kStartInterview:
      answer_effect(s, request,
                    app_.fieldwork().start_interview(who, request, m.start_interview().case_id(), m.start_interview().language(), now),
                    [this, s, request, who](const core::interview_view& v) { send_view(s, request, who, v, false, 0); });
      return;
    case v1::ClientMessage::kAnswer: {
      const auto& a = m.answer();
      auto id = interview_id(a.interview_id());
      if (!id) return;
      auto seq = sequence(a.seq());
      if (!seq) return;
      answer_effect(s, request, app_.fieldwork().answer(who, request, *id, *seq, a.question(), a.value(), now),
                    [this, s, request, who, seq = *seq](const core::interview_view& v) {
                      send_view(s, request, who, v, true, seq);
                    });
      return;
    }
    case v1::ClientMessage::kBack: {
      auto id = interview_id(m.back().interview_id());
      if (!id) return;
      auto seq = sequence(m.back().seq());
      if (!seq) return;
      answer_effect(s, request, app_.fieldwork().back(who, request, *id, *seq, now),
                    [this, s, request, who, seq = *seq](const core::interview_view& v) {
                      send_view(s, request, who, v, true, seq);
                    });
      return;
    }
    case v1::ClientMessage::kSuspend: {
      const auto& su = m.suspend();
      auto id = interview_id(su.interview_id());
      if (!id) return;
      auto seq = sequence(su.seq());
      if (!seq) return;
      auto result = outcome(su.outcome(), "suspend.outcome");
      if (!result) return;
      std::optional<core::time_point> when;
      if (!su.appointment_at().empty() && !(when = parse_wire_time(su.appointment_at()))) {
        reply_error(s, request, v1::Error::MALFORMED, "appointment_at is not an RFC 3339 time: '" + su.appointment_at() + "'");
        return;
      }
      answer_effect(s, request, app_.fieldwork().suspend(who, request, *id, *seq, *result, when, su.note(), now),
                    [this, s, request, who, seq = *seq](const core::interview_view& v) {
                      send_view(s, request, who, v, true, seq);
                    });
      return;
    }
    case v1::ClientMessage::kSetLanguage: {
      auto id = interview_id(m.set_language().interview_id());
      if (!id) return;
      answer_effect(s, request, app_.fieldwork().set_language(who, request, *id, m.set_language().language(), now),
                    [this, s, request, who](const core::interview_view& v) { send_view(s, request, who, v, false, 0); });
      return;
    }
    default:
      reply_error(s, request, v1::Error::MALFORMED, "unexpected request " + std::string(body_name(m)));
      return;
  }
}

void protocol_adapter::supervisor_request(const std::shared_ptr<session>& s, const core::user& who,
                                          const v1::ClientMessage& m) {
  const auto request = m.request_id();
  if (who.role == core::user_role::interviewer) {
    reply_error(s, request, v1::Error::FORBIDDEN, std::string(body_name(m)) + " needs the supervisor role");
    return;
  }
  if (m.has_watch_status()) {
    if (auto* c = access_.find(s->id())) c->watching = true;
    app_.commit_then({}, [this, s, request] { send(s, request, status_message()); });
    return;
  }
  if (m.has_logout_user()) {
    logout_user(s, who, m);
    return;
  }
  const auto& q = m.quota_action();
  core::fieldwork::quota_op op;
  switch (q.kind()) {
    case v1::QuotaAction::SET_TARGET: op = core::fieldwork::quota_op::set_target; break;
    case v1::QuotaAction::CLOSE: op = core::fieldwork::quota_op::close; break;
    case v1::QuotaAction::REOPEN: op = core::fieldwork::quota_op::reopen; break;
    default:  // unset, or a number this server does not know
      reply_error(s, request, v1::Error::MALFORMED,
                  "quota_action.kind " + std::to_string(static_cast<int>(q.kind())) + " is not a quota action");
      return;
  }
  core::cell_id cell{q.quota(), {q.values().begin(), q.values().end()}};
  const bool closing = op == core::fieldwork::quota_op::close;
  answer_effect(s, request, app_.fieldwork().quota_action(who, request, op, cell, q.target(), app_.clock().now()),
                [this, s, request, closing, cell, by = who.name](const core::quota_cell_state&) {
                  send(s, request, status_message());
                  // Tell the terminals once the close is committed (a refused close tells nobody): it ends
                  // no interview in progress, but it changes what gets called.
                  if (!closing) return;
                  v1::ServerMessage n;
                  n.mutable_notice()->set_kind(v1::Notice::QUOTA_CELL_CLOSED);
                  n.mutable_notice()->set_message("quota cell " + core::to_string(cell) + " closed by " + by);
                  access_.for_each([&](session::id_type, access::connection& c) {
                    if (auto link = c.link.lock(); link && c.who) link->send(n);
                  });
                });
}

void protocol_adapter::logout_user(const std::shared_ptr<session>& s, const core::user& who, const v1::ClientMessage& m) {
  const auto request = m.request_id();
  const auto& name = m.logout_user().user();
  if (name.empty()) {
    reply_error(s, request, v1::Error::MALFORMED, "logout_user.user is empty");
    return;
  }
  const auto now = app_.clock().now();
  auto account = app_.fieldwork_source().find_account(name);
  if (!account || account->who.role != core::user_role::interviewer) {
    reply_error(s, request, v1::Error::INVALID_REQUEST, "'" + name + "' is not an interviewer");
    return;
  }
  if (!access_.has_session(name, now)) {
    reply_error(s, request, v1::Error::INVALID_REQUEST, name + " has no session");
    return;
  }
  const auto at = format_local(now, app_.zone());
  auto out = access_.force_out(name, "ended by supervisor " + who.name + " at " + at);
  core::change_list changes;
  for (auto& r : out.revoked) changes.push_back(std::move(r));
  log_info("supervisor ", who.name, " logged ", name, " out");
  app_.commit_then(std::move(changes), [this, s, request, displaced = std::move(out.displaced), by = who.name, at, name] {
    tell_logged_out(displaced, v1::Notice::BY_SUPERVISOR, by, at,
                    "logged out by supervisor " + by + " at " + at);
    send(s, request, status_message());
  });
  app_.status_changed();
}

v1::ServerMessage protocol_adapter::status_message() {
  const auto now = app_.clock().now();
  v1::ServerMessage m;
  auto* st = m.mutable_status();
  st->set_now(format_local(now, app_.zone()));
  for (const auto& row : app_.fieldwork().quota_table()) fill(*st->add_cells(), row);

  const auto cases = app_.fieldwork().cases();
  const auto days = core::progress_by_day(cases, app_.calendar(), app_.study().target_completes, now);
  for (const auto& d : days) fill(*st->add_days(), d);
  // Completes from the call log, as the chart counts them (a complete outside every cell included).
  st->set_completes(days.empty() ? 0 : days.back().cumulative);
  st->set_target(app_.study().target_completes);
  for (const auto& g : core::rates_by(cases, app_.study(), app_.calendar(), status_group_by(app_.study()), now)) fill(*st->add_rates(), g);
  const auto worked = worked_cases(cases);
  for (const auto& g : core::rates_by(worked, app_.study(), app_.calendar(), status_group_by(app_.study()), now))
    fill(*st->add_worked_rates(), g);
  add_notes(*st, app_.fieldwork().quotas());
  // Per replicate only when the sample is split into replicates (a frame worked whole has replicate 0 only):
  // the released ones as the fieldwork works them, the others with their cases, all left, as `cati quota`.
  const auto& sample = app_.replicates();
  if (sample.size() > 1 || (sample.size() == 1 && sample.front().replicate > 0)) {
    const auto progress = core::replicate_rows(cases, app_.study().rules, app_.calendar());
    for (const auto& r : sample) {
      core::replicate_row row{.replicate = r.replicate, .cases = r.cases, .left = r.cases};
      if (r.released)
        if (auto w = std::find_if(progress.begin(), progress.end(), [&](const auto& x) { return x.replicate == r.replicate; });
            w != progress.end())
          row = *w;
      auto& out = *st->add_replicates();
      fill(out, row);
      out.set_released(r.released);
      if (r.released_at) out.set_released_at(format_local(*r.released_at, app_.zone()));
    }
  }
  st->set_cases_in_field(static_cast<std::int32_t>(app_.fieldwork().case_count()));
  st->set_sample_added(app_.sample_added());

  std::vector<core::interviewer_presence> presence;
  // Supervisors watch; they are not interviewers on the list.
  for (const auto& name : access_.online_interviewers())
    presence.push_back({name, true, app_.fieldwork().activity_of(name, now)});
  for (const auto& row : core::interviewer_rows(cases, app_.fieldwork().ended_interviews(), presence, app_.calendar(), now))
    fill(*st->add_interviewers(), row);
  return m;
}

void protocol_adapter::push_status() {
  auto m = status_message();
  publish_quota_metrics(m.status());
  access_.for_each([&](session::id_type, access::connection& c) {
    // A supervisor who logged out (or was logged out) no longer sees the fieldwork.
    if (c.watching && c.who)
      if (auto link = c.link.lock()) link->send(m);
  });
}

void protocol_adapter::publish_quota_metrics(const v1::Status& status) {
  for (const auto& c : status.cells()) {
    std::string cell;
    for (const auto& v : c.values()) cell += (cell.empty() ? "" : ",") + v;
    const metric_labels labels{{"quota", c.quota()}, {"cell", cell}};
    metrics_.add_gauge("cati_quota_target", "target of a quota cell (0: count only)", labels).set(c.target());
    metrics_.add_gauge("cati_quota_completes", "completed interviews counted in a quota cell", labels)
        .set(c.completes());
    metrics_.add_gauge("cati_quota_in_progress", "interviews holding a lease on a quota cell", labels)
        .set(c.in_progress());
    metrics_.add_gauge("cati_quota_open", "1 when a quota cell takes new interviews", labels).set(c.open() ? 1 : 0);
  }
  metrics_.add_gauge("cati_completes", "completed interviews in the study").set(status.completes());
}

}  // namespace cati::net
