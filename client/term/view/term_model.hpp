// The interviewer's terminal as data: what the session reported (connection, counters, the held case,
// the question on screen) and what the interviewer is doing (typed input, an open prompt, the help
// screen). Keys go in, actions for the session come out; term_render draws it. No ncurses and no I/O
// here, so every screen and key can be tested on its own (tests/client/term_model_test.cpp).
//
// Rules the model keeps
// - Typed text lives here, never only on the screen: a redraw, a resize, a reconnect or a pushed screen
//   for the same question keep it. Enter sends the answer and clears the line; if the server refuses it,
//   the text comes back (unless something was typed since) with the message under it.
// - One request at a time from the keyboard: while an answer (or call outcome, ...) is unsettled, Enter
//   and the action keys wait (typing goes on). Offline, an answer is kept in the session's journal; the
//   next question comes from the server when it is back (the server routes), so the screen says the
//   answer is saved and waiting.
// - Outcomes that close a case, break-off and refusals ask for a confirmation (y); an appointment asks
//   for a date and time, checked here for form and against the study's clock, and by the server against
//   the calling hours: a refusal keeps the entry open with the server's message; the confirmation
//   repeats the time taken.
// - A screen-out that asks for a call-back (the wrong person answered) keeps the case: the server holds
//   it, and the terminal shows the text to read out and opens the appointment entry for the right person.
//   Esc there gives the case back as a call-back.
// - Messages say what is true now: a login error, "offline", a server notice are cleared once the
//   terminal is back online or moves to another screen.
// - Ctrl-C and q ask before quitting, and say how long the held case stays locked (LoginOk's
//   case_lock_minutes).
//
// Thread-safety: none; the front end's loop owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cati/v1/wire.pb.h"
#include "lib/events.hpp"
#include "lib/session.hpp"
#include "term/view/keys.hpp"
#include "term/view/line_editor.hpp"
#include "term/view/study_time.hpp"
#include "term/view/text_layout.hpp"

namespace cati::term {

// What the front end asks the session to do.
namespace act {
struct next_case {};
struct record_call {
  client::call_report report;
};
struct start_interview {
  std::string language;
};
struct answer {
  std::string value;
  std::string question;
};
struct back {};
struct suspend {
  client::suspend_report report;
};
struct set_language {
  std::string language;
};
struct quit {};
}  // namespace act

using action = std::variant<act::next_case, act::record_call, act::start_interview, act::answer, act::back,
                            act::suspend, act::set_language, act::quit>;

// A line of feedback above the status bar.
struct feedback {
  std::string text;
  style look = style::normal;
};

// An open prompt: the appointment entry, or a yes/no confirmation of a pending action.
struct prompt {
  enum class kind { appointment, confirm };
  kind what = kind::confirm;
  std::string question;          // "Appointment (HH:MM, DD/MM HH:MM or YYYY-MM-DD HH:MM):"
  std::optional<action> pending; // confirm: what `y` does
  bool in_interview = false;     // appointment: Suspend (interview) or CallResult (case screen)
  line_editor entry;
  std::string problem;           // why the last entry was refused (here or by the server)
  bool sending = false;          // submitted; stays open until the server answers
  std::string read_aloud;        // shown above the question: the screen-out text that led to this prompt
  bool after_screen_out = false; // appointment after "not the right person": Esc gives the case back
  bool quitting = false;         // confirm: the quit question (a second Ctrl-C says yes)
};

// The connection as the interviewer sees it.
enum class link { connecting, online, offline };

class term_model {
 public:
  using clock = std::chrono::steady_clock;

  explicit term_model(std::string user);

  void on_event(const client::event& e, clock::time_point here);
  // A key: the action to run (the front end sends it to the session), or nothing.
  std::optional<action> on_key(const key& k, clock::time_point here);
  // The front end could not run an action (the session refused it locally).
  void on_action_failed(const std::string& why);

  // Read by term_render.
  const std::string& user() const { return user_; }
  const std::string& study_title() const { return study_title_; }
  const std::vector<std::string>& languages() const { return languages_; }
  link connection() const { return link_; }
  std::size_t unacked() const { return unacked_; }
  int calls_today() const { return calls_; }
  int completes_today() const { return completes_; }
  const study_clock& time() const { return clock_; }
  const std::optional<v1::CaseCard>& card() const { return card_; }
  const std::string& dial() const { return dial_; }
  const std::string& start_language() const { return start_language_; }
  const std::optional<v1::Screen>& screen() const { return screen_; }
  bool in_interview() const { return screen_.has_value(); }
  bool help() const { return help_; }
  bool waiting() const { return waiting_.has_value(); }
  // An answer was queued while offline and the server has not answered it yet.
  bool answer_waiting_offline() const { return waiting_ == client::request_kind::answer && link_ != link::online; }
  const line_editor& input() const { return input_; }
  const std::string& answer_problem() const { return answer_problem_; }
  const std::optional<prompt>& open_prompt() const { return prompt_; }
  const feedback& message() const { return message_; }
  bool quitting() const { return quit_; }

 private:
  void on_message(const client::message_event& m, clock::time_point here);
  void on_state(const client::state_event& s);
  void on_error(const v1::Error& e, client::request_kind kind);
  void settle(client::request_kind kind);
  std::optional<action> issue(action a);

  std::optional<action> prompt_key(const key& k, clock::time_point here);
  std::optional<action> case_key(const key& k);
  std::optional<action> interview_key(const key& k);
  std::optional<action> call_outcome(char32_t letter);
  void open_appointment(bool in_interview);
  void confirm(std::string question, action a);
  std::string next_language(const std::string& current) const;
  void say(std::string text, style look = style::normal) { message_ = feedback{std::move(text), look}; }
  void ask_quit();
  std::string lock_text() const;

  std::string user_;
  std::string study_title_;
  std::vector<std::string> languages_;
  link link_ = link::connecting;
  bool been_online_ = false;
  std::size_t unacked_ = 0;
  int calls_ = 0;
  int completes_ = 0;
  study_clock clock_;
  int lock_minutes_ = 0;  // how long a held case stays locked (0: not said by the server)

  std::optional<v1::CaseCard> card_;
  std::string dial_;
  std::string start_language_;
  std::optional<v1::Screen> screen_;

  bool help_ = false;
  bool quit_ = false;
  std::optional<client::request_kind> waiting_;
  line_editor input_;
  std::string submitted_;       // the last answer sent, restored if the server refuses it
  std::string answer_problem_;  // inline under the answer line
  std::optional<prompt> prompt_;
  std::string appointment_sent_;  // the appointment time last sent (RFC 3339), repeated in the confirmation
  feedback message_;
};

// The request kind an action becomes (for waiting on its reply).
client::request_kind kind_of(const action& a);

}  // namespace cati::term
