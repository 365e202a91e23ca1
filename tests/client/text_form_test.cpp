// The stable text form cati-term --script prints.
#include <gtest/gtest.h>

#include "lib/text_form.hpp"

namespace cati::client {
namespace {

TEST(ClientTextForm, Screen) {
  v1::ServerMessage m;
  auto* s = m.mutable_screen();
  s->set_interview_id("iv-1");
  s->set_question("q2_ai_use");
  s->set_type(v1::SINGLE);
  s->set_text("How often does your firm use AI?");
  s->set_position(5);
  s->set_total(15);
  s->set_language("nl");
  s->set_next_seq(4);
  s->set_can_go_back(true);
  s->set_hint("Read the choices");
  auto* c = s->add_choices();
  c->set_code(1);
  c->set_label("Daily");
  c = s->add_choices();
  c->set_code(9);
  c->set_label("Don't know");
  c->set_missing(true);
  EXPECT_EQ(to_text(m),
            "screen q2_ai_use (5/15) single: How often does your firm use AI?\n"
            "  1 Daily\n"
            "  9 Don't know (missing)\n"
            "  hint: Read the choices\n"
            "  interview=iv-1 seq=4 lang=nl back=yes");
}

TEST(ClientTextForm, CaseCard) {
  v1::ServerMessage m;
  auto* c = m.mutable_case_card();
  c->set_case_id(12);
  c->set_firm_id("F00012");
  c->set_company("Bakkerij \"De Zon\"");
  c->set_language("nl");
  c->set_attempt(1);
  c->set_max_attempts(8);
  c->set_quota_cell("region=VLA");
  c->set_number_to_dial("+3231234567");
  auto* h = c->add_history();
  h->set_at("2025-10-13T09:10:00+02:00");
  h->set_interviewer("bob");
  h->set_outcome(v1::NO_ANSWER);
  h->set_number("+3231234567");
  (*c->mutable_frame())["sector_frame"] = "retail";
  (*c->mutable_frame())["region"] = "VLA";
  EXPECT_EQ(to_text(m),
            "case 12 firm=F00012 company=\"Bakkerij \\\"De Zon\\\"\" lang=nl attempt=1/8 cell=region=VLA\n"
            "  dial +3231234567\n"
            "  history 2025-10-13T09:10:00+02:00 bob no_answer +3231234567\n"
            "  frame region=VLA sector_frame=retail");
}

TEST(ClientTextForm, ShortReplies) {
  v1::ServerMessage m;
  m.mutable_answer_ack()->set_interview_id("iv-1");
  m.mutable_answer_ack()->set_seq(3);
  EXPECT_EQ(to_text(m), "ack iv-1 seq=3 duplicate=false");

  m.Clear();
  m.mutable_interview_end()->set_interview_id("iv-1");
  m.mutable_interview_end()->set_outcome(v1::COMPLETE);
  m.mutable_interview_end()->set_aapor_code("1.1");
  EXPECT_EQ(to_text(m), "end iv-1 outcome=complete aapor=1.1 calls=0 completes=0");

  m.Clear();
  m.mutable_error()->set_code(v1::Error::INVALID_ANSWER);
  m.mutable_error()->set_message("7 is not one of the choices");
  EXPECT_EQ(to_text(m), "error INVALID_ANSWER: 7 is not one of the choices");

  m.Clear();
  m.mutable_no_case()->set_reason(v1::NoCase::OUTSIDE_CALLING_HOURS);
  m.mutable_no_case()->set_next_at("2025-10-13T09:00:00+02:00");
  EXPECT_EQ(to_text(m), "nocase OUTSIDE_CALLING_HOURS next=2025-10-13T09:00:00+02:00");

  m.Clear();
  m.mutable_notice()->set_kind(v1::Notice::SHUTTING_DOWN);
  m.mutable_notice()->set_message("back in a minute");
  EXPECT_EQ(to_text(m), "notice SHUTTING_DOWN back in a minute");

  m.Clear();
  m.mutable_call_recorded()->set_case_id(12);
  m.mutable_call_recorded()->set_outcome(v1::BUSY);
  m.mutable_call_recorded()->mutable_today()->set_calls(3);
  EXPECT_EQ(to_text(m), "recorded 12 outcome=busy calls=3 completes=0");
}

TEST(ClientTextForm, SessionEvents) {
  EXPECT_EQ(to_text(event(state_event{connection_state::offline, 2, {}, {}})), "state offline (2 answers waiting)");
  EXPECT_EQ(to_text(event(state_event{connection_state::offline, 1, {}, {}})), "state offline (1 answer waiting)");
  EXPECT_EQ(to_text(event(state_event{connection_state::online, 0, {}, {}})), "state online");
  EXPECT_EQ(to_text(event(queued_event{5, request_kind::answer, "iv-1", 4, "q4", false})), "queued iv-1 seq=4 answer");
  EXPECT_EQ(to_text(event(failed_event{5, request_kind::next_case, error{errc::timeout, "no reply"}, {}, 0})),
            "error TIMEOUT: no reply");
  EXPECT_EQ(to_text(event(failed_event{5, request_kind::answer, error{errc::dropped, "why"}, "iv-1", 5})),
            "dropped iv-1 seq=5: why");
}

TEST(ClientTextForm, OutcomeNames) {
  EXPECT_EQ(outcome_name(v1::REFUSAL_TARGET), "refusal_target");
  EXPECT_EQ(outcome_from_name("answering_machine"), v1::ANSWERING_MACHINE);
  EXPECT_EQ(outcome_from_name("BUSY"), v1::BUSY);
  EXPECT_FALSE(outcome_from_name("outcome_unspecified"));
  EXPECT_FALSE(outcome_from_name("sunny"));
}

}  // namespace
}  // namespace cati::client
