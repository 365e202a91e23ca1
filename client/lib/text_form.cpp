#include "lib/text_form.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

namespace cati::client {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Values that may hold spaces are quoted, with \" and \\ escaped, so a line splits unambiguously.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

// Free text from the server (question text, messages) on one line.
std::string one_line(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

void login_ok(std::ostream& o, const v1::LoginOk& m) {
  o << "login " << m.user() << " role=" << m.role() << " study=" << m.study_id() << " version=" << m.study_version()
    << " now=" << m.now() << " calls=" << m.today().calls() << " completes=" << m.today().completes();
}

void error_line(std::ostream& o, const v1::Error& m) {
  o << "error " << to_string(static_cast<errc>(m.code())) << ": " << one_line(m.message());
  if (m.retry_after_seconds() > 0) o << " retry_after=" << m.retry_after_seconds();
}

void case_card(std::ostream& o, const v1::CaseCard& m) {
  o << "case " << m.case_id() << " firm=" << m.firm_id() << " company=" << quoted(m.company()) << " lang=" << m.language()
    << " attempt=" << m.attempt() << "/" << m.max_attempts() << " cell=" << m.quota_cell();
  if (!m.contact_name().empty()) o << "\n  contact " << quoted(m.contact_name());
  if (!m.number_to_dial().empty() || m.numbers_size() > 0) {
    o << "\n  dial " << m.number_to_dial();
    if (m.numbers_size() > 1) {
      o << " numbers=";
      for (int i = 0; i < m.numbers_size(); ++i) o << (i ? "," : "") << m.numbers(i);
    }
  }
  if (!m.appointment_at().empty()) {
    o << "\n  appointment " << m.appointment_at();
    if (!m.appointment_note().empty()) o << " " << quoted(m.appointment_note());
  }
  if (!m.interview_id().empty()) o << "\n  interview " << m.interview_id();
  for (const auto& h : m.history()) {
    o << "\n  history " << h.at() << " " << h.interviewer() << " " << outcome_name(h.outcome()) << " " << h.number();
    if (!h.note().empty()) o << " " << quoted(h.note());
  }
  if (!m.frame().empty()) {
    const std::map<std::string, std::string> sorted(m.frame().begin(), m.frame().end());
    o << "\n  frame";
    for (const auto& [k, v] : sorted) o << " " << k << "=" << v;
  }
}

void no_case(std::ostream& o, const v1::NoCase& m) {
  o << "nocase " << v1::NoCase::Reason_Name(m.reason()) << " next=" << m.next_at();
  if (!m.message().empty()) o << " " << quoted(m.message());
}

void screen(std::ostream& o, const v1::Screen& m) {
  o << "screen " << m.question() << " (" << m.position() << "/" << m.total() << ") " << question_type_name(m.type())
    << ": " << one_line(m.text());
  for (const auto& c : m.choices()) {
    o << "\n  " << c.code() << " " << one_line(c.label());
    if (c.missing()) o << " (missing)";
  }
  if (!m.hint().empty()) o << "\n  hint: " << one_line(m.hint());
  if (!m.constraint_message().empty()) o << "\n  constraint: " << one_line(m.constraint_message());
  if (!m.current_answer().empty()) o << "\n  current: " << one_line(m.current_answer());
  o << "\n  interview=" << m.interview_id() << " seq=" << m.next_seq() << " lang=" << m.language()
    << " back=" << (m.can_go_back() ? "yes" : "no");
}

void interview_end(std::ostream& o, const v1::InterviewEnd& m) {
  o << "end " << m.interview_id() << " outcome=" << outcome_name(m.outcome()) << " aapor=" << m.aapor_code()
    << " calls=" << m.today().calls() << " completes=" << m.today().completes();
  if (!m.message().empty()) o << " " << quoted(m.message());
}

void status_lines(std::ostream& o, const v1::Status& m) {
  o << "status now=" << m.now() << " completes=" << m.completes() << "/" << m.target();
  for (const auto& c : m.cells()) {
    o << "\n  cell " << c.quota() << "=";
    for (int i = 0; i < c.values_size(); ++i) o << (i ? "," : "") << c.values(i);
    o << " target=" << c.target() << " completes=" << c.completes() << " in_progress=" << c.in_progress()
      << " left=" << c.left() << " open=" << (c.open() ? "yes" : "no")
      << " reachable=" << (c.reachable() ? "yes" : "no") << " sample_left=" << c.sample_left();
  }
  for (const auto& i : m.interviewers()) {
    o << "\n  interviewer " << i.user() << " " << (i.online() ? "online" : "offline") << " " << i.state()
      << " calls=" << i.calls() << " completes=" << i.completes();
  }
  for (const auto& r : m.rates()) {
    o << "\n  rates " << r.group() << " interviews=" << r.interviews() << " rr3=" << r.rr3() << " coop1=" << r.coop1()
      << " ref1=" << r.ref1() << " con1=" << r.con1();
  }
}

std::string state_text(const state_event& e) {
  std::string s = "state " + std::string(to_string(e.state));
  if (e.state == connection_state::offline) {
    s += " (" + std::to_string(e.unacked) + (e.unacked == 1 ? " answer waiting)" : " answers waiting)");
  }
  return s;
}

}  // namespace

std::string outcome_name(v1::Outcome outcome) { return lower(v1::Outcome_Name(outcome)); }

std::optional<v1::Outcome> outcome_from_name(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  v1::Outcome o{};
  if (upper == "OUTCOME_UNSPECIFIED" || !v1::Outcome_Parse(upper, &o)) return std::nullopt;
  return o;
}

std::string question_type_name(v1::QuestionType type) {
  switch (type) {
    case v1::SINGLE: return "single";
    case v1::MULTIPLE: return "multiple";
    case v1::INTEGER_NUMBER: return "integer";
    case v1::DECIMAL_NUMBER: return "decimal";
    case v1::FREE_TEXT: return "text";
    case v1::NOTE: return "note";
    default: return "unspecified";
  }
}

std::string to_text(const v1::ServerMessage& message) {
  std::ostringstream o;
  switch (message.body_case()) {
    case v1::ServerMessage::kLoginOk: login_ok(o, message.login_ok()); break;
    case v1::ServerMessage::kError: error_line(o, message.error()); break;
    case v1::ServerMessage::kCaseCard: case_card(o, message.case_card()); break;
    case v1::ServerMessage::kNoCase: no_case(o, message.no_case()); break;
    case v1::ServerMessage::kCallRecorded: {
      const auto& m = message.call_recorded();
      o << "recorded " << m.case_id() << " outcome=" << outcome_name(m.outcome()) << " calls=" << m.today().calls()
        << " completes=" << m.today().completes();
      break;
    }
    case v1::ServerMessage::kScreen: screen(o, message.screen()); break;
    case v1::ServerMessage::kAnswerAck: {
      const auto& m = message.answer_ack();
      o << "ack " << m.interview_id() << " seq=" << m.seq() << " duplicate=" << (m.duplicate() ? "true" : "false");
      break;
    }
    case v1::ServerMessage::kInterviewEnd: interview_end(o, message.interview_end()); break;
    case v1::ServerMessage::kNotice:
      o << "notice " << v1::Notice::Kind_Name(message.notice().kind()) << " " << one_line(message.notice().message());
      break;
    case v1::ServerMessage::kStatus: status_lines(o, message.status()); break;
    case v1::ServerMessage::kPong: o << "pong " << message.pong().now(); break;
    case v1::ServerMessage::BODY_NOT_SET: o << "empty message"; break;
  }
  return o.str();
}

std::string to_text(const event& e) {
  struct visitor {
    std::string operator()(const state_event& s) const { return state_text(s); }
    std::string operator()(const message_event& m) const { return to_text(m.message); }
    std::string operator()(const queued_event& q) const {
      return "queued " + q.interview_id + " seq=" + std::to_string(q.seq) + " " + std::string(to_string(q.kind));
    }
    std::string operator()(const failed_event& f) const {
      if (f.err.code == errc::dropped) return "dropped " + f.interview_id + " seq=" + std::to_string(f.seq) + ": " + f.err.message;
      return "error " + std::string(to_string(f.err.code)) + ": " + one_line(f.err.message);
    }
    std::string operator()(const notice_event& n) const { return "notice " + one_line(n.text); }
  };
  return std::visit(visitor{}, e);
}

}  // namespace cati::client
