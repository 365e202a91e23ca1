// Sessions as a call centre expects them, against the real cati-server on port 0 (issue 13, behaviours 3,
// 4 and 13; issue 17, behaviour 4): a password login takes an interviewer's session over and tells the
// old terminal who and when; the old terminal never takes it back by itself; supervisors hold several
// sessions and can log an interviewer out; a login whose socket is gone leaves no trace; the throttle
// counts attempts as they arrive; an unknown user costs what a known one costs; a logged-out supervisor
// sees nothing more; SetClock needs a login; replies keep request order.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <vector>

#include "integration/server_fixture.hpp"
#include "integration/session_driver.hpp"
#include "integration/tcp_proxy.hpp"

using namespace cati::it;
namespace client = cati::client;

namespace {

class Sessions : public ::testing::Test {
 protected:
  void start(launch_options options = {}) {
    server_ = std::make_unique<server_process>(fw_, std::move(options));
    ASSERT_NE(server_->port(), 0);
  }
  std::uint16_t port() const { return server_->port(); }

  static void expect_error(const v1::ServerMessage& m, v1::Error::Code code) {
    ASSERT_TRUE(m.has_error()) << "expected " << v1::Error::Code_Name(code) << ", got " << m.DebugString();
    EXPECT_EQ(m.error().code(), code) << m.error().message();
    EXPECT_FALSE(m.error().message().empty()) << "an error says what was wrong";
  }

  // Live tokens of `user` in the file.
  std::int64_t sessions_of(const std::string& user) const {
    return fw_.count("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = '" + user + "'");
  }

  // Reads until a message satisfies `pred` (other messages are skipped); the message, or nullopt.
  static std::optional<v1::ServerMessage> read_until(ws_test_client& c,
                                                     const std::function<bool(const v1::ServerMessage&)>& pred) {
    for (int i = 0; i < 50; ++i) {
      auto m = c.receive(reply_wait);
      if (!m) return std::nullopt;
      if (pred(*m)) return m;
    }
    return std::nullopt;
  }

  // Sends without waiting; the request id it got.
  static std::uint64_t send(ws_test_client& c, v1::ClientMessage m) {
    static std::uint64_t next = 1'000'000;
    m.set_request_id(++next);
    EXPECT_TRUE(c.send(m)) << c.error();
    return next;
  }

  static v1::ClientMessage ping() {
    v1::ClientMessage m;
    m.mutable_ping();
    return m;
  }
  static v1::ClientMessage watch() {
    v1::ClientMessage m;
    m.mutable_watch_status();
    return m;
  }
  static v1::ClientMessage login_request(const std::string& user, const std::string& password,
                                         const std::string& client = {}) {
    v1::ClientMessage m;
    m.mutable_login()->set_user(user);
    m.mutable_login()->set_password(password);
    m.mutable_login()->set_client(client);
    return m;
  }
  static v1::ClientMessage resume_request(const std::string& token) {
    v1::ClientMessage m;
    m.mutable_resume_session()->set_token(token);
    return m;
  }

  // Occurrences of `text` in the server's log.
  int log_count(const std::string& text) const {
    const auto log = server_->log();
    int n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  }

  fieldwork_dir fw_;
  std::unique_ptr<server_process> server_;
};

bool went_offline(const client::event& e) {
  const auto* s = std::get_if<client::state_event>(&e);
  return s != nullptr && s->state == client::connection_state::offline;
}

bool is_logged_out(const v1::ServerMessage& m) {
  return m.has_notice() && m.notice().kind() == v1::Notice::LOGGED_OUT;
}

}  // namespace

TEST_F(Sessions, PasswordLoginTakesTheSessionOverAndTellsTheOldTerminalWhoAndWhen) {
  start();
  auto first = connect(port());
  auto ok = login(*first);
  ASSERT_TRUE(ok.has_login_ok()) << ok.DebugString();
  const auto old_token = ok.login_ok().token();

  auto second = connect(port());
  auto taken = ask(*second, login_request("anna", anna_password, "cati-term at desk 7"));
  ASSERT_TRUE(taken.has_login_ok()) << taken.DebugString();

  auto notice = read_until(*first, is_logged_out);
  ASSERT_TRUE(notice) << "the old terminal was not told";
  EXPECT_EQ(notice->request_id(), 0U) << "a push, not a reply";
  EXPECT_EQ(notice->notice().reason(), v1::Notice::TAKEN_OVER);
  EXPECT_NE(notice->notice().by().find("desk 7"), std::string::npos) << notice->notice().by();
  EXPECT_EQ(notice->notice().at().rfind("2025-10-13T09:", 0), 0U) << notice->notice().at();
  EXPECT_NE(notice->notice().message().find("desk 7"), std::string::npos) << notice->notice().message();

  // The old terminal is logged out, its token revoked in the file; the new one works.
  expect_error(ask(*first, next_case_request()), v1::Error::NOT_LOGGED_IN);
  EXPECT_EQ(sessions_of("anna"), 1);
  auto card = ask(*second, next_case_request());
  EXPECT_TRUE(card.has_case_card()) << card.DebugString();
  // Its old token is refused with why, not as merely expired.
  auto third = connect(port());
  expect_error(ask(*third, resume_request(old_token)), v1::Error::SESSION_TAKEN_OVER);
}

TEST_F(Sessions, SleepingTerminalThatWakesAfterATakeoverIsRefusedAndDoesNotTakeItBack) {
  start();
  tcp_proxy proxy(port());
  session_driver sleeper(proxy.url(), fw_.dir() / "sleeper");
  auto ok = sleeper.settle(sleeper.session().login("anna", anna_password));
  ASSERT_TRUE(ok && ok->has_login_ok());

  // The laptop sleeps: its connection is gone and it cannot reconnect.
  proxy.refuse(true);
  proxy.cut();
  ASSERT_TRUE(sleeper.until(
      [](const client::event& e) {
        const auto* s = std::get_if<client::state_event>(&e);
        return s && s->state == client::connection_state::offline;
      },
      "the sleeper offline"));

  // Anna logs in at another desk meanwhile.
  auto desk = connect(port());
  ASSERT_TRUE(login(*desk).has_login_ok());

  // The laptop wakes with its old token: refused as taken over, and it does not log in by itself.
  proxy.refuse(false);
  ASSERT_TRUE(sleeper.until(
      [](const client::event& e) {
        const auto* n = std::get_if<client::notice_event>(&e);
        return n && n->text.find("taken over") != std::string::npos;
      },
      "the sleeper told its session was taken over"));
  // The desk keeps the session: a round trip on it after the sleeper's refusal, with no LOGGED_OUT before it.
  const auto id = send(*desk, ping());
  auto m = read_until(*desk, [&](const v1::ServerMessage& r) { return r.request_id() == id || is_logged_out(r); });
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_pong()) << "the desk lost its session: " << m->DebugString();
  EXPECT_TRUE(ask(*desk, next_case_request()).has_case_card());
  EXPECT_EQ(sessions_of("anna"), 1);
  EXPECT_EQ(log_count("login of anna"), 2) << "only the two password logins, no login by the sleeper\n" << server_->log();
}

TEST_F(Sessions, TerminalToldOfATakeoverDoesNotLogInAgainAfterItsConnectionDrops) {
  fw_.add_user("bert", "interviewer", "bert-secret-1");
  start();
  tcp_proxy proxy(port());
  session_driver old_desk(proxy.url(), fw_.dir() / "old-desk");
  auto ok = old_desk.settle(old_desk.session().login("anna", anna_password));
  ASSERT_TRUE(ok && ok->has_login_ok());

  auto desk = connect(port());
  ASSERT_TRUE(ask(*desk, login_request("anna", anna_password, "cati-term at desk 7")).has_login_ok());
  ASSERT_TRUE(old_desk.until(
      [](const client::event& e) {
        const auto* m = std::get_if<client::message_event>(&e);
        return m && is_logged_out(m->message) && m->message.notice().reason() == v1::Notice::TAKEN_OVER;
      },
      "the old desk told of the takeover"));

  // Its connection drops and comes back: the client reconnects, but neither resumes nor logs in.
  proxy.cut();
  ASSERT_TRUE(old_desk.until(went_offline, "the old desk offline"));
  ASSERT_TRUE(old_desk.until(
      [](const client::event& e) {
        const auto* st = std::get_if<client::state_event>(&e);
        return st && st->state == client::connection_state::connected;
      },
      "the old desk connected again"));
  // A login it sent on connecting would be checked before bert's (one check at a time, in order), and its
  // takeover told to the desk before the desk's next reply.
  auto other = connect(port());
  ASSERT_TRUE(login(*other, "bert", "bert-secret-1").has_login_ok());
  const auto id = send(*desk, ping());
  auto m = read_until(*desk, [&](const v1::ServerMessage& r) { return r.request_id() == id || is_logged_out(r); });
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_pong()) << "the desk lost its session: " << m->DebugString();
  EXPECT_TRUE(ask(*desk, next_case_request()).has_case_card());
  EXPECT_EQ(log_count("login of anna"), 2) << server_->log();
  EXPECT_EQ(log_count("resumed session of anna"), 0) << server_->log();
}

TEST_F(Sessions, LoginWhoseSocketClosesBeforeTheHashLeavesNoTrace) {
  fw_.add_user("bert", "interviewer", "bert-secret-1");
  start();
  auto working = connect(port());
  ASSERT_TRUE(login(*working).has_login_ok());
  const auto before = sessions_of("anna");

  // A login of anna whose connection is gone before its password check ends.
  {
    auto gone = connect(port());
    send(*gone, login_request("anna", anna_password));
    gone->close();
  }
  // The checks run one after another: once bert's is answered, anna's has ended too.
  auto other = connect(port());
  ASSERT_TRUE(login(*other, "bert", "bert-secret-1").has_login_ok());

  // Nothing of it remains: the working terminal keeps its session, no token was stored, and anna can
  // still log in (no presence was left behind).
  const auto id = send(*working, next_case_request());
  auto m = read_until(*working, [&](const v1::ServerMessage& r) { return r.request_id() == id || is_logged_out(r); });
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_case_card()) << "the closed login took the session: " << m->DebugString();
  EXPECT_EQ(sessions_of("anna"), before);
  auto again = connect(port());
  EXPECT_TRUE(login(*again).has_login_ok());
}

TEST_F(Sessions, TwentyWrongPasswordsInOneBurstAreCheckedOnlyUpToTheLimit) {
  start();
  auto c = connect(port());
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(send(*c, login_request("anna", "wrong-guess-" + std::to_string(i))));
  int checked = 0, refused = 0;
  for (const auto id : ids) {
    auto r = receive(*c);
    EXPECT_EQ(r.request_id(), id) << "replies in request order";
    ASSERT_TRUE(r.has_error()) << r.DebugString();
    if (r.error().code() == v1::Error::BAD_CREDENTIALS) ++checked;
    if (r.error().code() == v1::Error::THROTTLED) {
      ++refused;
      EXPECT_GT(r.error().retry_after_seconds(), 0);
    }
  }
  EXPECT_EQ(checked, 5) << "the limit";
  EXPECT_EQ(refused, 15);
  EXPECT_EQ(log_count("failed login for 'anna'"), 5) << "passwords checked";
  // The right password is refused too now: the lockout holds.
  expect_error(login(*c), v1::Error::THROTTLED);
}

TEST_F(Sessions, UnknownUserCostsTheSameHashAsAKnownOne) {
  start();
  auto c = connect(port());
  // Each round: a wrong password for anna, one for a name nobody has, and then anna's right one, which
  // clears the throttle's count for her and for the address.
  std::vector<double> known, unknown;
  auto timed = [&](v1::ClientMessage m) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = ask(*c, std::move(m));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(r.has_error() && r.error().code() == v1::Error::BAD_CREDENTIALS) << r.DebugString();
    return ms;
  };
  constexpr int rounds = 12;
  for (int i = 0; i < rounds; ++i) {
    known.push_back(timed(login_request("anna", "not-her-password")));
    unknown.push_back(timed(login_request("nobody" + std::to_string(i), "not-her-password")));
    auto fresh = connect(port());
    ASSERT_TRUE(login(*fresh).has_login_ok());
    // Drain what the login sends behind LoginOk on the other connection; close it.
    fresh->close();
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  auto spread = [](std::vector<double> v) {  // interquartile range
    std::sort(v.begin(), v.end());
    return v[v.size() * 3 / 4] - v[v.size() / 4];
  };
  const double mk = median(known), mu = median(unknown);
  // Equal costs: the medians differ by no more than the samples' own spread (or a quarter of the
  // smaller median, when both spreads are tiny). A fast path for unknown names would put them a factor
  // of ten or more apart.
  const double allowed = std::max({spread(known), spread(unknown), 0.25 * std::min(mk, mu)});
  EXPECT_LE(std::abs(mk - mu), allowed) << "median known " << mk << " ms, unknown " << mu << " ms";
  EXPECT_GT(mu, 0.5 * mk) << "an unknown user answered faster: names can be found by timing";
}

TEST_F(Sessions, SupervisorHoldsThePageAndATerminalAtOnce) {
  fw_.add_user("sara", "supervisor", "sara-secret-1");
  start();
  auto page = connect(port());
  ASSERT_TRUE(login(*page, "sara", "sara-secret-1").has_login_ok());
  EXPECT_TRUE(ask(*page, watch()).has_status());
  auto term = connect(port());
  ASSERT_TRUE(login(*term, "sara", "sara-secret-1").has_login_ok());
  EXPECT_TRUE(ask(*term, watch()).has_status());
  // Both stay logged in: neither was told to go, both still get their requests answered.
  for (auto* c : {page.get(), term.get()}) {
    const auto id = send(*c, watch());
    auto m = read_until(*c, [&](const v1::ServerMessage& r) { return r.request_id() == id || is_logged_out(r); });
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->has_status()) << m->DebugString();
  }
  EXPECT_EQ(sessions_of("sara"), 2);
}

TEST_F(Sessions, SupervisorLogsAnInterviewerOut) {
  fw_.add_user("sara", "supervisor", "sara-secret-1");
  start();
  auto anna = connect(port());
  auto ok = login(*anna);
  ASSERT_TRUE(ok.has_login_ok());
  auto sara = connect(port());
  ASSERT_TRUE(login(*sara, "sara", "sara-secret-1").has_login_ok());

  v1::ClientMessage out;
  out.mutable_logout_user()->set_user("anna");
  auto r = ask(*sara, out);
  ASSERT_TRUE(r.has_status()) << r.DebugString();
  EXPECT_EQ(sessions_of("anna"), 0) << "revoked in the file";

  auto notice = read_until(*anna, is_logged_out);
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->notice().reason(), v1::Notice::BY_SUPERVISOR);
  EXPECT_EQ(notice->notice().by(), "sara");
  EXPECT_FALSE(notice->notice().at().empty());
  expect_error(ask(*anna, next_case_request()), v1::Error::NOT_LOGGED_IN);
  auto wake = connect(port());
  expect_error(ask(*wake, resume_request(ok.login_ok().token())), v1::Error::SESSION_TAKEN_OVER);

  // Nobody to log out, not an interviewer, no name, not a supervisor: typed refusals that change nothing.
  const auto before = fw_.table_counts();
  expect_error(ask(*sara, out), v1::Error::INVALID_REQUEST);
  out.mutable_logout_user()->set_user("sara");
  expect_error(ask(*sara, out), v1::Error::INVALID_REQUEST);
  out.mutable_logout_user()->set_user("");
  expect_error(ask(*sara, out), v1::Error::MALFORMED);
  auto back = connect(port());
  ASSERT_TRUE(login(*back).has_login_ok());
  out.mutable_logout_user()->set_user("anna");
  expect_error(ask(*back, out), v1::Error::FORBIDDEN);
  EXPECT_EQ(fw_.table_counts(), before);
}

TEST_F(Sessions, LoggedOutSupervisorGetsNoStatus) {
  fw_.add_user("sara", "supervisor", "sara-secret-1");
  start();
  auto gone = connect(port());
  ASSERT_TRUE(login(*gone, "sara", "sara-secret-1").has_login_ok());
  ASSERT_TRUE(ask(*gone, watch()).has_status());
  v1::ClientMessage logout;
  logout.mutable_logout();
  ASSERT_TRUE(is_logged_out(ask(*gone, logout)));

  auto still = connect(port());
  ASSERT_TRUE(login(*still, "sara", "sara-secret-1").has_login_ok());
  ASSERT_TRUE(ask(*still, watch()).has_status());
  // Something a supervisor sees changes: a call is taken.
  auto anna = connect(port());
  ASSERT_TRUE(login(*anna).has_login_ok());
  ASSERT_TRUE(ask(*anna, next_case_request()).has_case_card());
  // The watching supervisor gets the push ...
  auto pushed = read_until(*still, [](const v1::ServerMessage& m) { return m.has_status() && m.request_id() == 0; });
  ASSERT_TRUE(pushed) << "no status push came at all";
  // ... and by then the logged-out one has had it too, had it been sent: a round trip on it shows nothing
  // came before its Pong.
  const auto id = send(*gone, ping());
  auto m = gone->receive(reply_wait);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_id(), id) << "the logged-out supervisor got " << m->DebugString();
  EXPECT_TRUE(m->has_pong());
}

TEST_F(Sessions, SetClockBeforeLoginIsRefused) {
  start({.clock = "manual:2025-10-13T12:30:00+02:00", .study = {}});
  auto c = connect(port());
  v1::ClientMessage set;
  set.mutable_set_clock()->set_now("2025-10-14T11:30:00+02:00");
  expect_error(ask(*c, set), v1::Error::NOT_LOGGED_IN);
  // The clock did not move.
  v1::ClientMessage p = ping();
  EXPECT_EQ(ask(*c, p).pong().now().rfind("2025-10-13T12:30:00", 0), 0U);
  // Logged in, the same request moves it.
  ASSERT_TRUE(login(*c).has_login_ok());
  auto moved = ask(*c, set);
  ASSERT_TRUE(moved.has_pong()) << moved.DebugString();
  EXPECT_EQ(moved.pong().now().rfind("2025-10-14T11:30:00", 0), 0U);
}

// Issue 17, behaviour 4: a Ping sent right behind any request gets its Pong after that request's replies.
TEST_F(Sessions, RepliesKeepRequestOrderForEveryRequestKind) {
  start();
  auto c = connect(port());
  // Sends `first` and a Ping back to back; every message before the Pong answers `first`, and at least one does.
  auto in_order = [&](v1::ClientMessage first, const char* what) {
    const auto a = send(*c, std::move(first));
    const auto b = send(*c, ping());
    std::vector<v1::ServerMessage> before;
    while (true) {
      auto m = c->receive(reply_wait);
      if (!m) {
        ADD_FAILURE() << what << ": no Pong";
        return before;
      }
      if (m->request_id() == b) {
        EXPECT_TRUE(m->has_pong()) << what;
        break;
      }
      EXPECT_EQ(m->request_id(), a) << what << ": " << m->DebugString();
      before.push_back(*m);
    }
    EXPECT_FALSE(before.empty()) << what << ": the Pong overtook its reply";
    return before;
  };
  auto r = in_order(login_request("anna", anna_password), "Login");
  ASSERT_FALSE(r.empty());
  ASSERT_TRUE(r.front().has_login_ok());
  r = in_order(next_case_request(), "NextCase");
  ASSERT_FALSE(r.empty());
  ASSERT_TRUE(r.front().has_case_card());
  r = in_order(start_request(r.front().case_card().case_id(), "nl"), "StartInterview");
  ASSERT_FALSE(r.empty());
  ASSERT_TRUE(r.back().has_screen());
  auto screen = r.back().screen();
  r = in_order(answer_to(screen), "Answer");
  ASSERT_FALSE(r.empty());
  ASSERT_TRUE(r.front().has_answer_ack());
  ASSERT_TRUE(r.back().has_screen());
  screen = r.back().screen();
  r = in_order(back_from(screen), "Back");
  ASSERT_FALSE(r.empty());
  ASSERT_TRUE(r.back().has_screen());
  screen = r.back().screen();
  v1::ClientMessage suspend;
  suspend.mutable_suspend()->set_interview_id(screen.interview_id());
  suspend.mutable_suspend()->set_seq(screen.next_seq());
  suspend.mutable_suspend()->set_outcome(v1::BREAK_OFF);
  r = in_order(suspend, "Suspend");
  ASSERT_FALSE(r.empty());
  v1::ClientMessage logout;
  logout.mutable_logout();
  r = in_order(logout, "Logout");
  ASSERT_FALSE(r.empty());
  EXPECT_TRUE(is_logged_out(r.front()));
  // A refusal too (not logged in any more).
  r = in_order(next_case_request(), "a refused NextCase");
  ASSERT_FALSE(r.empty());
  EXPECT_TRUE(r.front().has_error());
}
