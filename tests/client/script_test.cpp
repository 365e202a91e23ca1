// Parsing cati-term script lines.
#include <gtest/gtest.h>

#include "lib/script.hpp"

namespace cati::client {
namespace {

script_action parse(std::string_view line) {
  auto r = parse_script_line(line, 1);
  EXPECT_TRUE(r.has_value()) << line << ": " << (r ? "" : r.error().message);
  EXPECT_TRUE(r && *r) << line;
  return r && *r ? **r : script_action{};
}

std::string parse_error(std::string_view line) {
  auto r = parse_script_line(line, 7);
  EXPECT_FALSE(r.has_value()) << line;
  return r ? "" : r.error().message;
}

TEST(ClientScript, BlankAndCommentLinesAreSkipped) {
  for (const char* line : {"", "   ", "# a comment", "  # indented", "\r"}) {
    auto r = parse_script_line(line, 1);
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(*r) << line;
  }
}

TEST(ClientScript, LoginWithAndWithoutCredentials) {
  auto a = parse("login anna s3cret with spaces");
  EXPECT_EQ(a.verb, script_verb::login);
  EXPECT_EQ(a.user, "anna");
  EXPECT_EQ(a.password, "s3cret with spaces");
  a = parse("login anna");
  EXPECT_FALSE(a.password);
  a = parse("login");
  EXPECT_EQ(a.user, "");
}

TEST(ClientScript, OutcomeWithOptions) {
  auto a = parse("outcome appointment appointment=2025-10-14T10:00:00+02:00 personal number=+3231 note=call Jan back, after 10");
  EXPECT_EQ(a.verb, script_verb::outcome);
  EXPECT_EQ(a.call.outcome, v1::APPOINTMENT);
  EXPECT_EQ(a.call.appointment_at, "2025-10-14T10:00:00+02:00");
  EXPECT_TRUE(a.call.personal_appointment);
  EXPECT_EQ(a.call.number, "+3231");
  EXPECT_EQ(a.call.note, "call Jan back, after 10");
  EXPECT_FALSE(a.call.case_id);  // the held case
  EXPECT_EQ(parse("outcome refusal_receptionist").call.outcome, v1::REFUSAL_RECEPTIONIST);
  EXPECT_EQ(parse("outcome no_answer").call.outcome, v1::NO_ANSWER);
}

TEST(ClientScript, AnswerKeepsTheRestOfTheLine) {
  EXPECT_EQ(parse("answer 2").text, "2");
  EXPECT_EQ(parse("answer 1 3  5").text, "1 3  5");
  EXPECT_EQ(parse("answer   we use it for invoices  \r").text, "we use it for invoices");
  EXPECT_EQ(parse("answer").text, "");
}

TEST(ClientScript, InterviewActions) {
  EXPECT_EQ(parse("start").text, "");
  EXPECT_EQ(parse("start fr").text, "fr");
  EXPECT_EQ(parse("back").verb, script_verb::back);
  EXPECT_EQ(parse("lang en").text, "en");
  auto s = parse("suspend appointment appointment=2025-10-14T10:00:00+02:00 note=after lunch");
  EXPECT_EQ(s.pause.outcome, v1::APPOINTMENT);
  EXPECT_EQ(s.pause.appointment_at, "2025-10-14T10:00:00+02:00");
  EXPECT_EQ(s.pause.note, "after lunch");
  EXPECT_EQ(parse("suspend break_off").pause.outcome, v1::BREAK_OFF);
}

TEST(ClientScript, QuotaActions) {
  auto q = parse("quota close region BRU");
  EXPECT_EQ(q.quota.kind, v1::QuotaAction::CLOSE);
  EXPECT_EQ(q.quota.quota, "region");
  EXPECT_EQ(q.quota.values, (std::vector<std::string>{"BRU"}));
  q = parse("quota target region_sector VLA retail 12");
  EXPECT_EQ(q.quota.kind, v1::QuotaAction::SET_TARGET);
  EXPECT_EQ(q.quota.values, (std::vector<std::string>{"VLA", "retail"}));
  EXPECT_EQ(q.quota.target, 12);
  EXPECT_EQ(parse("quota reopen region BRU").quota.kind, v1::QuotaAction::REOPEN);
}

TEST(ClientScript, ControlActions) {
  EXPECT_EQ(parse("sleep 250").duration, std::chrono::milliseconds(250));
  EXPECT_EQ(parse("wait-online").verb, script_verb::wait_online);
  EXPECT_EQ(parse("expect screen q2 (2/4)").text, "screen q2 (2/4)");
  EXPECT_EQ(parse("watch").verb, script_verb::watch);
  EXPECT_EQ(parse("ping").verb, script_verb::ping);
  EXPECT_EQ(parse("clock 2025-10-13T10:00:00+02:00").text, "2025-10-13T10:00:00+02:00");
  EXPECT_EQ(parse("logout").verb, script_verb::logout);
  EXPECT_EQ(parse("quit").verb, script_verb::quit);
  EXPECT_EQ(parse("next").verb, script_verb::next);
}

TEST(ClientScript, ErrorsSayWhichLineAndWhat) {
  EXPECT_EQ(parse_error("jump"), "line 7: unknown action 'jump'");
  EXPECT_EQ(parse_error("outcome sunny"), "line 7: unknown outcome 'sunny'");
  EXPECT_NE(parse_error("outcome").find("expected an outcome"), std::string::npos);
  EXPECT_NE(parse_error("outcome busy soon").find("unexpected 'soon'"), std::string::npos);
  EXPECT_NE(parse_error("sleep soon").find("milliseconds"), std::string::npos);
  EXPECT_NE(parse_error("next please").find("takes no arguments"), std::string::npos);
  EXPECT_NE(parse_error("quota open region BRU").find("close, reopen or target"), std::string::npos);
  EXPECT_NE(parse_error("quota target region BRU").find("the last word"), std::string::npos);
  EXPECT_NE(parse_error("quota close region").find("quota name and the cell"), std::string::npos);
  EXPECT_NE(parse_error("lang").find("needs a language"), std::string::npos);
  EXPECT_NE(parse_error("expect").find("text to look for"), std::string::npos);
  EXPECT_NE(parse_error("suspend break_off number=1").find("unexpected"), std::string::npos);
}

}  // namespace
}  // namespace cati::client
