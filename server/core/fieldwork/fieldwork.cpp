#include "core/fieldwork/fieldwork.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "core/calling/disposition.hpp"
#include "core/report/report_sample.hpp"

namespace cati::core {

// The scheduler's view of the quotas: a case is dialable unless a frame cell it falls in is full or
// closed, and cases whose cells need completes most come first. The outlook behind it is rebuilt only
// when the book or the sample left changed (`stale`), and verdicts are cached per frame group, so that
// assess() stays O(1) per case as the scheduler requires.
class fieldwork::quota_priority final : public dial_priority {
 public:
  quota_priority(const fieldwork& owner) : owner_(owner), variables_(quota_frame_variables(owner.book_)) {}

  void stale() { outlook_.reset(); }

  const quota_outlook& outlook() {
    if (!outlook_) rebuild();
    return *outlook_;
  }

  dial_verdict assess(const case_record& c) const override {
    quota_values key = group_of(c);
    if (auto it = verdicts_.find(key); it != verdicts_.end()) return it->second;
    auto p = outlook_ ? outlook_->priority(key) : case_priority{};
    dial_verdict v{p.dialable, p.score};
    verdicts_.emplace(std::move(key), v);
    return v;
  }

 private:
  quota_values group_of(const case_record& c) const {
    quota_values key;
    for (const auto& var : variables_)
      if (auto it = c.frame.find(var); it != c.frame.end()) key[var] = it->second;
    return key;
  }

  // The sample left and completes per case as `cati quota` computes them (report_sample.hpp), from the
  // scheduler's plans, and the arrivals at the quota point so far.
  void rebuild() {
    sample_tally tally(variables_);
    for (const auto& [id, extra] : owner_.extra_) {
      const case_record* c = owner_.cases_.find(id);
      if (!c) continue;
      const case_plan* plan = owner_.scheduler_ ? owner_.scheduler_->plan(id) : nullptr;
      tally.add(*c, plan ? *plan : plan_case(*c, owner_.study_->rules, owner_.calendar_));
    }
    std::vector<quota_values> arrived;
    arrived.reserve(owner_.arrivals_.size());
    for (const auto& [id, values] : owner_.arrivals_) arrived.push_back(values);
    outlook_.emplace(owner_.book_, outlook_input_for(tally.summary(), count_arrivals(owner_.book_, arrived)));
    verdicts_.clear();
  }

  const fieldwork& owner_;
  std::vector<std::string> variables_;
  std::optional<quota_outlook> outlook_;
  mutable std::map<quota_values, dial_verdict> verdicts_;
};

namespace {

constexpr std::string_view seq_prefix = "client-seq ";

constexpr std::string_view print_prefix = "seq-print ";

// A fingerprint of one sequenced request (what it was and its fields), so that a repeated sequence
// number can be told apart from a different request that reuses it. FNV-1a 64, as hex: one short line.
std::string request_print(std::string_view kind, std::string_view a = {}, std::string_view b = {}) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&](std::string_view part) {
    for (unsigned char c : part) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0x1fu) * 1099511628211ull;  // field separator: ("ab", "c") differs from ("a", "bc")
  };
  mix(kind);
  mix(a);
  mix(b);
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// A snapshot: the terminal's last sequence number, the fingerprint of each request applied, then the
// engine's saved form. Snapshots written before fingerprints existed have no seq-print lines.
std::string snapshot_text(std::uint32_t last_seq, const std::map<std::uint32_t, std::string>& prints,
                          const std::string& saved) {
  // Written with every answer: appended in place, no temporaries.
  std::string out;
  out.reserve(seq_prefix.size() + 12 + prints.size() * (print_prefix.size() + 12 + 17) + saved.size());
  out.append(seq_prefix).append(std::to_string(last_seq)).push_back('\n');
  for (const auto& [seq, print] : prints) {
    out.append(print_prefix).append(std::to_string(seq)).push_back(' ');
    out.append(print).push_back('\n');
  }
  out.append(saved);
  return out;
}

struct parsed_snapshot {
  std::uint32_t last_seq = 0;
  std::map<std::uint32_t, std::string> prints;
  saved_interview saved;
};

result<parsed_snapshot> parse_snapshot(const std::string& text) {
  if (text.rfind(seq_prefix, 0) != 0) return error{"the snapshot has no sequence number"};
  parsed_snapshot out;
  auto eol = text.find('\n');
  try {
    out.last_seq =
        static_cast<std::uint32_t>(std::stoul(text.substr(seq_prefix.size(), eol - seq_prefix.size())));
    std::size_t at = eol == std::string::npos ? text.size() : eol + 1;
    while (text.compare(at, print_prefix.size(), print_prefix) == 0) {
      const auto end = text.find('\n', at);
      const auto line = text.substr(at + print_prefix.size(), end - at - print_prefix.size());
      const auto space = line.find(' ');
      if (space == std::string::npos) return error{"a seq-print line of the snapshot has no fingerprint"};
      out.prints[static_cast<std::uint32_t>(std::stoul(line.substr(0, space)))] = line.substr(space + 1);
      at = end == std::string::npos ? text.size() : end + 1;
    }
    auto saved = saved_interview_from_text(text.substr(at));
    if (!saved) return saved.err();
    out.saved = std::move(saved).value();
  } catch (const std::exception&) {  // stoul on a damaged number
    return error{"the snapshot's sequence numbers are damaged"};
  }
  return out;
}

std::string random_respondent_id(splitmix64& rng) {
  static constexpr char digits[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no 0/O, 1/I: read over the phone
  std::string id = "R";
  for (int i = 0; i < 10; ++i) id += digits[rng.below(sizeof digits - 1)];
  return id;
}

bool is_call_outcome(outcome o) {
  switch (o) {
    case outcome::complete:
    case outcome::over_quota:
    case outcome::break_off:
    case outcome::unspecified: return false;
    default: return true;
  }
}

}  // namespace

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
                     interview_id next_interview_id, std::uint64_t random_seed, fieldwork_options options)
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
      random_(random_seed),
      next_interview_id_(next_interview_id) {
  priority_ = std::make_unique<quota_priority>(*this);
  scheduler_ = std::make_unique<scheduler>(calendar_, study_->rules, cases_, *priority_);
}

fieldwork::~fieldwork() = default;

void fieldwork::load_cases(std::vector<loaded_case> cases) {
  for (auto& c : cases) {
    auto& extra = extra_[c.record.id];
    extra.contact = std::move(c.contact);
    extra.respondent_id = std::move(c.respondent_id);
    extra.seed = c.seed;
    for (auto& [interview, values] : quota_points(c)) arrivals_[interview] = std::move(values);
    cases_.put(std::move(c.record));
  }
  scheduler_->refresh();
  priority_->stale();
}

std::vector<std::pair<interview_id, std::string>> fieldwork::load_interviews(std::vector<loaded_interview> list) {
  std::vector<std::pair<interview_id, std::string>> failed;
  for (auto& li : list) {
    next_interview_id_ = std::max(next_interview_id_, li.id + 1);
    auto extra = extra_.find(li.case_);
    if (extra == extra_.end()) {
      failed.emplace_back(li.id, "its case " + std::to_string(li.case_) + " is not in the sample");
      continue;
    }
    live_interview iv{li.id, li.case_, li.interviewer, li.language, {}, 0, li.rows, {}, li.started_at, {}, {}};
    if (li.snapshot.empty()) {
      iv.state = engine_.start(frame_of(li.case_), extra->second.seed);
    } else {
      auto parsed = parse_snapshot(li.snapshot);
      if (!parsed) {
        failed.emplace_back(li.id, parsed.err().message);
        continue;
      }
      auto state = engine_.restore(parsed->saved, frame_of(li.case_), extra->second.seed);
      if (!state) {
        failed.emplace_back(li.id, state.err().message);
        continue;
      }
      iv.state = std::move(state).value();
      iv.last_seq = parsed->last_seq;
      iv.prints = std::move(parsed->prints);
      forget_old_prints(iv);  // a snapshot from before the window was bounded
    }
    // A call logged since the interview started can only be its suspension (break-off, appointment).
    if (const case_record* c = cases_.find(li.case_))
      if (std::any_of(c->calls.begin(), c->calls.end(), [&](const call_attempt& a) { return a.at >= li.started_at; }))
        suspended_.insert(li.id);
    extra->second.open_interview = li.id;
    interviews_[li.id] = std::move(iv);
  }
  return failed;
}

// --- helpers ---------------------------------------------------------------------------------------

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

result<fieldwork::live_interview*, fault> fieldwork::owned_interview(const user& who, interview_id id, time_point now) {
  auto it = interviews_.find(id);
  if (it == interviews_.end() || it->second.interviewer != who.name)
    return fault{fault_code::not_your_case, "interview " + std::to_string(id) + " is not yours"};
  auto& iv = it->second;
  if (iv.state.status != interview_status::finished) {
    if (!scheduler_->renew(iv.case_, who.name, now) && !scheduler_->hold(iv.case_, {who.name, who.languages}, now))
      return fault{fault_code::not_your_case, "case " + std::to_string(iv.case_) + " is held by someone else"};
  }
  return &iv;
}

result<fieldwork::seq_kind, fault> fieldwork::check_seq(const live_interview& iv, std::uint32_t seq,
                                                        const std::string& print) const {
  if (seq > iv.last_seq + 1)
    return fault{fault_code::future_sequence, "sequence number " + std::to_string(seq) + " skips ahead: the next is " +
                                                  std::to_string(iv.last_seq + 1)};
  if (seq == iv.last_seq + 1) return seq_kind::fresh;
  // An older number: the same request again (a resend after a lost ack) changes nothing; another request
  // under a used number is a terminal bug that must be seen, not answered as if it had been applied.
  const auto next = std::to_string(iv.last_seq + 1);
  auto it = iv.prints.find(seq);
  if (it == iv.prints.end()) {
    // Older than the fingerprints kept: it cannot be checked. (Within the window but without a
    // fingerprint: applied before fingerprints were kept, by a server of an earlier version; a repeat.)
    if (iv.last_seq - seq >= kept_prints)
      return fault{fault_code::stale_sequence, "sequence number " + std::to_string(seq) + " is older than the last " +
                                                   std::to_string(kept_prints) +
                                                   " the server can check; the next is " + next};
    return seq_kind::repeat;
  }
  if (it->second != print)
    return fault{fault_code::stale_sequence,
                 "sequence number " + std::to_string(seq) + " was used for another request; the next is " + next};
  return seq_kind::repeat;
}

void fieldwork::applied(live_interview& iv, std::uint32_t seq, std::string print) {
  iv.last_seq = seq;
  iv.prints[seq] = std::move(print);
  forget_old_prints(iv);
}

void fieldwork::forget_old_prints(live_interview& iv) {
  while (!iv.prints.empty() && iv.last_seq - iv.prints.begin()->first >= kept_prints) iv.prints.erase(iv.prints.begin());
}

bool fieldwork::ensure_lease(live_interview& iv, const user& who, time_point now, change_list& changes) {
  if (iv.state.status == interview_status::finished || !iv.state.quota_granted) return true;
  if (book_.lease_of(iv.id)) {
    // Activity keeps the lease alive. The renewal goes to disk with the request like every quota event:
    // a restart must not bring back an earlier deadline.
    if (auto renewed = book_.renew(iv.id, now, options_.lease_ttl); renewed && !renewed->empty())
      changes.push_back(quota_changed{std::move(renewed).value()});
    return true;
  }
  auto ans = book_.try_lease(iv.id, quota_values_of(*iv.state.quota_granted), now, options_.lease_ttl);
  if (!ans.events.empty()) changes.push_back(quota_changed{ans.events});
  priority_->stale();
  if (ans.granted) return true;
  iv.state.status = interview_status::finished;
  iv.state.result = outcome::over_quota;
  iv.end_message = ans.message();
  end_interview(iv, who, now, changes);
  return false;
}

void fieldwork::save(const live_interview& iv, change_list& changes) const {
  changes.push_back(snapshot_saved{iv.id, snapshot_text(iv.last_seq, iv.prints, to_text(engine_.save(iv.state)))});
}

void fieldwork::log_rows(live_interview& iv, const user& who, time_point now, const std::string& question,
                         const std::optional<value>& answer, const std::vector<dropped_answer>& dropped,
                         change_list& changes) {
  if (answer) {
    std::optional<std::string> text;
    if (!answer->is_empty()) text = answer->to_string();
    changes.push_back(answer_logged{iv.id, ++iv.rows, question, false, text, now, who.id});
  }
  for (const auto& d : dropped) changes.push_back(answer_logged{iv.id, ++iv.rows, d.name, true, std::nullopt, now, who.id});
}

void fieldwork::log_call(case_id id, const user& who, time_point now, outcome result, const std::string& number,
                         const std::string& note, std::optional<interview_id> interview,
                         std::optional<appointment> callback, change_list& changes) {
  std::string dialled = number;
  if (dialled.empty())
    if (auto it = extra_.find(id); it != extra_.end() && !it->second.contact.phones.empty())
      dialled = it->second.contact.phones.front();
  cases_.record_call(id, call_attempt{now, who.name, result, callback});
  changes.push_back(call_logged{id, who.id, now, dialled, result, note, interview, callback});
  count(who, now, result == outcome::complete);
  priority_->stale();
}

void fieldwork::count(const user& who, time_point now, bool complete) {
  auto& c = counters_[{who.name, calendar_.day_index(now)}];
  ++c.calls;
  if (complete) ++c.completes;
}

counters fieldwork::today(const user& who, time_point now) const {
  auto it = counters_.find({who.name, calendar_.day_index(now)});
  return it == counters_.end() ? counters{} : it->second;
}

// --- interviewers ----------------------------------------------------------------------------------

effect<std::variant<case_offer, idle>> fieldwork::next_case(const user& who, time_point now) {
  effect<std::variant<case_offer, idle>> out{std::variant<case_offer, idle>(idle{}), {}};
  // An interviewer in the middle of an interview finishes it first.
  for (const auto& [id, iv] : interviews_)
    if (iv.interviewer == who.name && iv.state.status != interview_status::finished &&
        scheduler_->holder(iv.case_, now) == who.name) {
      out.reply = fault{fault_code::invalid_request, "interview " + std::to_string(id) +
                                                         " is still open: finish or suspend it first"};
      return out;
    }
  priority_->outlook();  // fresh verdicts before the scheduler asks
  auto a = scheduler_->next_case({who.name, who.languages, false}, now);
  if (!a) {
    out.reply = std::variant<case_offer, idle>(idle{a.err()});
    return out;
  }
  out.reply = std::variant<case_offer, idle>(offer_of(a->id, &a.value()));
  return out;
}

effect<call_done> fieldwork::record_call(const user& who, case_id id, outcome result,
                                         std::optional<time_point> appointment_at, bool personal,
                                         const std::string& note, const std::string& number, time_point now) {
  effect<call_done> out{call_done{id, result}, {}};
  if (scheduler_->holder(id, now) != who.name) {
    out.reply = fault{fault_code::not_your_case, "case " + std::to_string(id) + " is not held by " + who.name};
    return out;
  }
  if (!is_call_outcome(result)) {
    out.reply = fault{fault_code::invalid_request,
                      std::string(to_string(result)) + " is the end of an interview, not of a call"};
    return out;
  }
  std::optional<appointment> callback;
  if (result == outcome::appointment) {
    if (!appointment_at) {
      out.reply = fault{fault_code::invalid_request, "an appointment needs a date and time"};
      return out;
    }
    if (auto why = calendar_.appointment_problem(*appointment_at, now)) {
      out.reply = fault{fault_code::invalid_request, std::move(*why)};
      return out;
    }
    callback = appointment{*appointment_at, personal};
  }
  auto open = extra_[id].open_interview;
  log_call(id, who, now, result, number, note, open, callback, out.changes);
  scheduler_->release(id, who.name);
  return out;
}

effect<interview_view> fieldwork::start_interview(const user& who, case_id id, const std::string& language,
                                                  time_point now) {
  effect<interview_view> out{interview_view{}, {}};
  if (scheduler_->holder(id, now) != who.name) {
    out.reply = fault{fault_code::not_your_case, "case " + std::to_string(id) + " is not held by " + who.name};
    return out;
  }
  auto& extra = extra_[id];
  std::string lang = language;
  if (lang.empty()) {
    const case_record* c = cases_.find(id);
    lang = c && !c->language.empty() ? c->language : study_->default_language;
  }
  if (std::find(study_->languages.begin(), study_->languages.end(), lang) == study_->languages.end()) {
    out.reply = fault{fault_code::invalid_request, "'" + lang + "' is not a language of the study"};
    return out;
  }

  if (extra.open_interview) {  // resume a suspended interview where it stopped
    auto& iv = interviews_.at(*extra.open_interview);
    iv.interviewer = who.name;
    suspended_.erase(iv.id);
    iv.language = lang;
    if (ensure_lease(iv, who, now, out.changes)) save(iv, out.changes);
    out.reply = view_of(iv, false);
    return out;
  }

  if (extra.respondent_id.empty()) {
    extra.respondent_id = random_respondent_id(random_);
    extra.seed = random_.next();
  }
  live_interview iv{next_interview_id_++, id, who.name, lang, engine_.start(frame_of(id), extra.seed), 0, 0, {}, now, {}, {}};
  out.changes.push_back(interview_opened{iv.id, id, who.id, study_->version, lang, now, extra.respondent_id, extra.seed});
  extra.open_interview = iv.id;
  auto& stored = interviews_[iv.id] = std::move(iv);
  if (stored.state.status == interview_status::finished) end_interview(stored, who, now, out.changes);
  save(stored, out.changes);
  out.reply = view_of(stored, false);
  return out;
}

effect<interview_view> fieldwork::answer(const user& who, interview_id id, std::uint32_t seq,
                                         const std::string& question, const std::string& text, time_point now) {
  effect<interview_view> out{interview_view{}, {}};
  auto found = owned_interview(who, id, now);
  if (!found) {
    out.reply = found.err();
    return out;
  }
  live_interview& iv = *found.value();
  const auto print = request_print("answer", question, text);
  auto kind = check_seq(iv, seq, print);
  if (!kind) {
    out.reply = kind.err();
    return out;
  }
  if (*kind == seq_kind::repeat) {  // nothing changes
    out.reply = view_of(iv, true);
    return out;
  }
  if (iv.state.status != interview_status::in_progress) {
    out.reply = fault{fault_code::invalid_request, "interview " + std::to_string(id) + " has ended"};
    return out;
  }
  const auto& current = study_->questions[iv.state.current];
  if (question != current.name) {
    out.reply = fault{fault_code::wrong_question, "the answer is for " + question + ", but the interview is at " +
                                                      current.name};
    return out;
  }
  // Every refusal comes before the lease is touched: a refused request is not committed (the host drops
  // its changes), so it must not change the book either. The answer is tried on a copy for that reason.
  auto answered = iv.state;
  auto step = engine_.answer(answered, text, iv.language);
  if (!step) {
    out.reply = fault{fault_code::invalid_answer, step.err().message};
    return out;
  }
  if (!ensure_lease(iv, who, now, out.changes)) {  // ended over quota while away: the answer is not applied
    out.reply = view_of(iv, false);
    return out;
  }
  iv.state = std::move(answered);
  applied(iv, seq, print);
  std::optional<value> recorded;
  if (current.type != question_type::note)
    if (auto it = iv.state.answers.find(current.name); it != iv.state.answers.end()) recorded = it->second;
  log_rows(iv, who, now, current.name, recorded, step->dropped, out.changes);
  settle(iv, std::move(step).value(), who, now, out.changes);
  save(iv, out.changes);
  out.reply = view_of(iv, false);
  return out;
}

void fieldwork::settle(live_interview& iv, step s, const user& who, time_point now, change_list& changes) {
  while (s.kind == step_kind::quota_check) {
    auto values = quota_values_of(s.quota_values);
    arrivals_[iv.id] = values;
    auto ans = book_.try_lease(iv.id, values, now, options_.lease_ttl);
    if (!ans.events.empty()) changes.push_back(quota_changed{ans.events});
    priority_->stale();
    auto next = engine_.quota_decision(iv.state, ans.granted, iv.language);
    if (!ans.granted) iv.end_message = ans.message();
    if (!next) break;  // cannot happen: the state was waiting for this decision
    log_rows(iv, who, now, {}, std::nullopt, next->dropped, changes);
    s = std::move(next).value();
  }
  if (s.kind == step_kind::finished) end_interview(iv, who, now, changes);
}

void fieldwork::end_interview(live_interview& iv, const user& who, time_point now, change_list& changes,
                              std::optional<appointment> callback, const std::string& note) {
  const outcome result = iv.state.result;
  iv.ended_at = now;
  if (result == outcome::complete) {
    if (auto done = book_.complete(iv.id)) changes.push_back(quota_changed{std::move(done).value()});
  } else if (auto released = book_.release(iv.id); !released.empty()) {
    changes.push_back(quota_changed{std::move(released)});
  }
  priority_->stale();
  log_call(iv.case_, who, now, result, {}, note, iv.id, callback, changes);
  changes.push_back(interview_closed{iv.id, result, now});
  extra_[iv.case_].open_interview.reset();
  // A call-back screen-out (the wrong person answered) keeps the case held by the interviewer, who is
  // told to make an appointment with the right person on the same call; asking for the next case, or the
  // lock's expiry, releases it.
  if (result != outcome::callback) scheduler_->release(iv.case_, who.name);
}

effect<interview_view> fieldwork::back(const user& who, interview_id id, std::uint32_t seq, time_point now) {
  effect<interview_view> out{interview_view{}, {}};
  auto found = owned_interview(who, id, now);
  if (!found) {
    out.reply = found.err();
    return out;
  }
  live_interview& iv = *found.value();
  const auto print = request_print("back");
  auto kind = check_seq(iv, seq, print);
  if (!kind) {
    out.reply = kind.err();
    return out;
  }
  if (*kind == seq_kind::repeat) {
    out.reply = view_of(iv, true);
    return out;
  }
  auto went_back = iv.state;  // tried on a copy: a refusal must leave the book untouched (see answer())
  auto step = engine_.back(went_back);
  if (!step) {
    out.reply = fault{fault_code::invalid_request, step.err().message};
    return out;
  }
  if (!ensure_lease(iv, who, now, out.changes)) {  // ended over quota while away
    out.reply = view_of(iv, false);
    return out;
  }
  iv.state = std::move(went_back);
  applied(iv, seq, print);
  save(iv, out.changes);
  out.reply = view_of(iv, false);
  return out;
}

effect<interview_view> fieldwork::suspend(const user& who, interview_id id, std::uint32_t seq, outcome result,
                                          std::optional<time_point> appointment_at, const std::string& note,
                                          time_point now) {
  effect<interview_view> out{interview_view{}, {}};
  auto found = owned_interview(who, id, now);
  if (!found) {
    out.reply = found.err();
    return out;
  }
  live_interview& iv = *found.value();
  const auto print = request_print("suspend", to_string(result));
  auto kind = check_seq(iv, seq, print);
  if (!kind) {
    out.reply = kind.err();
    return out;
  }
  if (*kind == seq_kind::repeat) {
    out.reply = view_of(iv, true);
    return out;
  }
  // No ensure_lease here: suspending gives the lease back anyway, and a lease that lapsed meanwhile is not
  // taken again only to be returned (nor is a refusal turned into over quota).
  if (iv.state.status != interview_status::in_progress) {
    out.reply = fault{fault_code::invalid_request, "interview " + std::to_string(id) + " has ended"};
    return out;
  }
  const bool keeps_open = result == outcome::break_off || result == outcome::appointment || result == outcome::callback;
  const bool closes = result == outcome::soft_refusal || result == outcome::refusal_target ||
                      result == outcome::refusal_receptionist || result == outcome::language_problem ||
                      result == outcome::unavailable;
  if (!keeps_open && !closes) {
    out.reply = fault{fault_code::invalid_request, std::string(to_string(result)) + " cannot suspend an interview"};
    return out;
  }
  std::optional<appointment> callback;
  if (result == outcome::appointment) {
    if (!appointment_at) {
      out.reply = fault{fault_code::invalid_request, "an appointment needs a date and time"};
      return out;
    }
    if (auto why = calendar_.appointment_problem(*appointment_at, now)) {
      out.reply = fault{fault_code::invalid_request, std::move(*why)};
      return out;
    }
    callback = appointment{*appointment_at, true};
  }
  applied(iv, seq, print);
  if (closes) {
    iv.state.status = interview_status::finished;
    iv.state.result = result;
    end_interview(iv, who, now, out.changes, std::nullopt, note);
  } else {
    // Suspended: the lease goes back now and is taken again when the interview resumes.
    suspended_.insert(iv.id);
    if (auto released = book_.release(iv.id); !released.empty()) out.changes.push_back(quota_changed{std::move(released)});
    priority_->stale();
    log_call(iv.case_, who, now, result, {}, note, iv.id, callback, out.changes);
    scheduler_->release(iv.case_, who.name);
  }
  save(iv, out.changes);
  out.reply = view_of(iv, false);
  if (keeps_open) {
    out.reply.value().ended = result;
    out.reply.value().current.reset();
    out.reply.value().aapor_code = std::string(code_text(code_of(result, true, false)));
  }
  return out;
}

effect<interview_view> fieldwork::set_language(const user& who, interview_id id, const std::string& language,
                                               time_point now) {
  effect<interview_view> out{interview_view{}, {}};
  auto found = owned_interview(who, id, now);
  if (!found) {
    out.reply = found.err();
    return out;
  }
  if (std::find(study_->languages.begin(), study_->languages.end(), language) == study_->languages.end()) {
    out.reply = fault{fault_code::invalid_request, "'" + language + "' is not a language of the study"};
    return out;
  }
  found.value()->language = language;
  out.reply = view_of(*found.value(), false);
  return out;
}

effect<session_view> fieldwork::resume(const user& who, time_point now) {
  effect<session_view> out{session_view{}, {}};
  const auto open_of_who = [&](const live_interview& iv) {
    return iv.interviewer == who.name && iv.state.status != interview_status::finished;
  };
  // The interview whose case `who` still holds is the one they were in. Without one (a restart, a lapsed
  // lock) their latest open interview that is not suspended is taken back, if its case is free.
  live_interview* chosen = nullptr;
  for (auto& [id, iv] : interviews_)
    if (open_of_who(iv) && scheduler_->holder(iv.case_, now) == who.name) chosen = &iv;
  for (auto it = interviews_.rbegin(); !chosen && it != interviews_.rend(); ++it)
    if (open_of_who(it->second) && !suspended_.contains(it->first) &&
        scheduler_->hold(it->second.case_, {who.name, who.languages}, now))
      chosen = &it->second;
  if (!chosen || !scheduler_->hold(chosen->case_, {who.name, who.languages}, now)) return out;
  if (ensure_lease(*chosen, who, now, out.changes)) out.reply.value().held = offer_of(chosen->case_, nullptr);
  out.reply.value().interview = view_of(*chosen, false);
  return out;
}

// --- supervisors -----------------------------------------------------------------------------------

effect<quota_cell_state> fieldwork::quota_action(const user& who, quota_op op, const cell_id& cell, int target,
                                                 time_point now) {
  effect<quota_cell_state> out{quota_cell_state{}, {}};
  if (who.role == user_role::interviewer) {
    out.reply = fault{fault_code::forbidden, "quota changes need the supervisor role"};
    return out;
  }
  const auto* before = book_.find(cell);
  if (!before) {
    out.reply = fault{fault_code::unknown, "no quota cell " + to_string(cell)};
    return out;
  }
  const int old_target = before->target;
  result<quota_events, quota_error> done = quota_events{};
  std::string action, details = before->name;
  switch (op) {
    case quota_op::set_target:
      done = book_.set_target(cell, target);
      action = "quota_target";
      details += ": target " + std::to_string(old_target) + " -> " + std::to_string(target);
      break;
    case quota_op::close:
      done = book_.close(cell);
      action = "quota_close";
      details += ": closed";
      break;
    case quota_op::reopen:
      done = book_.reopen(cell);
      action = "quota_reopen";
      details += ": reopened";
      break;
  }
  if (!done) {
    out.reply = fault{fault_code::invalid_request, done.err().message};
    return out;
  }
  out.changes.push_back(quota_changed{std::move(done).value()});
  out.changes.push_back(audit_logged{now, who.id, action, details});
  priority_->stale();
  out.reply = *book_.find(cell);
  return out;
}

std::vector<quota_row> fieldwork::quota_table() { return priority_->outlook().rows(); }

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

change_list fieldwork::tick(time_point now) {
  change_list changes;
  if (auto expired = book_.expire(now); !expired.empty()) {
    changes.push_back(quota_changed{std::move(expired)});
    priority_->stale();
  }
  return changes;
}

}  // namespace cati::core
