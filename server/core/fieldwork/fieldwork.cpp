// Construction, what terminals and supervisors are shown (offers, screens, counters, activity), and the
// small helpers the request files share. The requests themselves are in fieldwork_*.cpp (fieldwork.hpp).
#include "core/fieldwork/fieldwork.hpp"

#include <stdexcept>

#include "core/calling/disposition.hpp"
#include "core/fieldwork/fieldwork_quota_priority.hpp"

namespace cati::core {

std::map<interview_id, quota_values> quota_points(const loaded_case& c) {
  auto out = c.quota_answers;
  for (auto& [interview, values] : out)
    for (const auto& [k, v] : c.record.frame) values.emplace(k, v);
  return out;
}

std::string_view to_string(user_role r) {
  switch (r) {
    case user_role::interviewer: return "interviewer";
    case user_role::supervisor: return "supervisor";
    case user_role::admin: return "admin";
  }
  return "interviewer";
}

fieldwork::fieldwork(std::shared_ptr<const questionnaire> study, const calendar& cal, const quota_state& quotas,
                     interview_id next_interview_id, std::unique_ptr<randomness> random, fieldwork_options options)
    : study_(std::move(study)),
      calendar_(cal),
      engine_(study_),
      book_([&] {
        auto built = quota_book::build(*study_);
        if (!built) throw std::runtime_error("quotas: " + built.err().message);
        auto restored = quota_book::restore(std::move(built).value(), quotas);
        if (!restored) throw std::runtime_error("quota state: " + restored.err().message);
        return std::move(restored).value();
      }()),
      options_(options),
      random_(std::move(random)),
      next_interview_id_(next_interview_id) {
  if (!random_) throw std::invalid_argument("fieldwork: no randomness");
  priority_ = std::make_unique<quota_priority>(*this);
  scheduler_ = std::make_unique<scheduler>(calendar_, study_->rules, cases_, *priority_);
  scheduler_->record_locks(&lock_changes_);
}

fieldwork::fieldwork(std::shared_ptr<const questionnaire> study, const calendar& cal, const quota_state& quotas,
                     interview_id next_interview_id, std::uint64_t random_seed, fieldwork_options options)
    : fieldwork(std::move(study), cal, quotas, next_interview_id, std::make_unique<seeded_randomness>(random_seed),
                options) {}

fieldwork::~fieldwork() = default;

// --- views -----------------------------------------------------------------------------------------

frame_values fieldwork::frame_of(case_id id) const {
  frame_values frame;
  if (const case_record* c = cases_.find(id))
    for (const auto& [k, v] : c->frame) frame[k] = v;
  if (auto it = extra_.find(id); it != extra_.end()) {
    const auto& contact = it->second.contact;
    frame["company"] = contact.company;
    frame["contact_name"] = contact.contact_name;
    if (!contact.phones.empty()) frame["phone"] = contact.phones.front();
  }
  return frame;
}

quota_values fieldwork::quota_values_of(const std::vector<quota_value>& values) const {
  quota_values out;
  for (const auto& v : values)
    if (!v.value.empty()) out[v.variable] = v.value;
  return out;
}

std::string fieldwork::cell_names(const quota_values& values) const {
  std::string out;
  for (const auto& id : book_.cells_for(values))
    if (const auto* cell = book_.find(id)) out += (out.empty() ? "" : ", ") + cell->name;
  return out;
}

case_offer fieldwork::offer_of(case_id id, const assignment* a) const {
  case_offer offer;
  offer.id = id;
  const case_record* c = cases_.find(id);
  if (c) {
    offer.language = c->language;
    offer.frame = c->frame;
    for (const auto& call : c->calls) offer.history.push_back({call.at, call.interviewer, call.result});
    quota_values values;
    for (const auto& [k, v] : c->frame) values[k] = v;
    offer.quota_cell = cell_names(values);
  }
  if (auto it = extra_.find(id); it != extra_.end()) {
    offer.contact = it->second.contact;
    offer.open_interview = it->second.open_interview;
  }
  offer.max_attempts = study_->rules.max_attempts;
  if (a) {
    offer.attempt = a->attempts + 1;
    offer.appointment_at = a->appointment_at;
  } else if (const case_plan* plan = scheduler_->plan(id)) {
    offer.attempt = plan->attempts + 1;
    offer.appointment_at = plan->appointment_at;
  }
  if (const case_plan* plan = scheduler_->plan(id)) offer.number_to_dial = plan->next_number;  // the plan's next live number
  return offer;
}

interview_view fieldwork::view_of(const live_interview& iv, bool duplicate) const {
  interview_view v;
  v.id = iv.id;
  v.case_ = iv.case_;
  v.language = iv.language;
  v.next_seq = iv.last_seq + 1;
  v.duplicate = duplicate;
  if (iv.state.status == interview_status::in_progress) {
    v.current = engine_.current_screen(iv.state, iv.language);
  } else {
    v.ended = iv.state.result;
    v.aapor_code = std::string(code_text(code_of(iv.state.result, true, false)));
    v.end_message = iv.end_message.empty() ? engine_.end_message(iv.state, iv.language) : iv.end_message;
  }
  return v;
}

// --- counters and supervisor views -----------------------------------------------------------------

void fieldwork::count(const user& who, time_point now, bool complete) {
  auto& c = counters_[{who.name, calendar_.day_index(now)}];
  ++c.calls;
  if (complete) ++c.completes;
}

counters fieldwork::today(const user& who, time_point now) const {
  auto it = counters_.find({who.name, calendar_.day_index(now)});
  return it == counters_.end() ? counters{} : it->second;
}

interviewer_activity fieldwork::activity_of(std::string_view who, time_point now) const {
  auto held = scheduler_->held_by(who, now);
  if (!held) return interviewer_activity::idle;
  // Holding a case: on the phone with it, and interviewing once its interview runs.
  for (const auto& [id, iv] : interviews_)
    if (iv.case_ == *held && iv.interviewer == who && iv.state.status != interview_status::finished)
      return interviewer_activity::interviewing;
  return interviewer_activity::calling;
}

std::vector<interview_span> fieldwork::ended_interviews() const {
  std::vector<interview_span> out;
  for (const auto& [id, iv] : interviews_)
    if (iv.state.status == interview_status::finished && iv.ended_at != time_point{})
      out.push_back({iv.interviewer, iv.started_at, iv.ended_at, iv.state.result == outcome::complete});
  return out;
}

}  // namespace cati::core
