// Bad input against the real cati-server: framing violations close the connection, everything else gets
// a typed error, and none of it changes the fieldwork file (row counts before and after). Then the role
// checks (supervisor requests) and SetClock (only on a server started with a manual clock).
#include <gtest/gtest.h>

#include "integration/server_fixture.hpp"

using namespace cati::it;

namespace {

class BadInput : public ::testing::Test {
 protected:
  void start(launch_options options = {}) {
    server_ = std::make_unique<server_process>(fw_, std::move(options));
    ASSERT_NE(server_->port(), 0);
  }
  std::uint16_t port() const { return server_->port(); }

  // anna logged in with an interview in Dutch open at s2_fte (two screens answered).
  std::unique_ptr<ws_test_client> anna_at_s2(v1::Screen& screen) {
    auto c = connect(port());
    EXPECT_TRUE(login(*c).has_login_ok());
    auto m = step(*c, begin_interview(*c, "nl"));  // intro
    m = step(*c, m.screen());                // s1_decider
    EXPECT_EQ(m.screen().question(), "s2_fte");
    screen = m.screen();
    return c;
  }

  static void expect_error(const v1::ServerMessage& m, v1::Error::Code code) {
    ASSERT_TRUE(m.has_error()) << "expected " << v1::Error::Code_Name(code) << ", got " << m.DebugString();
    EXPECT_EQ(m.error().code(), code) << m.error().message();
    EXPECT_FALSE(m.error().message().empty()) << "an error says what was wrong";
  }

  // The connection still answers (a Ping gets a Pong).
  static void expect_alive(ws_test_client& c) {
    v1::ClientMessage ping;
    ping.mutable_ping();
    EXPECT_TRUE(ask(c, ping).has_pong());
  }

  fieldwork_dir fw_;
  std::unique_ptr<server_process> server_;
};

v1::ClientMessage answer(const v1::Screen& s, const std::string& value, std::optional<std::uint32_t> seq = {},
                         std::optional<std::string> question = {}) {
  auto m = answer_to(s, value);
  if (seq) m.mutable_answer()->set_seq(*seq);
  if (question) m.mutable_answer()->set_question(*question);
  return m;
}

}  // namespace

TEST_F(BadInput, OversizedFrameClosesTheConnection) {
  start();
  const auto before = fw_.table_counts();
  auto c = connect(port());
  ASSERT_TRUE(c->send_frame(std::string(64 * 1024 + 1, 'x'), false));
  auto r = c->read_frame(reply_wait);
  EXPECT_FALSE(r.ok) << "the server answered an oversized frame instead of closing";
  EXPECT_FALSE(r.timed_out) << "the connection was left open";
  if (r.closed) {
    EXPECT_EQ(r.close_code, 1009);
  }
  // The server goes on serving others.
  auto other = connect(port());
  EXPECT_TRUE(login(*other).has_login_ok());
  EXPECT_EQ(fw_.table_counts(), before);
}

TEST_F(BadInput, GarbageBytesGetATypedError) {
  start();
  const auto before = fw_.table_counts();
  auto c = connect(port());
  ASSERT_TRUE(c->send_frame(std::string("\xff\xfe\x00garbage\x01\x02", 12), false));
  expect_error(receive(*c), v1::Error::MALFORMED);
  expect_alive(*c);
  EXPECT_EQ(fw_.table_counts(), before);
}

TEST_F(BadInput, ValidFramesOfTheWrongTypeGetATypedError) {
  start();
  auto c = connect(port());
  ASSERT_TRUE(login(*c).has_login_ok());
  const auto before = fw_.table_counts();
  // A text frame (JSON) on the binary subprotocol.
  ASSERT_TRUE(c->send_frame(R"({"requestId": "7", "nextCase": {}})", true));
  expect_error(receive(*c), v1::Error::MALFORMED);
  // A well-formed ClientMessage that asks nothing.
  v1::ClientMessage empty;
  expect_error(ask(*c, empty), v1::Error::MALFORMED);
  // A server's message sent by a client (a Notice: its field number is no request of ClientMessage).
  v1::ServerMessage notice;
  notice.set_request_id(8);
  notice.mutable_notice()->set_kind(v1::Notice::SHUTTING_DOWN);
  notice.mutable_notice()->set_message("bye");
  ASSERT_TRUE(c->send_frame(notice.SerializeAsString(), false));
  expect_error(receive(*c), v1::Error::MALFORMED);
  expect_alive(*c);
  EXPECT_EQ(fw_.table_counts(), before);
}

TEST_F(BadInput, RequestsBeforeLoginAreRefused) {
  start();
  const auto before = fw_.table_counts();
  auto c = connect(port());
  std::vector<v1::ClientMessage> requests(8);
  requests[0].mutable_next_case();
  requests[1] = start_request(1);
  requests[2].mutable_answer()->set_interview_id("1");
  requests[2].mutable_answer()->set_seq(1);
  requests[3].mutable_back()->set_interview_id("1");
  requests[4].mutable_suspend()->set_interview_id("1");
  requests[5].mutable_watch_status();
  requests[6].mutable_quota_action()->set_kind(v1::QuotaAction::CLOSE);
  requests[7].mutable_call_result()->set_case_id(1);
  for (const auto& r : requests) {
    SCOPED_TRACE(r.ShortDebugString());
    expect_error(ask(*c, r), v1::Error::NOT_LOGGED_IN);
  }
  EXPECT_EQ(fw_.table_counts(), before);
}

TEST_F(BadInput, AnotherInterviewersInterviewIsNotTheirs) {
  fw_.add_user("bob", "interviewer", "bob-secret-1");
  start();
  v1::Screen screen;
  auto anna = anna_at_s2(screen);
  auto bob = connect(port());
  ASSERT_TRUE(login(*bob, "bob", "bob-secret-1").has_login_ok());
  ASSERT_TRUE(ask(*bob, next_case_request()).has_case_card());  // bob holds a case of his own
  const auto before = fw_.table_counts();

  expect_error(ask(*bob, answer(screen, "4")), v1::Error::NOT_YOUR_CASE);
  expect_error(ask(*bob, back_from(screen)), v1::Error::NOT_YOUR_CASE);
  v1::ClientMessage suspend;
  suspend.mutable_suspend()->set_interview_id(screen.interview_id());
  suspend.mutable_suspend()->set_seq(screen.next_seq());
  suspend.mutable_suspend()->set_outcome(v1::BREAK_OFF);
  expect_error(ask(*bob, suspend), v1::Error::NOT_YOUR_CASE);
  auto anna_case = fw_.count("SELECT case_id FROM interviews WHERE id = " + screen.interview_id());
  expect_error(ask(*bob, start_request(anna_case)), v1::Error::NOT_YOUR_CASE);
  v1::ClientMessage call;
  call.mutable_call_result()->set_case_id(anna_case);
  call.mutable_call_result()->set_outcome(v1::REFUSAL_TARGET);
  expect_error(ask(*bob, call), v1::Error::NOT_YOUR_CASE);
  // An interview id that is no id at all.
  auto garbage = answer(screen, "4");
  garbage.mutable_answer()->set_interview_id("anna's");
  expect_error(ask(*bob, garbage), v1::Error::MALFORMED);
  EXPECT_EQ(fw_.table_counts(), before);

  // Anna goes on where she was, with the seq she had.
  auto m = step(*anna, screen, "4");
  ASSERT_TRUE(m.has_screen());
  EXPECT_EQ(m.screen().question(), "s3_sector");
}

TEST_F(BadInput, FutureAndStaleSequenceNumbersChangeNothing) {
  start();
  v1::Screen screen;
  auto c = anna_at_s2(screen);
  ASSERT_EQ(screen.next_seq(), 3U);
  const auto before = fw_.table_counts();

  // Skipping ahead: refused, the terminal must resend the missing ones first.
  expect_error(ask(*c, answer(screen, "4", 5)), v1::Error::FUTURE_SEQUENCE);
  // An old seq carrying another request than the one applied under it: refused as stale, nothing applied
  // (s1_decider keeps its answer although this one says 2).
  expect_error(ask(*c, answer(screen, "2", 2, std::string("s1_decider"))), v1::Error::STALE_SEQUENCE);
  // The same request again (a resend after a lost ack) is a repeat: acknowledged as a duplicate, and the
  // screen stays where it is.
  auto old = ask(*c, answer(screen, "1", 2, std::string("s1_decider")));
  ASSERT_TRUE(old.has_answer_ack()) << old.DebugString();
  EXPECT_TRUE(old.answer_ack().duplicate());
  auto same = receive(*c);
  ASSERT_TRUE(same.has_screen());
  EXPECT_EQ(same.screen().question(), "s2_fte");
  EXPECT_EQ(same.screen().next_seq(), 3U);
  EXPECT_EQ(fw_.table_counts(), before);
  EXPECT_EQ(fw_.count("SELECT COUNT(*) FROM answers WHERE question = 's1_decider' AND value = '1'"), 1);

  auto m = step(*c, screen, "4");
  EXPECT_EQ(m.screen().question(), "s3_sector");
}

TEST_F(BadInput, InvalidValuesAreRefusedWithTheReason) {
  start();
  v1::Screen screen;
  auto c = anna_at_s2(screen);
  const auto before = fw_.table_counts();

  auto constraint = ask(*c, answer(screen, "600"));  // the constraint: 0 to 500
  expect_error(constraint, v1::Error::INVALID_ANSWER);
  EXPECT_NE(constraint.error().message().find("0 tot 500"), std::string::npos) << constraint.error().message();
  expect_error(ask(*c, answer(screen, "twelve")), v1::Error::INVALID_ANSWER);   // not a number
  expect_error(ask(*c, answer(screen, "4.5")), v1::Error::INVALID_ANSWER);      // not a whole number
  expect_error(ask(*c, answer(screen, "99999999999999999999")), v1::Error::INVALID_ANSWER);  // out of range
  expect_error(ask(*c, answer(screen, "")), v1::Error::INVALID_ANSWER);         // required
  expect_error(ask(*c, answer(screen, "1", {}, std::string("q1_market"))), v1::Error::WRONG_QUESTION);
  EXPECT_EQ(fw_.table_counts(), before);

  // The refused answers took no seq: the right answer goes through with the same one.
  auto m = step(*c, screen, "4");
  ASSERT_TRUE(m.has_screen());
  ASSERT_EQ(m.screen().question(), "s3_sector");
  const auto at_s3 = fw_.table_counts();
  expect_error(ask(*c, answer(m.screen(), "7")), v1::Error::INVALID_ANSWER);     // not a choice
  expect_error(ask(*c, answer(m.screen(), "1 2")), v1::Error::INVALID_ANSWER);   // two for a single choice
  EXPECT_EQ(fw_.table_counts(), at_s3);
}

TEST_F(BadInput, SupervisorRequestsNeedTheSupervisorRole) {
  fw_.add_user("sara", "supervisor", "sara-secret-1");
  start();
  auto anna = connect(port());
  ASSERT_TRUE(login(*anna).has_login_ok());
  const auto before = fw_.table_counts();
  v1::ClientMessage watch;
  watch.mutable_watch_status();
  expect_error(ask(*anna, watch), v1::Error::FORBIDDEN);
  v1::ClientMessage close;
  close.mutable_quota_action()->set_kind(v1::QuotaAction::CLOSE);
  close.mutable_quota_action()->set_quota("region");
  close.mutable_quota_action()->add_values("VLA");
  expect_error(ask(*anna, close), v1::Error::FORBIDDEN);
  EXPECT_EQ(fw_.table_counts(), before);
  EXPECT_EQ(fw_.count("SELECT COUNT(*) FROM quota_cells WHERE closed = 1"), 0);

  auto sara = connect(port());
  auto ok = login(*sara, "sara", "sara-secret-1");
  ASSERT_TRUE(ok.has_login_ok());
  EXPECT_EQ(ok.login_ok().role(), "supervisor");
  auto status = ask(*sara, watch);
  ASSERT_TRUE(status.has_status()) << status.DebugString();
  EXPECT_EQ(status.status().cells_size(), 6);
  EXPECT_EQ(status.status().target(), 225);
  // A cell that does not exist: a typed error, nothing changes.
  auto nowhere = close;
  nowhere.mutable_quota_action()->set_values(0, "ATLANTIS");
  // Sara watches now: her status pushes may come before a reply.
  auto refused = ask_past_pushes(*sara, nowhere);
  ASSERT_TRUE(refused.has_error()) << refused.DebugString();
  EXPECT_EQ(fw_.table_counts(), before);
  // The supervisor may close a cell.
  auto closed = ask_past_pushes(*sara, close);
  ASSERT_TRUE(closed.has_status()) << closed.DebugString();
  EXPECT_EQ(fw_.count("SELECT closed FROM quota_cells WHERE quota = 'region' AND cell_values = 'VLA'"), 1);
}

TEST_F(BadInput, SetClockIsRefusedOnARealClock) {
  start();  // --clock from:...
  auto c = connect(port());
  ASSERT_TRUE(login(*c).has_login_ok());
  v1::ClientMessage set;
  set.mutable_set_clock()->set_now("2025-10-14T11:30:00+02:00");
  expect_error(ask(*c, set), v1::Error::NOT_ALLOWED);
}

TEST_F(BadInput, SetClockMovesAManualClock) {
  start({.clock = "manual:2025-10-13T12:30:00+02:00", .study = {}});  // lunch: outside the calling hours
  auto c = connect(port());
  auto ok = login(*c);
  ASSERT_TRUE(ok.has_login_ok());
  EXPECT_EQ(ok.login_ok().now().rfind("2025-10-13T12:30:00", 0), 0U) << ok.login_ok().now();
  auto idle = ask(*c, next_case_request());
  ASSERT_TRUE(idle.has_no_case()) << idle.DebugString();
  EXPECT_EQ(idle.no_case().reason(), v1::NoCase::OUTSIDE_CALLING_HOURS);

  v1::ClientMessage bad;
  bad.mutable_set_clock()->set_now("after lunch");
  expect_error(ask(*c, bad), v1::Error::MALFORMED);

  v1::ClientMessage set;
  set.mutable_set_clock()->set_now("2025-10-14T11:30:00+02:00");
  auto moved = ask(*c, set);
  ASSERT_TRUE(moved.has_pong()) << moved.DebugString();
  EXPECT_EQ(moved.pong().now().rfind("2025-10-14T11:30:00", 0), 0U) << moved.pong().now();
  // The study time in later replies is the new one, and stays there (only SetClock moves it).
  v1::ClientMessage ping;
  ping.mutable_ping();
  EXPECT_EQ(ask(*c, ping).pong().now().rfind("2025-10-14T11:30:00", 0), 0U);
  auto card = ask(*c, next_case_request());
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
}

// Issue 17, holes 3, 5 and 6 on the wire: values that do not fit are refused as such, never truncated or
// read leniently, and a supervisor cannot take cases or answer. None of it changes the file.
TEST_F(BadInput, WireValuesThatDoNotFitAreRefusedNotTruncatedOrGuessed) {
  fw_.add_user("sara", "supervisor", "sara-secret-1");
  start();
  v1::Screen screen;
  auto c = anna_at_s2(screen);
  const auto before = fw_.table_counts();
  // seq 2^63 has the low 32 bits of 0, 2^32 + 3 those of 3 (the next seq): both were taken before.
  for (std::uint64_t seq : {std::uint64_t{0}, std::uint64_t{1} << 63, (std::uint64_t{1} << 32) + screen.next_seq()}) {
    auto m = answer(screen, "4");
    m.mutable_answer()->set_seq(seq);
    expect_error(ask(*c, m), v1::Error::MALFORMED);
  }
  for (const char* id : {" 1", "01", "+1", "1 "}) {
    auto m = answer(screen, "4");
    m.mutable_answer()->set_interview_id(id);
    expect_error(ask(*c, m), v1::Error::MALFORMED);
  }
  v1::ClientMessage suspend;
  suspend.mutable_suspend()->set_interview_id(screen.interview_id());
  suspend.mutable_suspend()->set_seq(screen.next_seq());
  suspend.mutable_suspend()->set_outcome(static_cast<v1::Outcome>(99));
  expect_error(ask(*c, suspend), v1::Error::MALFORMED);
  auto sara = connect(port());
  ASSERT_TRUE(login(*sara, "sara", "sara-secret-1").has_login_ok());
  expect_error(ask(*sara, next_case_request()), v1::Error::FORBIDDEN);
  expect_error(ask(*sara, answer(screen, "4")), v1::Error::FORBIDDEN);
  EXPECT_EQ(fw_.table_counts(), before);

  auto m = step(*c, screen, "4");  // anna goes on with the seq she had
  ASSERT_TRUE(m.has_screen());
  EXPECT_EQ(m.screen().question(), "s3_sector");
}
