// The full screen's view model: what each screen shows and what each key does, without ncurses.
#include <gtest/gtest.h>

#include "term_view_fixture.hpp"
#include "term/view/line_editor.hpp"
#include "term/view/study_time.hpp"

namespace cati::term::testing {
namespace {

using TermModel = term_view_test;

// The action a key gave, by value (the optional it came in is a temporary); a default T when it is not one.
template <class T>
T as(const std::optional<action>& a) {
  EXPECT_TRUE(a.has_value());
  if (!a || !std::holds_alternative<T>(*a)) {
    ADD_FAILURE() << "not the expected action";
    return T{};
  }
  return std::get<T>(*a);
}

client::event recorded(std::int64_t id, v1::Outcome o, int calls) {
  v1::ServerMessage m;
  m.mutable_call_recorded()->set_case_id(id);
  m.mutable_call_recorded()->set_outcome(o);
  m.mutable_call_recorded()->mutable_today()->set_calls(calls);
  return message(std::move(m), request_kind::call_result);
}

TEST_F(TermModel, CaseScreenShowsTheCardAndABusyOutcomeIsRecorded) {
  hold_case();
  const std::string text = screen_text();
  for (const char* part : {"Case 12  F12  Bakkerij Peeters", "attempt 2 of 8", "An Peeters", "+3231234567",
                           "other: +3231234568 (Tab)", "region=VLA", "2025-10-13 09:05  ben", "b busy", "t refusal target",
                           "online", "calls 2  completes 1", "Mon 13 Oct 09:00"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;

  const auto call = as<act::record_call>(press(typed(U'b')));
  EXPECT_EQ(call.report.outcome, v1::BUSY);
  EXPECT_EQ(call.report.number, "+3231234567");
  EXPECT_TRUE(model_.waiting());
  EXPECT_FALSE(press(typed(U'a'))) << "one request at a time";
  feed(recorded(12, v1::BUSY, 3));
  EXPECT_FALSE(model_.waiting());
  EXPECT_FALSE(model_.card());
  EXPECT_NE(screen_text().find("case 12: busy recorded"), std::string::npos) << screen_text();
  EXPECT_NE(screen_text().find("calls 3"), std::string::npos);
  as<act::next_case>(press(typed(U'n')));
}

TEST_F(TermModel, TabDialsTheOtherNumberAndNextCaseWaitsForAnOutcome) {
  hold_case();
  EXPECT_FALSE(press(key::of(key::kind::tab)));
  EXPECT_EQ(model_.dial(), "+3231234568");
  EXPECT_FALSE(press(typed(U'n')));
  EXPECT_NE(model_.message().text.find("code the call on case 12 first"), std::string::npos);
  EXPECT_EQ(as<act::record_call>(press(typed(U'a'))).report.number, "+3231234568");
}

TEST_F(TermModel, OutcomesThatCloseTheCaseAreConfirmed) {
  hold_case();
  EXPECT_FALSE(press(typed(U't')));
  ASSERT_TRUE(model_.open_prompt());
  EXPECT_NE(screen_text().find("Record 'refusal (target person)' for case 12? It closes the case. y/n"), std::string::npos)
      << screen_text();
  EXPECT_FALSE(press(typed(U'n')));
  EXPECT_FALSE(model_.open_prompt());
  EXPECT_FALSE(press(typed(U't')));
  EXPECT_EQ(as<act::record_call>(press(typed(U'y'))).report.outcome, v1::REFUSAL_TARGET);
}

TEST_F(TermModel, AppointmentEntryIsCheckedHereAndByTheServer) {
  hold_case();
  EXPECT_FALSE(press(typed(U'p')));
  ASSERT_TRUE(model_.open_prompt());
  type("25:00");
  EXPECT_FALSE(press(enter()));
  EXPECT_NE(model_.open_prompt()->problem.find("not a real time"), std::string::npos);
  press(key::of(key::kind::kill_line));
  type("08:30");
  EXPECT_FALSE(press(enter()));
  EXPECT_NE(model_.open_prompt()->problem.find("2025-10-13 08:30 is not in the future"), std::string::npos)
      << model_.open_prompt()->problem;
  press(key::of(key::kind::kill_line));
  type("12:30");
  const auto call = as<act::record_call>(press(enter()));
  EXPECT_EQ(call.report.outcome, v1::APPOINTMENT);
  EXPECT_EQ(call.report.appointment_at, "2025-10-13T12:30:00+02:00");
  // The server checks the calling hours: its refusal keeps the entry open, with its message.
  feed(error_event(v1::Error::INVALID_REQUEST, "12:30 is outside the calling hours (09:00-12:00, 13:30-17:30)",
                   request_kind::call_result));
  ASSERT_TRUE(model_.open_prompt());
  EXPECT_EQ(model_.open_prompt()->entry.text(), "12:30");
  EXPECT_NE(screen_text().find("> 12:30\n ! 12:30 is outside the calling hours"), std::string::npos) << screen_text();
  press(key::of(key::kind::kill_line));
  type("15/10 14:00");
  EXPECT_EQ(as<act::record_call>(press(enter())).report.appointment_at, "2025-10-15T14:00:00+02:00");
  feed(recorded(12, v1::APPOINTMENT, 3));
  EXPECT_FALSE(model_.open_prompt());
  // The confirmation repeats the date and time taken.
  EXPECT_NE(model_.message().text.find("case 12: appointment (date/time) on 2025-10-15 14:00 recorded"), std::string::npos)
      << model_.message().text;
}

TEST_F(TermModel, AppointmentTimesTakeTheZonesOffsetOnTheirDay) {
  study_clock clock;
  clock.set_zone("Europe/Brussels");
  const auto here = steady::now();
  clock.sync("2025-10-13T09:00:00+02:00", here);
  EXPECT_EQ(clock.appointment("2025-10-27 10:00", here).value(), "2025-10-27T10:00:00+01:00");  // after DST ends
  EXPECT_EQ(clock.appointment("9:30", here).value(), "2025-10-13T09:30:00+02:00");
  EXPECT_FALSE(clock.appointment("31/02 10:00", here));
  EXPECT_FALSE(clock.appointment("tomorrow", here));
  EXPECT_EQ(clock.show(here + std::chrono::minutes(14)), "Mon 13 Oct 09:14");
}

TEST_F(TermModel, InterviewScreenShowsTheQuestionAndChecksTheCodes) {
  in_interview();
  const std::string text = screen_text();
  for (const char* part : {"q2_ai_use", "question 2 of 15  [nl]", "How often does your firm use AI?",
                           "Interviewer: Read the choices out", "    1  Choice 1", "    9  Don't know", "> ",
                           "(type one code, Enter)", "progress [####", "2/15", "PgUp back", "F6 break-off"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;

  type("7");
  EXPECT_FALSE(press(enter()));
  EXPECT_NE(screen_text().find("! '7' is not one of the codes (1, 2, 3 or 9)"), std::string::npos) << screen_text();
  press(key::of(key::kind::backspace));
  type("2");
  const auto a = as<act::answer>(press(enter()));
  EXPECT_EQ(a.value, "2");
  EXPECT_EQ(a.question, "q2_ai_use");
  EXPECT_TRUE(model_.input().empty());
  // The server's refusal (a constraint) brings the answer back, with its message under it.
  feed(error_event(v1::Error::INVALID_ANSWER, "at most 500", request_kind::answer));
  EXPECT_EQ(model_.input().text(), "2");
  EXPECT_NE(screen_text().find("! at most 500"), std::string::npos);
}

TEST_F(TermModel, MultipleChoiceTakesSeveralCodes) {
  in_interview();
  feed(screen_event(screen("q3_ai_areas", v1::MULTIPLE, 3, 3), request_kind::answer));
  type("1  3");
  EXPECT_EQ(as<act::answer>(press(enter())).value, "1 3");
  feed(screen_event(screen("q4_ai_tasks", v1::MULTIPLE, 4, 4), request_kind::answer));
  type("1 1");
  EXPECT_FALSE(press(enter()));
  EXPECT_EQ(model_.answer_problem(), "code 1 is given twice");
}

TEST_F(TermModel, PageUpGoesBackAndShowsTheEarlierAnswer) {
  in_interview();
  as<act::back>(press(key::of(key::kind::page_up)));
  auto first = screen("s1_decider", v1::SINGLE, 1, 3);
  first.set_current_answer("1");
  feed(screen_event(first, request_kind::back));
  EXPECT_EQ(model_.input().text(), "1");
  EXPECT_FALSE(press(key::of(key::kind::page_up)));
  EXPECT_NE(model_.answer_problem().find("first question"), std::string::npos);
}

TEST_F(TermModel, OfflineAnswersAreKeptAndTheNextQuestionFollowsTheReconnect) {
  in_interview();
  feed(client::state_event{client::connection_state::offline, 0, {}, std::chrono::milliseconds(100)});
  type("2");
  as<act::answer>(press(enter()));
  feed(client::queued_event{7, request_kind::answer, "iv-1", 2, "q2_ai_use", false});
  feed(client::state_event{client::connection_state::offline, 1, {}, {}});
  feed(client::state_event{client::connection_state::connecting, 1, {}, {}});
  std::string text = screen_text();
  EXPECT_NE(text.find("offline, 1 answer waiting"), std::string::npos) << text;
  EXPECT_NE(text.find("answer saved on this terminal"), std::string::npos) << text;
  type("1");  // typing ahead is kept
  EXPECT_FALSE(press(enter()));
  // Back: the resume shows where the server was; the resent answer then moves it on.
  feed(client::state_event{client::connection_state::online, 1, {}, {}});
  feed(screen_event(screen("q2_ai_use", v1::SINGLE, 2, 2), request_kind::resume, false));
  EXPECT_TRUE(model_.waiting());
  feed(screen_event(screen("q5_potential", v1::SINGLE, 5, 3), request_kind::answer));
  EXPECT_FALSE(model_.waiting());
  EXPECT_EQ(model_.input().text(), "1");
  text = screen_text();
  EXPECT_NE(text.find("q5_potential"), std::string::npos);
  EXPECT_NE(text.find(" online"), std::string::npos);
}

TEST_F(TermModel, LanguageAndSuspendKeysMidInterview) {
  in_interview();
  EXPECT_EQ(as<act::set_language>(press(key::fn(2))).language, "fr");
  auto fr = screen("q2_ai_use", v1::SINGLE, 2, 2);
  fr.set_language("fr");
  feed(screen_event(fr, request_kind::set_language));
  EXPECT_NE(screen_text().find("[fr]"), std::string::npos);

  EXPECT_FALSE(press(key::fn(6)));
  EXPECT_NE(screen_text().find("Stop the interview: break-off? y/n"), std::string::npos);
  EXPECT_EQ(as<act::suspend>(press(typed(U'y'))).report.outcome, v1::BREAK_OFF);
  feed(error_event(v1::Error::NOT_YOUR_CASE, "lost the case", request_kind::suspend));

  EXPECT_FALSE(press(key::fn(5)));
  type("10:00");
  const auto s = as<act::suspend>(press(enter()));
  EXPECT_EQ(s.report.outcome, v1::APPOINTMENT);
  EXPECT_EQ(s.report.appointment_at, "2025-10-13T10:00:00+02:00");
}

TEST_F(TermModel, TheEndOfTheInterviewReturnsToTheCaseScreen) {
  in_interview();
  v1::ServerMessage m;
  auto* e = m.mutable_interview_end();
  e->set_interview_id("iv-1");
  e->set_case_id(12);
  e->set_outcome(v1::COMPLETE);
  e->set_aapor_code("1.1");
  e->mutable_today()->set_calls(3);
  e->mutable_today()->set_completes(2);
  feed(message(std::move(m), request_kind::answer));
  EXPECT_FALSE(model_.in_interview());
  EXPECT_FALSE(model_.card());
  const std::string text = screen_text();
  EXPECT_NE(text.find("interview ended: complete (AAPOR 1.1)"), std::string::npos) << text;
  EXPECT_NE(text.find("calls 3  completes 2"), std::string::npos) << text;
  EXPECT_NE(text.find("No case held"), std::string::npos) << text;
}

TEST_F(TermModel, TypedInputSurvivesResizeAndRedrawsFitTheTerminal) {
  in_interview();
  type("1 2");
  press(key::of(key::kind::resize));
  EXPECT_EQ(model_.input().text(), "1 2");
  for (auto [w, h] : {std::pair{80, 24}, std::pair{120, 40}, std::pair{60, 16}}) {
    const frame f = render(model_, w, h, t0_);
    ASSERT_EQ(static_cast<int>(f.rows.size()), h);
    for (const auto& r : f.rows) {
      std::size_t cols = 0;
      for (const auto& s : r.spans) cols += columns(s.text);
      EXPECT_LE(cols, static_cast<std::size_t>(w));
    }
    EXPECT_NE(f.text().find("> 1 2"), std::string::npos) << f.text();
    ASSERT_TRUE(f.cursor);
    EXPECT_EQ(f.cursor->col, 6);
    EXPECT_NE(f.text().find("online"), std::string::npos) << "the status bar is always there";
  }
}

TEST_F(TermModel, HelpListsEveryKey) {
  hold_case();
  EXPECT_FALSE(press(typed(U'?')));
  const std::string text = screen_text();
  for (const char* part : {"n next case", "b busy", "M machine, message left", "PgUp back one question",
                           "F5 appointment", "F6 break-off*", "F8 refusal*", "nl/fr/en", "Ctrl-U clear"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  press(typed(U'x'));
  EXPECT_FALSE(model_.help());
  EXPECT_TRUE(model_.card()) << "closing the help does nothing else";
}

TEST(TermLineEditor, EditsUtf8TextByCodePoint) {
  line_editor e;
  for (char32_t c : {U'c', U'a', U'f', U'\u00e9'}) e.edit(key::character(c));
  EXPECT_EQ(e.text(), "caf\xc3\xa9");
  e.edit(key::of(key::kind::left));
  e.edit(key::of(key::kind::backspace));
  EXPECT_EQ(e.text(), "ca\xc3\xa9");
  EXPECT_EQ(e.cursor(), 2U);
  e.edit(key::of(key::kind::home));
  e.edit(key::of(key::kind::del));
  EXPECT_EQ(e.text(), "a\xc3\xa9");
  EXPECT_FALSE(e.edit(key::fn(2)));
}

TEST(TermTextLayout, WrapsOnWordsAndCutsLongWords) {
  EXPECT_EQ(wrap("one two three", 7), (std::vector<std::string>{"one two", "three"}));
  EXPECT_EQ(wrap("abcdefghij", 4), (std::vector<std::string>{"abcd", "efgh", "ij"}));
  EXPECT_EQ(wrap("a\nb", 10), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(columns("\xc3\xa9t\xc3\xa9"), 3U);
  EXPECT_EQ(clip("\xc3\xa9t\xc3\xa9", 2), "\xc3\xa9t");
}

// ---------------------------------------------------------------------------------------------------
// Issue 15: what a new interviewer trips over.

// The rows of a frame as one line of words: a wrapped text reads whole again.
std::string flat(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

void expect_rows_fit(const frame& f, int width) {
  for (const auto& r : f.rows) {
    std::size_t cols = 0;
    for (const auto& sp : r.spans) cols += columns(sp.text);
    EXPECT_LE(cols, static_cast<std::size_t>(width)) << f.text();
  }
}

client::event interview_end(v1::Outcome outcome, std::string code, std::string text) {
  v1::ServerMessage m;
  auto* e = m.mutable_interview_end();
  e->set_interview_id("iv-1");
  e->set_case_id(12);
  e->set_outcome(outcome);
  e->set_aapor_code(std::move(code));
  e->set_message(std::move(text));
  return message(std::move(m), request_kind::answer);
}

const std::string wrong_person_fr =
    "Merci. Je rappellerai donc pour parler au gérant ou à la personne qui dirige l'entreprise. Quand "
    "puis-je la joindre le plus facilement ? [Si possible, fixez un rendez-vous avec la bonne personne.]";

TEST_F(TermModel, ScreenOutTextsAreWrappedNeverCut) {
  in_interview();
  const std::string too_big =
      "Merci beaucoup. Votre entreprise compte plus de 20 ETP et ne fait donc pas partie de cette enquête "
      "sur les petites entreprises. Je vous souhaite une excellente journée.";
  feed(interview_end(v1::NOT_ELIGIBLE, "4.70", too_big));
  for (auto [w, h] : {std::pair{80, 24}, std::pair{100, 30}, std::pair{200, 30}, std::pair{60, 16}}) {
    const frame f = render(model_, w, h, t0_);
    expect_rows_fit(f, w);
    EXPECT_NE(flat(f.text()).find(too_big), std::string::npos) << w << "x" << h << "\n" << f.text();
  }
}

TEST_F(TermModel, WrongPersonScreenOutKeepsTheCaseAndTakesAnAppointment) {
  in_interview();
  feed(interview_end(v1::CALLBACK, "2.21", wrong_person_fr));
  EXPECT_FALSE(model_.in_interview());
  ASSERT_TRUE(model_.card()) << "the case stays with the interviewer";
  ASSERT_TRUE(model_.open_prompt());
  EXPECT_EQ(model_.open_prompt()->what, prompt::kind::appointment);
  const frame f = render(model_, 80, 24, t0_);
  expect_rows_fit(f, 80);
  EXPECT_NE(flat(f.text()).find(wrong_person_fr), std::string::npos) << f.text();
  EXPECT_NE(f.text().find("Appointment with the right person"), std::string::npos) << f.text();
  type("15/10 10:00");
  const auto call = as<act::record_call>(press(enter()));
  EXPECT_EQ(call.report.outcome, v1::APPOINTMENT);
  EXPECT_EQ(call.report.appointment_at, "2025-10-15T10:00:00+02:00");
  feed(recorded(12, v1::APPOINTMENT, 3));
  EXPECT_FALSE(model_.card());
  EXPECT_NE(model_.message().text.find("on 2025-10-15 10:00 recorded"), std::string::npos) << model_.message().text;
}

TEST_F(TermModel, WrongPersonWithoutAnAppointmentGivesTheCaseBack) {
  in_interview();
  feed(interview_end(v1::CALLBACK, "2.21", wrong_person_fr));
  ASSERT_TRUE(model_.open_prompt());
  press(key::of(key::kind::escape));
  EXPECT_FALSE(model_.open_prompt());
  EXPECT_FALSE(model_.card());
  EXPECT_NE(model_.message().text.find("case 12 comes back as a call-back. n: next case"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<act::next_case>(*press(typed(U'n'))));
}

TEST_F(TermModel, LongOpenAnswerKeepsTheEndBeingTypedInView) {
  in_interview();
  v1::Screen open = screen("q12_other", v1::FREE_TEXT, 12, 3);
  open.clear_choices();
  feed(screen_event(open, request_kind::answer));
  std::string typed_text;
  for (int i = 0; i < 14; ++i) typed_text += "word" + std::to_string(i) + " ";
  typed_text += "THE-END";
  type(typed_text);
  for (auto [w, h] : {std::pair{80, 24}, std::pair{100, 30}}) {
    const frame f = render(model_, w, h, t0_);
    expect_rows_fit(f, w);
    EXPECT_NE(f.text().find("THE-END"), std::string::npos) << f.text();
    EXPECT_NE(f.text().find("> <"), std::string::npos) << "the hidden start is marked\n" << f.text();
    ASSERT_TRUE(f.cursor);
    EXPECT_LT(f.cursor->col, w);
  }
  // The key hints keep their two-space gaps and fit one row at 80 columns.
  EXPECT_NE(screen_text().find("\n Enter answer  PgUp back  F2 lang"), std::string::npos) << screen_text();
  EXPECT_NE(screen_text().find("F1 help\n"), std::string::npos) << screen_text();
  press(key::of(key::kind::home));  // back at the start: the start shows
  const frame f = render(model_, 80, 24, t0_);
  EXPECT_NE(f.text().find("> word0 word1"), std::string::npos) << f.text();
  EXPECT_EQ(f.cursor->col, 3);
}

TEST_F(TermModel, ServerAppointmentRefusalsWrapToTheWidth) {
  hold_case();
  press(typed(U'p'));
  type("18/10 10:00");
  ASSERT_TRUE(press(enter()));
  const std::string why = "Sat 18 Oct 10:00: no calls on Saturdays; the next calling time is Mon 20 Oct 09:00";
  feed(error_event(v1::Error::INVALID_REQUEST, why, request_kind::call_result));
  const frame f = render(model_, 80, 24, t0_);
  expect_rows_fit(f, 80);
  EXPECT_NE(flat(f.text()).find("! " + why), std::string::npos) << f.text();
}

TEST_F(TermModel, StaleMessagesAreClearedWhenNoLongerTrue) {
  // A refused password, then the good one: the refusal is not left on screen.
  feed(client::state_event{client::connection_state::online, 0, {}, {}});
  feed(error_event(v1::Error::BAD_CREDENTIALS, "unknown user or wrong password", request_kind::login));
  EXPECT_EQ(model_.message().text, "unknown user or wrong password");
  feed(login_ok());
  EXPECT_EQ(model_.message().text, "");
  // Offline notices go once the terminal is back online.
  feed(card_event(12));
  feed(client::state_event{client::connection_state::offline, 0, {}, {}});
  v1::ServerMessage bye;
  bye.mutable_notice()->set_kind(v1::Notice::SHUTTING_DOWN);
  bye.mutable_notice()->set_message("the server is shutting down");
  feed(message(std::move(bye), request_kind::none, false));
  EXPECT_EQ(model_.message().text, "the server is shutting down");
  feed(client::state_event{client::connection_state::online, 0, {}, {}});
  EXPECT_EQ(model_.message().text, "") << "online again: the shutdown is over";
  // Tab says the number now to dial, not the one before.
  press(key::of(key::kind::tab));
  EXPECT_EQ(model_.message().text, "case 12: dial +3231234568");
  EXPECT_EQ(screen_text().find("dial +3231234567\n"), std::string::npos) << screen_text();
  // A message about the last question goes with it.
  ASSERT_TRUE(press(enter()));
  feed(screen_event(screen("q2_ai_use", v1::SINGLE, 2, 2), request_kind::start_interview));
  feed(client::queued_event{1, request_kind::answer, "iv-1", 2, "q2_ai_use", false});
  EXPECT_NE(model_.message().text.find("offline"), std::string::npos);
  feed(screen_event(screen("q3_ai_areas", v1::MULTIPLE, 3, 3), request_kind::answer));
  EXPECT_EQ(model_.message().text, "");
}

TEST_F(TermModel, CommasSeparateCodesToo) {
  in_interview();
  type("1,2");
  EXPECT_FALSE(press(enter()));
  EXPECT_EQ(model_.answer_problem(), "only one answer here: type one code (1, 2, 3 or 9)");
  feed(screen_event(screen("q3_ai_areas", v1::MULTIPLE, 3, 3), request_kind::answer));
  press(key::of(key::kind::kill_line));
  type("2,3");
  EXPECT_EQ(as<act::answer>(press(enter())).value, "2 3");
}

TEST_F(TermModel, CtrlCAsksBeforeQuittingAndSaysHowLongTheCaseStaysLocked) {
  feed(client::state_event{client::connection_state::online, 0, {}, {}});
  auto login = login_ok();
  std::get<client::message_event>(login).message.mutable_login_ok()->set_case_lock_minutes(30);
  feed(login);
  feed(card_event(12));
  ASSERT_TRUE(press(enter()));
  feed(screen_event(screen("q2_ai_use", v1::SINGLE, 2, 2), request_kind::start_interview));
  const key ctrl_c = key::of(key::kind::interrupt);
  EXPECT_FALSE(press(ctrl_c));
  ASSERT_TRUE(model_.open_prompt());
  EXPECT_NE(model_.open_prompt()->question.find("case 12 stays locked to you for 30 minutes"), std::string::npos)
      << model_.open_prompt()->question;
  EXPECT_FALSE(model_.quitting());
  press(typed(U'n'));
  EXPECT_FALSE(model_.quitting());
  EXPECT_TRUE(model_.in_interview());
  press(ctrl_c);
  EXPECT_TRUE(std::holds_alternative<act::quit>(*press(ctrl_c))) << "a second Ctrl-C says yes";
  EXPECT_TRUE(model_.quitting());
}

TEST(TermTextLayout, ScrolledInputKeepsTheCursorInView) {
  const input_view short_one = scroll_input("abc", 3, 10);
  EXPECT_EQ(short_one.text, "abc");
  EXPECT_EQ(short_one.cursor, 3);
  const input_view long_one = scroll_input("abcdefghijklmnop", 16, 10);
  EXPECT_EQ(long_one.text, "<ijklmnop");
  EXPECT_EQ(long_one.cursor, 9);
  EXPECT_LE(columns(long_one.text), 10U);
  const input_view start = scroll_input("abcdefghijklmnop", 0, 10);
  EXPECT_EQ(start.text, "abcdefghij");
  EXPECT_EQ(start.cursor, 0);
}

}  // namespace
}  // namespace cati::term::testing
