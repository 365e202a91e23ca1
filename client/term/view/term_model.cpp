#include "term/view/term_model.hpp"

#include <algorithm>

#include "lib/text_form.hpp"
#include "term/view/answer_check.hpp"
#include "term/view/outcome_keys.hpp"

namespace cati::term {

namespace {

using client::request_kind;

bool interview_kind(request_kind k) {
  return k == request_kind::answer || k == request_kind::back || k == request_kind::suspend ||
         k == request_kind::set_language || k == request_kind::start_interview;
}

std::string reason_text(v1::NoCase::Reason r) {
  switch (r) {
    case v1::NoCase::OUTSIDE_CALLING_HOURS: return "outside calling hours";
    case v1::NoCase::WINDOW_NOT_OPEN: return "the fieldwork has not started";
    case v1::NoCase::WINDOW_CLOSED: return "the fieldwork is over";
    case v1::NoCase::NOTHING_DUE: return "nothing due now";
    case v1::NoCase::ALL_FINISHED: return "every case is finished";
    default: return "no case";
  }
}

std::string label_of(v1::Outcome o) {
  for (const auto& k : call_outcome_keys())
    if (k.outcome == o) return std::string(k.label);
  std::string name = client::outcome_name(o);
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

}  // namespace

client::request_kind kind_of(const action& a) {
  struct visitor {
    request_kind operator()(const act::next_case&) const { return request_kind::next_case; }
    request_kind operator()(const act::record_call&) const { return request_kind::call_result; }
    request_kind operator()(const act::start_interview&) const { return request_kind::start_interview; }
    request_kind operator()(const act::answer&) const { return request_kind::answer; }
    request_kind operator()(const act::back&) const { return request_kind::back; }
    request_kind operator()(const act::suspend&) const { return request_kind::suspend; }
    request_kind operator()(const act::set_language&) const { return request_kind::set_language; }
    request_kind operator()(const act::quit&) const { return request_kind::none; }
  };
  return std::visit(visitor{}, a);
}

term_model::term_model(std::string user) : user_(std::move(user)) {}

// ---------------------------------------------------------------------------------------------------
// Events

void term_model::on_event(const client::event& e, clock::time_point here) {
  if (const auto* s = std::get_if<client::state_event>(&e)) return on_state(*s);
  if (const auto* m = std::get_if<client::message_event>(&e)) return on_message(*m, here);
  if (const auto* q = std::get_if<client::queued_event>(&e)) {
    if (!q->online && q->kind == request_kind::answer) {
      say("offline: answer saved on this terminal; it is sent when the server is back", style::error);
    }
    return;
  }
  if (const auto* f = std::get_if<client::failed_event>(&e)) {
    if (waiting_ == f->kind) waiting_.reset();
    if (prompt_ && prompt_->sending) prompt_->sending = false;
    say((f->err.code == client::errc::dropped ? "answer dropped: " : "") + f->err.message, style::error);
    return;
  }
  if (const auto* n = std::get_if<client::notice_event>(&e)) say(n->text);
}

void term_model::on_state(const client::state_event& s) {
  unacked_ = s.unacked;
  switch (s.state) {
    case client::connection_state::online:
      been_online_ = true;
      // Back online: "offline ...", "the server is shutting down" and the like are no longer true.
      if (link_ != link::online && message_.look == style::error) message_ = {};
      link_ = link::online;
      break;
    case client::connection_state::offline: link_ = link::offline; break;
    case client::connection_state::connecting:
    case client::connection_state::connected:
      // Between retries the interviewer is still offline; before the first login, connecting.
      link_ = been_online_ ? link::offline : link::connecting;
      break;
    default: break;
  }
}

void term_model::settle(client::request_kind kind) {
  if (waiting_ == kind) waiting_.reset();
}

void term_model::on_message(const client::message_event& m, clock::time_point here) {
  const auto& msg = m.message;
  if (m.settles) settle(m.kind);
  switch (msg.body_case()) {
    case v1::ServerMessage::kLoginOk: {
      const auto& l = msg.login_ok();
      user_ = l.user();
      study_title_ = l.study_title().empty() ? l.study_id() : l.study_title();
      languages_.assign(l.study_languages().begin(), l.study_languages().end());
      calls_ = l.today().calls();
      completes_ = l.today().completes();
      clock_.set_zone(l.time_zone());
      clock_.sync(l.now(), here);
      lock_minutes_ = l.case_lock_minutes();
      message_ = {};  // a refused password before this one is history
      break;
    }
    case v1::ServerMessage::kError: on_error(msg.error(), m.kind); break;
    case v1::ServerMessage::kCaseCard: {
      const auto& c = msg.case_card();
      if (screen_ && screen_->interview_id() != c.interview_id()) screen_.reset();
      if (!card_ || card_->case_id() != c.case_id()) {
        dial_ = c.number_to_dial().empty() && c.numbers_size() > 0 ? c.numbers(0) : c.number_to_dial();
        start_language_ = c.language();
      }
      card_ = c;
      if (m.kind == request_kind::next_case) say("case " + std::to_string(c.case_id()) + ": dial " + dial_);
      break;
    }
    case v1::ServerMessage::kNoCase: {
      const auto& n = msg.no_case();
      std::string text = "No case to call: " + reason_text(n.reason());
      if (!n.next_at().empty()) text += "; next at " + clock_.show_time(n.next_at());
      if (!n.message().empty()) text += " (" + n.message() + ")";
      say(text);
      break;
    }
    case v1::ServerMessage::kCallRecorded: {
      const auto& r = msg.call_recorded();
      calls_ = r.today().calls();
      completes_ = r.today().completes();
      std::string text = "case " + std::to_string(r.case_id()) + ": " + label_of(r.outcome());
      if (r.outcome() == v1::APPOINTMENT && !appointment_sent_.empty()) text += " on " + clock_.show_time(appointment_sent_);
      say(text + " recorded. n: next case", style::good);
      if (card_ && card_->case_id() == r.case_id()) card_.reset();
      prompt_.reset();
      break;
    }
    case v1::ServerMessage::kScreen: {
      const auto& s = msg.screen();
      const bool moved = !screen_ || screen_->question() != s.question() || screen_->next_seq() != s.next_seq();
      if (moved && m.kind != request_kind::resume) {
        answer_problem_.clear();
        // Went back: the answer given before is there to correct. Otherwise whatever was typed after
        // Enter (typing ahead) stays.
        if (input_.empty() && !s.current_answer().empty()) input_.set(s.current_answer());
      }
      if (moved) message_ = {};  // what was said about the last question is not about this one
      screen_ = s;
      if (prompt_ && prompt_->sending) prompt_.reset();
      if (m.kind == request_kind::start_interview) say("interview started in " + s.language());
      if (m.kind == request_kind::set_language) say("language: " + s.language());
      break;
    }
    case v1::ServerMessage::kInterviewEnd: {
      const auto& e = msg.interview_end();
      calls_ = e.today().calls();
      completes_ = e.today().completes();
      std::string text = "interview ended: " + label_of(e.outcome()) + " (AAPOR " + e.aapor_code() + ")";
      if (e.outcome() == v1::APPOINTMENT && !appointment_sent_.empty())
        text = "interview suspended: appointment on " + clock_.show_time(appointment_sent_) + " recorded";
      const bool wrong_person = e.outcome() == v1::CALLBACK && m.kind == request_kind::answer && card_ &&
                                card_->case_id() == e.case_id();
      screen_.reset();
      prompt_.reset();
      input_.clear();
      answer_problem_.clear();
      if (wrong_person) {
        // The screen-out asks when the right person can be reached: the server keeps the case held, and
        // the appointment is taken here, on the same call.
        say(text, style::normal);
        card_->clear_interview_id();
        open_appointment(false);
        prompt_->read_aloud = e.message();
        prompt_->after_screen_out = true;
        prompt_->question = "Appointment with the right person (HH:MM, DD/MM HH:MM or YYYY-MM-DD HH:MM), Enter to "
                            "record; Esc: no appointment, the case comes back as a call-back:";
        break;
      }
      if (!e.message().empty()) text += ": " + e.message();
      say(text + ". n: next case", e.outcome() == v1::COMPLETE ? style::good : style::normal);
      card_.reset();
      break;
    }
    case v1::ServerMessage::kNotice: say(msg.notice().message(), style::error); break;
    case v1::ServerMessage::kPong: clock_.sync(msg.pong().now(), here); break;
    default: break;
  }
}

void term_model::on_error(const v1::Error& e, client::request_kind kind) {
  const std::string& text = e.message();
  if (prompt_ && prompt_->sending) {
    prompt_->sending = false;
    prompt_->problem = text;
    return;
  }
  if (screen_ && interview_kind(kind)) {
    answer_problem_ = text;
    if (kind == request_kind::answer && input_.empty()) input_.set(submitted_);
    return;
  }
  say(text, style::error);
}

void term_model::on_action_failed(const std::string& why) {
  waiting_.reset();
  if (prompt_) prompt_->sending = false;
  say(why, style::error);
}

// ---------------------------------------------------------------------------------------------------
// Keys

std::optional<action> term_model::issue(action a) {
  if (!std::holds_alternative<act::quit>(a)) waiting_ = kind_of(a);
  return a;
}

std::string term_model::lock_text() const {
  if (lock_minutes_ <= 0) return "for a while";
  return "for " + std::to_string(lock_minutes_) + (lock_minutes_ == 1 ? " minute" : " minutes");
}

void term_model::ask_quit() {
  std::string question = "Quit cati-term?";
  if (screen_ && card_) {
    question = "Quit in the middle of the interview? It stays open, and case " + std::to_string(card_->case_id()) +
               " stays locked to you " + lock_text() + ": start cati-term again to go on.";
  } else if (card_) {
    question = "Quit? Case " + std::to_string(card_->case_id()) + " stays locked to you " + lock_text() + ".";
  }
  confirm(std::move(question), act::quit{});
  prompt_->quitting = true;
}

std::optional<action> term_model::on_key(const key& k, clock::time_point here) {
  if (k.what == key::kind::resize) return std::nullopt;
  if (help_) {  // any key leaves the help screen
    help_ = false;
    return std::nullopt;
  }
  if (k.what == key::kind::interrupt) {
    if (prompt_ && prompt_->quitting) {  // Ctrl-C twice: yes
      prompt_.reset();
      quit_ = true;
      return act::quit{};
    }
    if (prompt_ && prompt_->sending) return std::nullopt;
    ask_quit();
    return std::nullopt;
  }
  if (prompt_) return prompt_key(k, here);
  if (k.is_fn(1) || (!screen_ && k.is(U'?'))) {
    help_ = true;
    return std::nullopt;
  }
  return screen_ ? interview_key(k) : case_key(k);
}

std::optional<action> term_model::prompt_key(const key& k, clock::time_point here) {
  prompt& p = *prompt_;
  if (p.sending) return std::nullopt;  // the server is answering it
  if (k.what == key::kind::escape || (p.what == prompt::kind::confirm && (k.is(U'n') || k.is(U'N')))) {
    const bool screened_out = p.after_screen_out;
    prompt_.reset();
    if (screened_out && card_) {
      // No time for the right person: the call stays coded as the screen-out's call-back, and asking for
      // the next case releases this one.
      say("no appointment: case " + std::to_string(card_->case_id()) + " comes back as a call-back. n: next case");
      card_.reset();
      return std::nullopt;
    }
    say("cancelled");
    return std::nullopt;
  }
  if (p.what == prompt::kind::confirm) {
    if (!k.is(U'y') && !k.is(U'Y')) return std::nullopt;
    action a = std::move(*p.pending);
    prompt_.reset();
    if (std::holds_alternative<act::quit>(a)) quit_ = true;
    return issue(std::move(a));
  }
  if (k.what != key::kind::enter) {
    if (p.entry.edit(k)) p.problem.clear();
    return std::nullopt;
  }
  auto at = clock_.appointment(p.entry.text(), here);
  if (!at) {
    p.problem = at.error().message;
    return std::nullopt;
  }
  p.sending = true;
  p.problem.clear();
  appointment_sent_ = *at;
  if (p.in_interview) {
    client::suspend_report r;
    r.outcome = v1::APPOINTMENT;
    r.appointment_at = *at;
    return issue(act::suspend{r});
  }
  client::call_report r;
  r.outcome = v1::APPOINTMENT;
  r.appointment_at = *at;
  r.number = dial_;
  return issue(act::record_call{r});
}

void term_model::open_appointment(bool in_interview) {
  prompt p;
  p.what = prompt::kind::appointment;
  p.question = "Appointment at (HH:MM, DD/MM HH:MM or YYYY-MM-DD HH:MM), Enter to record, Esc to cancel:";
  p.in_interview = in_interview;
  prompt_ = std::move(p);
}

void term_model::confirm(std::string question, action a) {
  prompt p;
  p.what = prompt::kind::confirm;
  p.question = std::move(question) + " y/n";
  p.pending = std::move(a);
  prompt_ = std::move(p);
}

std::string term_model::next_language(const std::string& current) const {
  if (languages_.empty()) return current;
  auto it = std::find(languages_.begin(), languages_.end(), current);
  if (it == languages_.end() || ++it == languages_.end()) return languages_.front();
  return *it;
}

std::optional<action> term_model::case_key(const key& k) {
  if (k.is(U'q')) {
    ask_quit();
    return std::nullopt;
  }
  if (waiting_) {
    if (k.what == key::kind::enter || k.what == key::kind::character) say("waiting for the server ...");
    return std::nullopt;
  }
  if (k.is(U'n')) {
    if (card_) {
      say("code the call on case " + std::to_string(card_->case_id()) + " first (an outcome key), or start the interview",
          style::error);
      return std::nullopt;
    }
    return issue(act::next_case{});
  }
  if (!card_) {
    if (k.what == key::kind::character || k.what == key::kind::enter) say("no case: n asks for the next one");
    return std::nullopt;
  }
  if (k.what == key::kind::enter || k.is(U'i')) return issue(act::start_interview{start_language_});
  if (k.what == key::kind::tab && card_->numbers_size() > 1) {
    const auto& n = card_->numbers();
    auto it = std::find(n.begin(), n.end(), dial_);
    dial_ = (it == n.end() || std::next(it) == n.end()) ? n[0] : *std::next(it);
    say("case " + std::to_string(card_->case_id()) + ": dial " + dial_);
    return std::nullopt;
  }
  if (k.is_fn(2)) {
    start_language_ = next_language(start_language_);
    say("the interview starts in " + start_language_);
    return std::nullopt;
  }
  if (k.what == key::kind::character) return call_outcome(k.ch);
  return std::nullopt;
}

std::optional<action> term_model::call_outcome(char32_t letter) {
  const outcome_key* o = call_outcome_for(letter);
  if (o == nullptr) {
    say("no such key: ? lists the keys", style::error);
    return std::nullopt;
  }
  if (o->outcome == v1::APPOINTMENT) {
    open_appointment(false);
    return std::nullopt;
  }
  client::call_report r;
  r.outcome = o->outcome;
  r.number = dial_;
  if (o->final) {
    confirm("Record '" + std::string(o->label) + "' for case " + std::to_string(card_->case_id()) + "? It closes the case.",
            act::record_call{r});
    return std::nullopt;
  }
  return issue(act::record_call{r});
}

std::optional<action> term_model::interview_key(const key& k) {
  if (input_.edit(k)) {
    answer_problem_.clear();
    return std::nullopt;
  }
  const bool command = k.what == key::kind::enter || k.what == key::kind::page_up || k.what == key::kind::function;
  if (!command) return std::nullopt;
  if (waiting_) {
    say(link_ == link::online ? "waiting for the server ..."
                              : "offline: the answer is saved; the next question comes when the server is back",
        style::error);
    return std::nullopt;
  }
  const v1::Screen& s = *screen_;
  if (k.what == key::kind::enter) {
    const checked_answer c = check_answer(s, input_.text());
    if (!c.problem.empty()) {
      answer_problem_ = c.problem;
      return std::nullopt;
    }
    submitted_ = input_.text();
    input_.clear();
    answer_problem_.clear();
    return issue(act::answer{c.value, s.question()});
  }
  if (k.what == key::kind::page_up) {
    if (!s.can_go_back()) {
      answer_problem_ = "this is the first question: there is nothing to go back to";
      return std::nullopt;
    }
    input_.clear();
    return issue(act::back{});
  }
  if (k.is_fn(2)) return issue(act::set_language{next_language(s.language())});
  if (const suspend_key* sk = suspend_for(k.number)) {
    if (sk->outcome == v1::APPOINTMENT) {
      open_appointment(true);
      return std::nullopt;
    }
    client::suspend_report r;
    r.outcome = sk->outcome;
    confirm("Stop the interview: " + std::string(sk->label) + "?", act::suspend{r});
  }
  return std::nullopt;
}

}  // namespace cati::term
