#include "net/protocol_mapping.hpp"

#include <date/tz.h>

#include <algorithm>

#include "core/ports/clock_spec.hpp"

namespace cati::net {

namespace v1 = cati::v1;

static_assert(static_cast<int>(core::outcome::technical_problem) == v1::TECHNICAL_PROBLEM);

std::string format_local(core::time_point t, const date::time_zone* zone) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  if (!zone) return core::format_instant(t);
  return date::format("%FT%T%Ez", date::zoned_time<std::chrono::seconds>(zone, secs));
}

std::optional<core::time_point> parse_wire_time(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto t = core::parse_instant(text);
  if (!t) return std::nullopt;
  return *t;
}

v1::Outcome to_wire(core::outcome o) { return static_cast<v1::Outcome>(static_cast<int>(o)); }

core::outcome from_wire(v1::Outcome o) {
  int v = static_cast<int>(o);
  return v >= 0 && v < core::outcome_count ? static_cast<core::outcome>(v) : core::outcome::unspecified;
}

v1::Error to_wire(const core::fault& f) {
  v1::Error e;
  switch (f.code) {
    case core::fault_code::forbidden: e.set_code(v1::Error::FORBIDDEN); break;
    case core::fault_code::not_your_case: e.set_code(v1::Error::NOT_YOUR_CASE); break;
    case core::fault_code::invalid_answer: e.set_code(v1::Error::INVALID_ANSWER); break;
    case core::fault_code::stale_sequence: e.set_code(v1::Error::STALE_SEQUENCE); break;
    case core::fault_code::future_sequence: e.set_code(v1::Error::FUTURE_SEQUENCE); break;
    case core::fault_code::wrong_question: e.set_code(v1::Error::WRONG_QUESTION); break;
    case core::fault_code::invalid_request: e.set_code(v1::Error::INVALID_REQUEST); break;
    case core::fault_code::unknown: e.set_code(v1::Error::INVALID_REQUEST); break;
    case core::fault_code::malformed: e.set_code(v1::Error::MALFORMED); break;
  }
  e.set_message(f.message);
  return e;
}

v1::Counters to_wire(const core::counters& c) {
  v1::Counters out;
  out.set_calls(c.calls);
  out.set_completes(c.completes);
  return out;
}

void fill(v1::CaseCard& card, const core::case_offer& offer, const date::time_zone* zone) {
  card.set_case_id(offer.id);
  card.set_firm_id(offer.contact.firm_id);
  card.set_company(offer.contact.company);
  card.set_contact_name(offer.contact.contact_name);
  card.set_language(offer.language);
  for (const auto& n : offer.contact.phones) card.add_numbers(n);
  if (!offer.contact.phones.empty())  // the plan's next live number (core::case_plan::next_number)
    card.set_number_to_dial(offer.contact.phones[std::min<std::size_t>(static_cast<std::size_t>(std::max(0, offer.number_to_dial)),
                                                                       offer.contact.phones.size() - 1)]);
  for (const auto& h : offer.history) {
    auto* a = card.add_history();
    a->set_at(format_local(h.at, zone));
    a->set_interviewer(h.interviewer);
    a->set_outcome(to_wire(h.result));
  }
  card.set_attempt(offer.attempt);
  card.set_max_attempts(offer.max_attempts);
  card.set_quota_cell(offer.quota_cell);
  if (offer.appointment_at) card.set_appointment_at(format_local(*offer.appointment_at, zone));
  if (offer.open_interview) card.set_interview_id(std::to_string(*offer.open_interview));
  for (const auto& [k, v] : offer.frame) (*card.mutable_frame())[k] = v;
}

void fill(v1::NoCase& out, const core::idle& why, const date::time_zone* zone) {
  switch (why.why.reason) {
    case core::idle_reason::window_not_open:
      out.set_reason(v1::NoCase::WINDOW_NOT_OPEN);
      out.set_message("the fieldwork window is not open yet");
      break;
    case core::idle_reason::window_closed:
      out.set_reason(v1::NoCase::WINDOW_CLOSED);
      out.set_message("the fieldwork window has closed");
      break;
    case core::idle_reason::outside_calling_hours:
      out.set_reason(v1::NoCase::OUTSIDE_CALLING_HOURS);
      out.set_message("outside calling hours");
      break;
    case core::idle_reason::nothing_due:
      out.set_reason(v1::NoCase::NOTHING_DUE);
      out.set_message("no case is due now");
      break;
    case core::idle_reason::finished:
      out.set_reason(v1::NoCase::ALL_FINISHED);
      out.set_message("every case you could call is finished");
      break;
  }
  if (why.why.next) out.set_next_at(format_local(*why.why.next, zone));
}

namespace {

v1::QuestionType to_wire(core::question_type t) {
  switch (t) {
    case core::question_type::single: return v1::SINGLE;
    case core::question_type::multiple: return v1::MULTIPLE;
    case core::question_type::integer: return v1::INTEGER_NUMBER;
    case core::question_type::decimal: return v1::DECIMAL_NUMBER;
    case core::question_type::text: return v1::FREE_TEXT;
    case core::question_type::note: return v1::NOTE;
  }
  return v1::NOTE;
}

}  // namespace

void fill(v1::ServerMessage& out, const core::interview_view& view, const core::counters& today) {
  if (view.current) {
    const auto& s = *view.current;
    auto* screen = out.mutable_screen();
    screen->set_interview_id(std::to_string(view.id));
    screen->set_question(s.name);
    screen->set_type(to_wire(s.type));
    screen->set_text(s.label);
    screen->set_hint(s.hint);
    for (const auto& c : s.choices) {
      auto* sc = screen->add_choices();
      sc->set_code(static_cast<std::int32_t>(c.code));
      sc->set_label(c.label);
      sc->set_missing(c.missing);
    }
    screen->set_required(s.required);
    screen->set_constraint_message(s.constraint_message);
    if (s.current_answer) screen->set_current_answer(s.current_answer->to_string());
    screen->set_position(static_cast<std::int32_t>(s.number));
    screen->set_total(static_cast<std::int32_t>(s.count));
    screen->set_language(view.language);
    screen->set_next_seq(view.next_seq);
    screen->set_can_go_back(s.can_go_back);
    return;
  }
  auto* end = out.mutable_interview_end();
  end->set_interview_id(std::to_string(view.id));
  end->set_case_id(view.case_);
  end->set_outcome(to_wire(view.ended.value_or(core::outcome::unspecified)));
  end->set_aapor_code(view.aapor_code);
  end->set_message(view.end_message);
  *end->mutable_today() = to_wire(today);
}

void fill(v1::QuotaCellStatus& out, const core::quota_row& row) {
  out.set_quota(row.cell.id.quota);
  for (const auto& v : row.cell.id.values) out.add_values(v);
  out.set_label(row.cell.label.empty() ? row.cell.name : row.cell.label);
  out.set_target(row.cell.target);
  out.set_completes(row.cell.completes);
  out.set_in_progress(row.cell.in_progress);
  out.set_left(row.left);
  out.set_open(!row.cell.closed);
  out.set_policy(row.cell.policy == core::cell_policy::normal       ? v1::NORMAL
                 : row.cell.policy == core::cell_policy::allow_over ? v1::ALLOW_OVER
                                                                    : v1::COUNT_ONLY);
  out.set_priority(row.priority);
  out.set_reachable(row.reach != core::reachability::impossible);
  out.set_reach(std::string(core::to_string(row.reach)));
  out.set_sample_left(row.sample_left);
}

std::string_view body_name(const v1::ClientMessage& m) {
  const auto* field = m.GetDescriptor()->FindFieldByNumber(static_cast<int>(m.body_case()));
  return field ? std::string_view(field->name()) : std::string_view("none");
}

}  // namespace cati::net
