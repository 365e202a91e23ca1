// Builds the events a session would deliver (LoginOk, CaseCard, Screen, ...) for the view-model tests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "term/view/term_model.hpp"
#include "term/view/term_render.hpp"

namespace cati::term::testing {

using client::request_kind;
using steady = std::chrono::steady_clock;

inline client::event message(v1::ServerMessage m, request_kind kind, bool settles = true) {
  return client::message_event{std::move(m), kind, settles};
}

inline client::event login_ok() {
  v1::ServerMessage m;
  auto* l = m.mutable_login_ok();
  l->set_user("anna");
  l->set_role("interviewer");
  l->set_study_id("ai_barometer_2025");
  l->set_study_title("AI barometer 2025");
  l->set_now("2025-10-13T09:00:00+02:00");
  l->set_time_zone("Europe/Brussels");
  for (const char* lang : {"nl", "fr", "en"}) l->add_study_languages(lang);
  l->mutable_today()->set_calls(2);
  l->mutable_today()->set_completes(1);
  return message(std::move(m), request_kind::login);
}

inline v1::CaseCard case_card(std::int64_t id) {
  v1::CaseCard c;
  c.set_case_id(id);
  c.set_firm_id("F" + std::to_string(id));
  c.set_company("Bakkerij Peeters");
  c.set_contact_name("An Peeters");
  c.set_language("nl");
  c.add_numbers("+3231234567");
  c.add_numbers("+3231234568");
  c.set_number_to_dial("+3231234567");
  c.set_attempt(2);
  c.set_max_attempts(8);
  c.set_quota_cell("region=VLA");
  auto* h = c.add_history();
  h->set_at("2025-10-13T07:05:00Z");
  h->set_interviewer("ben");
  h->set_outcome(v1::BUSY);
  h->set_number("+3231234567");
  return c;
}

inline client::event card_event(std::int64_t id, request_kind kind = request_kind::next_case) {
  v1::ServerMessage m;
  *m.mutable_case_card() = case_card(id);
  return message(std::move(m), kind);
}

inline v1::Screen screen(std::string question, v1::QuestionType type, int position, std::uint32_t seq) {
  v1::Screen s;
  s.set_interview_id("iv-1");
  s.set_question(std::move(question));
  s.set_type(type);
  s.set_text("How often does your firm use AI?");
  s.set_hint("Read the choices out");
  for (int code : {1, 2, 3, 9}) {
    auto* c = s.add_choices();
    c->set_code(code);
    c->set_label(code == 9 ? "Don't know" : "Choice " + std::to_string(code));
    c->set_missing(code == 9);
  }
  s.set_position(position);
  s.set_total(15);
  s.set_language("nl");
  s.set_next_seq(seq);
  s.set_can_go_back(position > 1);
  return s;
}

inline client::event screen_event(v1::Screen s, request_kind kind, bool settles = true) {
  v1::ServerMessage m;
  *m.mutable_screen() = std::move(s);
  return message(std::move(m), kind, settles);
}

inline client::event error_event(v1::Error::Code code, std::string text, request_kind kind) {
  v1::ServerMessage m;
  m.mutable_error()->set_code(code);
  m.mutable_error()->set_message(std::move(text));
  return message(std::move(m), kind);
}

inline key typed(char32_t c) { return key::character(c); }
inline key enter() { return key::of(key::kind::enter); }

class term_view_test : public ::testing::Test {
 protected:
  void feed(const client::event& e) { model_.on_event(e, t0_); }
  std::optional<action> press(const key& k) { return model_.on_key(k, t0_); }
  std::optional<action> type(const std::string& text) {
    std::optional<action> last;
    for (char c : text) last = press(typed(static_cast<char32_t>(c)));
    return last;
  }
  std::string screen_text(int width = 80, int height = 24) const { return render(model_, width, height, t0_).text(); }
  // Logged in, online, holding case 12.
  void hold_case() {
    feed(client::state_event{client::connection_state::online, 0, {}, {}});
    feed(login_ok());
    feed(card_event(12));
  }
  // ... and in the interview, on q2 (2/15).
  void in_interview() {
    hold_case();
    ASSERT_TRUE(press(enter()));
    feed(screen_event(screen("q2_ai_use", v1::SINGLE, 2, 2), request_kind::start_interview));
  }

  steady::time_point t0_ = steady::now();
  term_model model_{"anna"};
};

}  // namespace cati::term::testing
