#include "sim/firm_model.hpp"

#include <algorithm>
#include <array>

namespace cati::tool::sim {
namespace {

std::chrono::seconds secs(core::splitmix64& rng, int low, int high) {
  return std::chrono::seconds(low + static_cast<int>(rng.below(static_cast<std::uint64_t>(high - low + 1))));
}

}  // namespace

std::uint64_t text_hash(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

firm_model::firm_model(std::uint64_t sim_seed, const std::string& firm_id, int fte_frame, int sector_frame,
                       const std::string& region)
    : rng_(sim_seed ^ text_hash(firm_id)) {
  const std::array<std::uint32_t, 4> line_weights = {930, 40, 20, 10};
  line_ = static_cast<line>(rng_.weighted(line_weights));
  pickup_ = 100 + rng_.below(501);
  cooperation_ = 50 + rng_.below(251);
  gatekeeper_ = rng_.chance_permille(fte_frame >= 5 ? 650 : 150);
  wrong_person_first_ = rng_.chance_permille(60);

  firm_facts facts;
  // The register is right most of the time; otherwise the owner counts one or two more or fewer.
  facts.fte = fte_frame;
  if (rng_.chance_permille(200)) facts.fte = std::max(0, fte_frame + static_cast<int>(rng_.below(5)) - 2);
  facts.sector = sector_frame;
  if (rng_.chance_permille(100)) facts.sector = 1 + static_cast<int>((sector_frame + rng_.below(2)) % 3);
  facts.region = region;
  answers_ = draw_answers(facts, rng_.next());
}

call_plan firm_model::dial(const dial_context& context) {
  call_plan p;
  switch (line_) {
    case line::disconnected: p.outcome = v1::DISCONNECTED; p.duration = secs(rng_, 10, 25); return p;
    case line::wrong: p.outcome = v1::WRONG_NUMBER; p.duration = secs(rng_, 30, 70); return p;
    case line::fax: p.outcome = v1::FAX_MODEM; p.duration = secs(rng_, 15, 30); return p;
    case line::working: break;
  }
  // An appointment the firm made is usually kept: the target answers and is keen.
  if (context.appointment_due) {
    if (rng_.chance_permille(750)) return target_on_line(true);
    p.outcome = v1::NO_ANSWER;
    p.duration = secs(rng_, 35, 50);
    return p;
  }
  if (rng_.chance_permille(5)) {
    p.outcome = v1::CALL_BLOCKED;
    p.duration = secs(rng_, 10, 20);
    return p;
  }
  if (rng_.chance_permille(60)) {
    p.outcome = v1::BUSY;
    p.duration = secs(rng_, 10, 25);
    return p;
  }
  if (!rng_.chance_permille(pickup_)) {
    if (rng_.chance_permille(350)) {
      p.outcome = message_left_ ? v1::ANSWERING_MACHINE : v1::ANSWERING_MACHINE_MESSAGE;
      p.duration = message_left_ ? secs(rng_, 30, 45) : secs(rng_, 50, 80);
      message_left_ = true;
    } else {
      p.outcome = v1::NO_ANSWER;
      p.duration = secs(rng_, 35, 50);
    }
    return p;
  }
  if (context.resumes_interview) return target_on_line(true);
  if (gatekeeper_) {
    const std::array<std::uint32_t, 4> w = {130, 330, 90, 450};  // refuses, call back, appointment, through
    switch (rng_.weighted(w)) {
      case 0: p.outcome = v1::REFUSAL_RECEPTIONIST; p.duration = secs(rng_, 40, 90); return p;
      case 1: p.outcome = v1::CALLBACK; p.duration = secs(rng_, 40, 90); return p;
      case 2:
        p.outcome = v1::APPOINTMENT;
        p.appointment_after_minutes = 60 + static_cast<int>(rng_.below(2 * 24 * 60));
        p.duration = secs(rng_, 60, 120);
        return p;
      default: break;
    }
  }
  return target_on_line(false);
}

call_plan firm_model::target_on_line(bool keen) {
  call_plan p;
  p.duration = secs(rng_, 40, 90);
  if (rng_.chance_permille(8)) {
    p.outcome = v1::LANGUAGE_PROBLEM;
    return p;
  }
  if (rng_.chance_permille(10)) {
    p.outcome = v1::UNAVAILABLE;
    return p;
  }
  const std::uint64_t agree = keen ? 850 : cooperation_;
  if (rng_.chance_permille(agree)) {
    // One in five who agree would rather do it later: an appointment, often with this interviewer.
    if (!keen && rng_.chance_permille(200)) {
      p.outcome = v1::APPOINTMENT;
      p.appointment_after_minutes = 30 + static_cast<int>(rng_.below(3 * 24 * 60));
      p.personal = rng_.chance_permille(600);
      p.duration = secs(rng_, 60, 120);
      return p;
    }
    p.interview = true;
    p.duration = secs(rng_, 30, 60);
    return p;
  }
  p.outcome = rng_.chance_permille(700) ? v1::REFUSAL_TARGET : v1::SOFT_REFUSAL;
  return p;
}

std::string firm_model::decider_answer() {
  ++interviews_;
  // Decided once per interview: a break-off at a question after the screeners, 3 interviews in 100.
  break_at_ = rng_.chance_permille(30) ? 4 + static_cast<int>(rng_.below(8)) : -1;
  return interviews_ == 1 && wrong_person_first_ ? "2" : "1";
}

bool firm_model::breaks_off_at(int question_index) {
  if (question_index != break_at_) return false;
  break_at_ = -1;
  return true;
}

int firm_model::seconds_for(v1::QuestionType type, int choices) {
  switch (type) {
    case v1::NOTE: return 25 + static_cast<int>(rng_.below(30));
    case v1::MULTIPLE: return 20 + 6 * choices + static_cast<int>(rng_.below(30));
    case v1::FREE_TEXT: return 30 + static_cast<int>(rng_.below(30));
    default: return 12 + static_cast<int>(rng_.below(25));
  }
}

}  // namespace cati::tool::sim
