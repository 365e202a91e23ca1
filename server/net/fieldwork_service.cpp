#include "net/fieldwork_service.hpp"

#include <boost/asio/post.hpp>
#include <date/tz.h>

#include <algorithm>

#include "net/log.hpp"
#include "net/protocol_mapping.hpp"
#include "net/status_mapping.hpp"
#include "store/password.hpp"

namespace cati::net {

namespace asio = boost::asio;
namespace v1 = cati::v1;

namespace {

// Supervisors see rates per group of the study's first quota variable (region in the seed study); a
// variable that is not in the frame (answered in the interview) gives the overall rates only.
std::string status_group_by(const core::questionnaire& q) {
  return q.quotas.empty() || q.quotas.front().variables.empty() ? "overall" : q.quotas.front().variables.front();
}

}  // namespace

fieldwork_service::fieldwork_service(asio::io_context& ioc, std::shared_ptr<const core::questionnaire> study,
                                     const core::calendar& cal, core::clock& clock, core::fieldwork_source& source,
                                     core::fieldwork_journal& journal, metrics_registry& metrics,
                                     service_options options)
    : ioc_(ioc),
      strand_(asio::make_strand(ioc)),
      tick_timer_(strand_),
      cases_timer_(strand_),
      status_timer_(strand_),
      study_(std::move(study)),
      calendar_(cal),
      clock_(clock),
      source_(source),
      journal_(journal),
      metrics_(metrics),
      options_(options),
      commit_seconds_(metrics.add_histogram("cati_commit_seconds", "time from a request's changes to their commit",
                                            {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5})),
      guard_(options.login) {
  zone_ = date::locate_zone(study_->time_zone);
  fieldwork_ = std::make_unique<core::fieldwork>(study_, calendar_, source_.quotas(), source_.next_interview_id(),
                                                 static_cast<std::uint64_t>(clock_.now().time_since_epoch().count()),
                                                 options_.fieldwork);
  auto cases = source_.cases_after(0);
  for (const auto& c : cases) last_case_ = std::max(last_case_, c.record.id);
  fieldwork_->load_cases(std::move(cases));
  for (const auto& [id, why] : fieldwork_->load_interviews(source_.open_interviews()))
    log_warn("interview ", id, " cannot be resumed: ", why);
  // Terminals reconnecting after a restart resume with their tokens, without a password check each.
  for (const auto& t : source_.sessions()) guard_.restore(t.digest, t.user, t.expires);
  log_info("fieldwork loaded: ", fieldwork_->case_count(), " cases, study ", study_->id, " ", study_->version);

  // /metrics is scraped on a network thread, so the quota counts reach it through gauges that the strand
  // sets (publish_quota_metrics), never by reading the fieldwork from another thread.
  publish_quota_metrics(status_message().status());
}

fieldwork_service::~fieldwork_service() { hashing_.join(); }

void fieldwork_service::start() {
  asio::post(strand_, [this] {
    schedule_tick();
    schedule_new_cases();
  });
}

void fieldwork_service::schedule_tick() {
  tick_timer_.expires_after(options_.tick);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    auto changes = fieldwork_->tick(clock_.now());
    if (!changes.empty()) {
      commit_then(std::move(changes), [] {});
      schedule_status_push();
    }
    schedule_tick();
  });
}

void fieldwork_service::schedule_new_cases() {
  cases_timer_.expires_after(options_.new_cases);
  cases_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    try {
      auto cases = source_.cases_after(last_case_);
      if (!cases.empty()) {
        for (const auto& c : cases) last_case_ = std::max(last_case_, c.record.id);
        log_info(cases.size(), " new cases imported into the running fieldwork");
        fieldwork_->load_cases(std::move(cases));
      }
    } catch (const std::exception& e) {
      log_error("reading new cases: ", e.what());
    }
    schedule_new_cases();
  });
}

// --- message_handler ---------------------------------------------------------------------------------

void fieldwork_service::on_open(const std::shared_ptr<session>& s) {
  asio::post(strand_, [this, s] { peers_[s->id()].link = s; });
}

void fieldwork_service::on_close(const std::shared_ptr<session>& s) {
  asio::post(strand_, [this, id = s->id()] {
    auto it = peers_.find(id);
    if (it == peers_.end()) return;
    // The user stays logged in through their token: their case lock and lease run on until they lapse,
    // so a terminal that reconnects in time finds everything where it was.
    if (it->second.who) {
      auto o = online_.find(it->second.who->name);
      if (o != online_.end() && o->second == id) online_.erase(o);
      if (it->second.watching || it->second.who) schedule_status_push();
    }
    peers_.erase(it);
  });
}

void fieldwork_service::on_message(const std::shared_ptr<session>& s, v1::ClientMessage message) {
  // (Counted by type in cati_messages_in_total, net_metrics.)
  asio::post(strand_, [this, s, m = std::move(message)] {
    try {
      handle(s, m);
    } catch (const std::exception& e) {
      log_error("request ", body_name(m), " from ", s->peer(), " failed: ", e.what());
      send_error(s, m.request_id(), v1::Error::INTERNAL, "internal error; the request was not applied");
    }
  });
}

void fieldwork_service::drain(std::function<void()> done) {
  asio::post(strand_, [this, done = std::move(done)] {
    draining_ = true;
    stopped_ = true;
    tick_timer_.cancel();
    cases_timer_.cancel();
    status_timer_.cancel();
    drained_ = done;
    finish_drain_if_idle();
  });
}

void fieldwork_service::finish_drain_if_idle() {
  if (draining_ && in_flight_ == 0 && drained_) {
    auto done = std::move(drained_);
    drained_ = nullptr;
    done();
  }
}

// --- replies -----------------------------------------------------------------------------------------

void fieldwork_service::send(const std::shared_ptr<session>& s, std::uint64_t request, v1::ServerMessage m) {
  m.set_request_id(request);
  s->send(std::move(m));
}

void fieldwork_service::send_error(const std::shared_ptr<session>& s, std::uint64_t request, v1::Error::Code code,
                                   std::string message, int retry_after_seconds) {
  v1::ServerMessage m;
  m.mutable_error()->set_code(code);
  m.mutable_error()->set_message(std::move(message));
  m.mutable_error()->set_retry_after_seconds(retry_after_seconds);
  metrics_.add_counter("cati_service_errors_total", "typed errors sent by the fieldwork service",
                       {{"code", v1::Error::Code_Name(code)}})
      .inc();
  send(s, request, std::move(m));
}

void fieldwork_service::commit_then(core::change_list changes, reply_fn reply) {
  if (changes.empty() && in_flight_ == 0) {
    reply();
    return;
  }
  ++in_flight_;
  const auto started = std::chrono::steady_clock::now();
  journal_.commit(std::move(changes), [this, reply = std::move(reply), started](std::optional<std::string> err) {
    asio::post(strand_, [this, reply, err, started] {
      --in_flight_;
      commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (err) {
        // The change is not on disk: the terminal must not be told it is. The in-memory state is ahead
        // of the file now, so no later reply can be trusted either: fail stop (see service_options).
        log_error("commit failed: ", *err);
        metrics_.add_counter("cati_commit_failures_total", "commits that failed").inc();
        if (!storage_failed_) {
          storage_failed_ = true;
          if (options_.on_storage_failure) options_.on_storage_failure(*err);
        }
      } else if (!storage_failed_) {
        reply();
      }
      finish_drain_if_idle();
    });
  });
}

template <class T, class OnOk>
void fieldwork_service::answer_effect(const std::shared_ptr<session>& s, std::uint64_t request, core::effect<T> e,
                                      OnOk on_ok) {
  if (!e.reply) {
    // A refused request changes nothing, but still answers in order behind earlier commits.
    auto err = to_wire(e.reply.err());
    commit_then({}, [this, s, request, err] {
      v1::ServerMessage m;
      *m.mutable_error() = err;
      metrics_.add_counter("cati_service_errors_total", "typed errors sent by the fieldwork service",
                           {{"code", v1::Error::Code_Name(err.code())}})
          .inc();
      send(s, request, std::move(m));
    });
    return;
  }
  // What a supervisor sees: quota counts, calls (dispositions, productivity), interviews starting (state).
  bool status_touched = std::any_of(e.changes.begin(), e.changes.end(), [](const core::change& c) {
    return std::holds_alternative<core::quota_changed>(c) || std::holds_alternative<core::call_logged>(c) ||
           std::holds_alternative<core::interview_opened>(c);
  });
  commit_then(std::move(e.changes), [on_ok, value = std::move(e.reply).value()] { on_ok(value); });
  if (status_touched) schedule_status_push();
}

void fieldwork_service::send_view(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                                  const core::interview_view& view, bool ack, std::uint32_t seq) {
  if (ack) {
    v1::ServerMessage a;
    auto* ak = a.mutable_answer_ack();
    ak->set_interview_id(std::to_string(view.id));
    ak->set_seq(seq);
    ak->set_duplicate(view.duplicate);
    send(s, request, std::move(a));
  }
  v1::ServerMessage m;
  fill(m, view, fieldwork_->today(who, clock_.now()));
  send(s, request, std::move(m));
}

// --- requests ----------------------------------------------------------------------------------------

void fieldwork_service::handle(const std::shared_ptr<session>& s, const v1::ClientMessage& m) {
  const auto request = m.request_id();
  auto& p = peers_[s->id()];
  if (p.link.expired()) p.link = s;
  if (storage_failed_) {
    send_error(s, request, v1::Error::UNAVAILABLE,
               "the server could not write its database and is stopping: your terminal keeps what was not acknowledged and resends it after the restart");
    return;
  }
  if (draining_) {
    send_error(s, request, v1::Error::UNAVAILABLE, "the server is shutting down");
    return;
  }
  switch (m.body_case()) {
    case v1::ClientMessage::kLogin:
    case v1::ClientMessage::kResumeSession: login(s, m); return;
    case v1::ClientMessage::kPing: {
      v1::ServerMessage r;
      r.mutable_pong()->set_now(format_local(clock_.now(), zone_));
      send(s, request, std::move(r));
      return;
    }
    case v1::ClientMessage::kSetClock: {
      auto* manual = dynamic_cast<core::manual_clock*>(&clock_);
      if (!options_.manual_clock || !manual) {
        send_error(s, request, v1::Error::NOT_ALLOWED, "the clock can be set only on a server started with a manual clock");
        return;
      }
      auto t = parse_wire_time(m.set_clock().now());
      if (!t) {
        send_error(s, request, v1::Error::MALFORMED, "set_clock.now is not an RFC 3339 time: '" + m.set_clock().now() + "'");
        return;
      }
      manual->set(*t);
      v1::ServerMessage r;
      r.mutable_pong()->set_now(format_local(clock_.now(), zone_));
      send(s, request, std::move(r));
      return;
    }
    default: break;
  }
  if (!p.who) {
    send_error(s, request, v1::Error::NOT_LOGGED_IN, "log in first");
    return;
  }
  const core::user who = *p.who;
  switch (m.body_case()) {
    case v1::ClientMessage::kLogout: {
      const auto digest = guard_.revoke(p.token);
      online_.erase(who.name);
      p.who.reset();
      commit_then({core::session_closed{digest}}, [this, s, request] {
        v1::ServerMessage r;
        r.mutable_notice()->set_kind(v1::Notice::LOGGED_OUT);
        r.mutable_notice()->set_message("logged out");
        send(s, request, std::move(r));
      });
      return;
    }
    case v1::ClientMessage::kWatchStatus:
    case v1::ClientMessage::kQuotaAction: supervisor_request(s, who, m); return;
    default: interviewer_request(s, who, m); return;
  }
}

void fieldwork_service::login(const std::shared_ptr<session>& s, const v1::ClientMessage& m) {
  const auto request = m.request_id();
  const auto now = clock_.now();
  if (m.has_resume_session()) {
    auto name = guard_.redeem(m.resume_session().token(), now);
    std::optional<core::fieldwork_source::account> account;
    if (name) account = source_.find_account(*name);
    if (!account) {
      send_error(s, request, v1::Error::SESSION_EXPIRED, "the session has expired: log in again");
      return;
    }
    // The same terminal after a reconnect: it takes the session over from a connection that may not
    // have noticed yet that it is dead.
    if (auto o = online_.find(*name); o != online_.end() && o->second != s->id())
      if (auto old = peers_.find(o->second); old != peers_.end()) {
        if (auto link = old->second.link.lock()) link->close(close_code::policy_violation);
        old->second.who.reset();
      }
    peers_[s->id()].token = m.resume_session().token();
    logged_in(s, request, account->who, std::nullopt);
    return;
  }
  const auto& l = m.login();
  if (l.user().empty()) {
    send_error(s, request, v1::Error::MALFORMED, "login.user is empty");
    return;
  }
  if (auto wait = guard_.throttled(l.user(), s->peer_address(), now)) {
    int secs = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(*wait).count()) + 1;
    send_error(s, request, v1::Error::THROTTLED, "too many failed logins: wait " + std::to_string(secs) + " s", secs);
    return;
  }
  // The account lookup and the deliberately slow password check run off the strand.
  asio::post(hashing_, [this, s, request, user = l.user(), password = l.password()] {
    std::optional<core::fieldwork_source::account> account;
    bool ok = false;
    try {
      account = source_.find_account(user);
      ok = account && store::verify_password(account->password_hash, password);
    } catch (const std::exception& e) {
      log_error("login of ", user, ": ", e.what());
    }
    asio::post(strand_, [this, s, request, user, ok, account] {
      const auto at = clock_.now();
      if (!ok) {
        guard_.failed(user, s->peer_address(), at);
        log_warn("failed login for '", user, "' from ", s->peer());
        send_error(s, request, v1::Error::BAD_CREDENTIALS, "unknown user or wrong password");
        return;
      }
      guard_.succeeded(user, s->peer_address());
      if (auto o = online_.find(user); o != online_.end() && o->second != s->id() && peers_.count(o->second)) {
        send_error(s, request, v1::Error::LOGGED_IN_ELSEWHERE,
                   user + " is logged in on another terminal: log out there first");
        return;
      }
      auto token = guard_.issue(user, at);
      peers_[s->id()].token = token.value;
      logged_in(s, request, account->who, core::session_opened{token.digest, user, at, token.expires});
    });
  });
}

void fieldwork_service::logged_in(const std::shared_ptr<session>& s, std::uint64_t request, const core::user& who,
                                  std::optional<core::session_opened> issued) {
  const bool resumed = !issued;
  const auto now = clock_.now();
  auto& p = peers_[s->id()];
  p.link = s;
  p.who = who;
  online_[who.name] = s->id();
  v1::ServerMessage r;
  auto* ok = r.mutable_login_ok();
  ok->set_user(who.name);
  ok->set_role(std::string(core::to_string(who.role)));
  ok->set_token(p.token);
  ok->set_token_expires_at(format_local(now + options_.login.token_ttl, zone_));
  for (const auto& l : who.languages) ok->add_languages(l);
  ok->set_study_id(study_->id);
  ok->set_study_title(study_->title);
  ok->set_study_version(study_->version);
  ok->set_now(format_local(now, zone_));
  ok->set_time_zone(study_->time_zone);
  for (const auto& l : study_->languages) ok->add_study_languages(l);
  ok->set_case_lock_minutes(std::max(1, study_->rules.case_lock_minutes));
  *ok->mutable_today() = to_wire(fieldwork_->today(who, now));
  log_info(resumed ? "resumed session of " : "login of ", who.name, " from ", s->peer());
  // Give the terminal back what it was doing: its case and the screen it was on.
  auto back = fieldwork_->resume(who, now);
  // The new token is stored with the resume's changes, before LoginOk hands it out.
  if (issued) back.changes.push_back(std::move(*issued));
  answer_effect(s, request, std::move(back), [this, s, request, who, r](const core::session_view& v) {
    send(s, request, r);
    if (v.held) {
      v1::ServerMessage card;
      fill(*card.mutable_case_card(), *v.held, zone_);
      send(s, request, std::move(card));
    }
    if (v.interview) send_view(s, request, who, *v.interview, false, 0);
  });
  schedule_status_push();
}

void fieldwork_service::interviewer_request(const std::shared_ptr<session>& s, const core::user& who,
                                            const v1::ClientMessage& m) {
  const auto request = m.request_id();
  const auto now = clock_.now();
  auto interview_id = [&](const std::string& text) -> std::optional<core::interview_id> {
    try {
      std::size_t used = 0;
      auto id = std::stoll(text, &used);
      if (used == text.size()) return id;
    } catch (const std::exception&) {
    }
    send_error(s, request, v1::Error::MALFORMED, "interview_id '" + text + "' is not an interview id");
    return std::nullopt;
  };
  switch (m.body_case()) {
    case v1::ClientMessage::kNextCase:
      answer_effect(s, request, fieldwork_->next_case(who, now),
                    [this, s, request](const std::variant<core::case_offer, core::idle>& v) {
                      v1::ServerMessage r;
                      if (const auto* offer = std::get_if<core::case_offer>(&v))
                        fill(*r.mutable_case_card(), *offer, zone_);
                      else
                        fill(*r.mutable_no_case(), std::get<core::idle>(v), zone_);
                      send(s, request, std::move(r));
                    });
      schedule_status_push();
      return;
    case v1::ClientMessage::kCallResult: {
      const auto& c = m.call_result();
      std::optional<core::time_point> when;
      if (!c.appointment_at().empty() && !(when = parse_wire_time(c.appointment_at()))) {
        send_error(s, request, v1::Error::MALFORMED, "appointment_at is not an RFC 3339 time: '" + c.appointment_at() + "'");
        return;
      }
      answer_effect(s, request,
                    fieldwork_->record_call(who, c.case_id(), from_wire(c.outcome()), when, c.personal_appointment(),
                                            c.note(), c.number(), now),
                    [this, s, request, who](const core::call_done& d) {
                      v1::ServerMessage r;
                      auto* rec = r.mutable_call_recorded();
                      rec->set_case_id(d.id);
                      rec->set_outcome(to_wire(d.result));
                      *rec->mutable_today() = to_wire(fieldwork_->today(who, clock_.now()));
                      send(s, request, std::move(r));
                    });
      return;
    }
    case v1::ClientMessage::kStartInterview:
      answer_effect(s, request,
                    fieldwork_->start_interview(who, m.start_interview().case_id(), m.start_interview().language(), now),
                    [this, s, request, who](const core::interview_view& v) { send_view(s, request, who, v, false, 0); });
      return;
    case v1::ClientMessage::kAnswer: {
      const auto& a = m.answer();
      auto id = interview_id(a.interview_id());
      if (!id) return;
      answer_effect(s, request, fieldwork_->answer(who, *id, a.seq(), a.question(), a.value(), now),
                    [this, s, request, who, seq = a.seq()](const core::interview_view& v) {
                      send_view(s, request, who, v, true, seq);
                    });
      return;
    }
    case v1::ClientMessage::kBack: {
      auto id = interview_id(m.back().interview_id());
      if (!id) return;
      answer_effect(s, request, fieldwork_->back(who, *id, m.back().seq(), now),
                    [this, s, request, who, seq = m.back().seq()](const core::interview_view& v) {
                      send_view(s, request, who, v, true, seq);
                    });
      return;
    }
    case v1::ClientMessage::kSuspend: {
      const auto& su = m.suspend();
      auto id = interview_id(su.interview_id());
      if (!id) return;
      std::optional<core::time_point> when;
      if (!su.appointment_at().empty() && !(when = parse_wire_time(su.appointment_at()))) {
        send_error(s, request, v1::Error::MALFORMED, "appointment_at is not an RFC 3339 time: '" + su.appointment_at() + "'");
        return;
      }
      answer_effect(s, request, fieldwork_->suspend(who, *id, su.seq(), from_wire(su.outcome()), when, su.note(), now),
                    [this, s, request, who, seq = su.seq()](const core::interview_view& v) {
                      send_view(s, request, who, v, true, seq);
                    });
      return;
    }
    case v1::ClientMessage::kSetLanguage: {
      auto id = interview_id(m.set_language().interview_id());
      if (!id) return;
      answer_effect(s, request, fieldwork_->set_language(who, *id, m.set_language().language(), now),
                    [this, s, request, who](const core::interview_view& v) { send_view(s, request, who, v, false, 0); });
      return;
    }
    default:
      send_error(s, request, v1::Error::MALFORMED, "unexpected request " + std::string(body_name(m)));
      return;
  }
}

void fieldwork_service::supervisor_request(const std::shared_ptr<session>& s, const core::user& who,
                                           const v1::ClientMessage& m) {
  const auto request = m.request_id();
  if (who.role == core::user_role::interviewer) {
    send_error(s, request, v1::Error::FORBIDDEN, std::string(body_name(m)) + " needs the supervisor role");
    return;
  }
  if (m.has_watch_status()) {
    peers_[s->id()].watching = true;
    commit_then({}, [this, s, request] { send(s, request, status_message()); });
    return;
  }
  const auto& q = m.quota_action();
  core::fieldwork::quota_op op;
  switch (q.kind()) {
    case v1::QuotaAction::SET_TARGET: op = core::fieldwork::quota_op::set_target; break;
    case v1::QuotaAction::CLOSE: op = core::fieldwork::quota_op::close; break;
    case v1::QuotaAction::REOPEN: op = core::fieldwork::quota_op::reopen; break;
    default: send_error(s, request, v1::Error::MALFORMED, "quota_action.kind is not set"); return;
  }
  core::cell_id cell{q.quota(), {q.values().begin(), q.values().end()}};
  const bool closing = op == core::fieldwork::quota_op::close;
  answer_effect(s, request, fieldwork_->quota_action(who, op, cell, q.target(), clock_.now()),
                [this, s, request, closing, cell, by = who.name](const core::quota_cell_state&) {
                  send(s, request, status_message());
                  // Tell the terminals once the close is committed (a refused close tells nobody): it ends
                  // no interview in progress, but it changes what gets called.
                  if (!closing) return;
                  v1::ServerMessage n;
                  n.mutable_notice()->set_kind(v1::Notice::QUOTA_CELL_CLOSED);
                  n.mutable_notice()->set_message("quota cell " + core::to_string(cell) + " closed by " + by);
                  for (auto& [id, p] : peers_)
                    if (auto link = p.link.lock(); link && p.who) link->send(n);
                });
}

v1::ServerMessage fieldwork_service::status_message() {
  const auto now = clock_.now();
  v1::ServerMessage m;
  auto* st = m.mutable_status();
  st->set_now(format_local(now, zone_));
  for (const auto& row : fieldwork_->quota_table()) fill(*st->add_cells(), row);

  const auto cases = fieldwork_->cases();
  const auto days = core::progress_by_day(cases, calendar_, study_->target_completes, now);
  for (const auto& d : days) fill(*st->add_days(), d);
  // Completes from the call log, as the chart counts them (a complete outside every cell included).
  st->set_completes(days.empty() ? 0 : days.back().cumulative);
  st->set_target(study_->target_completes);
  for (const auto& g : core::rates_by(cases, *study_, calendar_, status_group_by(*study_), now)) fill(*st->add_rates(), g);
  const auto worked = worked_cases(cases);
  for (const auto& g : core::rates_by(worked, *study_, calendar_, status_group_by(*study_), now))
    fill(*st->add_worked_rates(), g);
  add_notes(*st, fieldwork_->quotas());

  std::vector<core::interviewer_presence> presence;
  for (const auto& [name, id] : online_) {
    auto p = peers_.find(id);
    // Supervisors watch; they are not interviewers on the list.
    if (p == peers_.end() || !p->second.who || p->second.who->role != core::user_role::interviewer) continue;
    presence.push_back({name, true, fieldwork_->activity_of(name, now)});
  }
  for (const auto& row : core::interviewer_rows(cases, fieldwork_->ended_interviews(), presence, calendar_, now))
    fill(*st->add_interviewers(), row);
  return m;
}

void fieldwork_service::schedule_status_push() {
  if (status_pending_ || stopped_) return;
  status_pending_ = true;
  status_timer_.expires_after(options_.status_push);
  status_timer_.async_wait([this](boost::system::error_code ec) {
    status_pending_ = false;
    if (ec || stopped_) return;
    auto m = status_message();
    publish_quota_metrics(m.status());
    for (auto& [id, p] : peers_)
      if (p.watching)
        if (auto link = p.link.lock()) link->send(m);
  });
}

void fieldwork_service::publish_quota_metrics(const v1::Status& status) {
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
