// Interviews: starting (or taking over) one, answers, back, suspensions and closing refusals, language
// switches, endings; sequence numbers and their fingerprints; what each writes to the store.
#include <algorithm>

#include "core/calling/disposition.hpp"
#include "core/fieldwork/fieldwork.hpp"
#include "core/fieldwork/fieldwork_quota_priority.hpp"
#include "core/fieldwork/fieldwork_rules.hpp"
#include "core/fieldwork/fieldwork_snapshot.hpp"

namespace cati::core {

using detail::request_print;

// --- ownership, sequence numbers, persistence ------------------------------------------------------

result<fieldwork::live_interview*, fault> fieldwork::owned_interview(const user& who, interview_id id, time_point now) {
  auto it = interviews_.find(id);
  if (it == interviews_.end() || it->second.interviewer != who.name)
    return fault{fault_code::not_your_case, "interview " + std::to_string(id) + " is not yours"};
  auto& iv = it->second;
  if (iv.state.status != interview_status::finished) {
    const auto holder = scheduler_->holder(iv.case_, now);
    if (holder && *holder != who.name)
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

void fieldwork::save(const live_interview& iv, change_list& changes) const {
  changes.push_back(
      snapshot_saved{iv.id, detail::snapshot_text(iv.last_seq, iv.prints, iv.end_message, to_text(engine_.save(iv.state)))});
}

void fieldwork::save_owner(const live_interview& iv, const user& owner, change_list& changes) const {
  changes.push_back(interview_owned{iv.id, owner.id, iv.language, suspended_.contains(iv.id)});
}

std::optional<std::string> fieldwork::row_value(const value& v) {
  if (v.is_empty()) return std::nullopt;
  return v.to_string();
}

void fieldwork::log_rows(live_interview& iv, const user& who, time_point now, const std::string& question,
                         const std::optional<value>& answer, const std::vector<dropped_answer>& dropped,
                         change_list& changes, std::uint32_t seq, const std::string& print) {
  if (answer)
    changes.push_back(answer_logged{iv.id, ++iv.rows, question, false, row_value(*answer), now, who.id, seq, print});
  for (const auto& d : dropped)
    changes.push_back(answer_logged{iv.id, ++iv.rows, d.name, true, std::nullopt, now, who.id, 0, {}});
}

bool fieldwork::past_partial_point(const live_interview& iv) const {
  return !study_->partial_after.empty() && iv.state.answers.contains(study_->partial_after);
}

std::string fieldwork::fresh_respondent_id() {
  static constexpr char digits[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no 0/O, 1/I: read over the phone
  while (true) {  // 50 random bits: a repeat is astronomically rare, but the schema refuses one (UNIQUE)
    std::string id = "R";
    for (int i = 0; i < 10; ++i) id += digits[random_->below(sizeof digits - 1)];
    if (respondent_ids_.insert(id).second) return id;
  }
}

// --- requests --------------------------------------------------------------------------------------

effect<interview_view> fieldwork::start_interview(const user& who, std::uint64_t request, case_id id,
                                                  const std::string& language, time_point now) {
  begin_request();
  effect<interview_view> out{interview_view{}, {}};
  if (forbidden(fieldwork_request::start_interview, who, out)) return out;
  if (const auto* earlier = earlier_request(who, request)) {
    if (earlier->kind != request_kind::start_interview || earlier->case_ != id) {
      out.reply = fault{fault_code::invalid_request,
                        "request id " + std::to_string(request) + " was used for another request"};
    } else if (auto it = interviews_.find(earlier->interview); it != interviews_.end()) {
      out.reply = view_of(it->second, false);  // a resend: the interview it started, where it is now
    } else {
      out.reply = fault{fault_code::unknown, "interview " + std::to_string(earlier->interview) + " has ended"};
    }
    return out;
  }
  if (auto no = refused(fieldwork_request::start_interview, who, id, std::nullopt, now)) {
    out.reply = std::move(*no);
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
  keep_hold(id, who, now);

  if (extra.open_interview) {  // resume a suspended interview where it stopped, whoever opened it
    auto& iv = interviews_.at(*extra.open_interview);
    iv.interviewer = who.name;
    suspended_.erase(iv.id);
    iv.language = lang;
    save_owner(iv, who, out.changes);  // the takeover, the language and the resumption are durable
    if (ensure_lease(iv, who, now, out.changes)) save(iv, out.changes);
    out.reply = view_of(iv, false);
    log_request({who.id, request, request_kind::start_interview, id, iv.id, outcome::unspecified, {}, now},
                out.changes);
    flush_locks(out.changes);
    return out;
  }

  if (extra.respondent_id.empty()) {
    extra.respondent_id = fresh_respondent_id();
    extra.seed = random_->next() >> 1;  // SQLite integers are signed
  }
  live_interview iv{next_interview_id_++, id, who.name, lang, engine_.start(frame_of(id), extra.seed), 0, 0, {}, now, {}, {}};
  out.changes.push_back(interview_opened{iv.id, id, who.id, study_->version, lang, now, extra.respondent_id, extra.seed});
  extra.open_interview = iv.id;
  auto& stored = interviews_[iv.id] = std::move(iv);
  if (stored.state.status == interview_status::finished) end_interview(stored, who, now, out.changes);
  save(stored, out.changes);
  out.reply = view_of(stored, false);
  log_request({who.id, request, request_kind::start_interview, id, stored.id, outcome::unspecified, {}, now},
              out.changes);
  flush_locks(out.changes);
  return out;
}

fieldwork::live_interview* fieldwork::fresh_sequenced(const user& who, interview_id id, std::uint32_t seq,
                                                      const std::string& print, time_point now,
                                                      effect<interview_view>& out) {
  // Answer, Back and Suspend share their row's roles: checked before anything is looked up.
  if (forbidden(fieldwork_request::answer, who, out)) return nullptr;
  if (seq == 0) {  // never a repeat of anything: numbers start at 1 (fieldwork_rules.hpp, sequence_number)
    out.reply = sequence_number(seq).err();
    return nullptr;
  }
  auto found = owned_interview(who, id, now);
  if (!found) {
    out.reply = found.err();
    return nullptr;
  }
  live_interview& iv = *found.value();
  auto kind = check_seq(iv, seq, print);
  if (!kind) {
    out.reply = kind.err();
    return nullptr;
  }
  if (*kind == seq_kind::repeat) {  // nothing changes: the current screen again, marked duplicate
    out.reply = view_of(iv, true);
    return nullptr;
  }
  return &iv;
}

effect<interview_view> fieldwork::answer(const user& who, std::uint64_t, interview_id id, std::uint32_t seq,
                                         const std::string& question, const std::string& text, time_point now) {
  begin_request();
  effect<interview_view> out{interview_view{}, {}};
  const auto print = request_print("answer", question, text);
  live_interview* fresh = fresh_sequenced(who, id, seq, print, now, out);
  if (!fresh) return out;
  if (auto no = refused(fieldwork_request::answer, who, std::nullopt, id, now)) {
    out.reply = std::move(*no);
    return out;
  }
  live_interview& iv = *fresh;
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
  // Every refusal comes before the lease or the lock is touched: a refused request is not committed (the
  // host drops its changes), so it must not change them either. The answer is tried on a copy for that.
  auto answered = iv.state;
  auto step = engine_.answer(answered, text, iv.language);
  if (!step) {
    out.reply = fault{fault_code::invalid_answer, step.err().message};
    return out;
  }
  keep_hold(iv.case_, who, now);
  // The answer is stored whatever the lease says: the ack means stored. When the lease lapsed and the
  // cell filled meanwhile, the interview then ends over quota, and the reply says so.
  auto no_room = retake_lease(iv, now, out.changes);
  iv.state = std::move(answered);
  applied(iv, seq, print);
  std::optional<value> recorded;
  if (current.type != question_type::note)
    if (auto it = iv.state.answers.find(current.name); it != iv.state.answers.end()) recorded = it->second;
  log_rows(iv, who, now, current.name, recorded, step->dropped, out.changes, seq, print);
  follow_arrival(iv.id, current.name, recorded, step->dropped);
  // A plain answer (recorded, on to the next question: no quota point, no ending, no lapsed lease) writes
  // no snapshot: its row, with the sequence number and the fingerprint, is all a restart needs, which
  // replays it on the last snapshot (fieldwork_replay.cpp). Everything else saves the whole state.
  const bool plain = recorded && !no_room && step->kind == step_kind::next_screen;
  if (no_room)
    end_over_quota(iv, who, now, std::move(*no_room), out.changes);
  else
    settle(iv, std::move(step).value(), who, now, out.changes);
  if (!plain) save(iv, out.changes);
  out.reply = view_of(iv, false);
  flush_locks(out.changes);
  return out;
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
  suspended_.erase(iv.id);
  // A call-back screen-out (the wrong person answered) keeps the case held by the interviewer, who is
  // told to make an appointment with the right person on the same call; asking for the next case, or the
  // lock's expiry, releases it.
  if (result != outcome::callback)
    scheduler_->release(iv.case_, who.name);
  else {
    extra_[iv.case_].screen_out_call = case_extra::callback_call{who.name, now};
    changes.push_back(screen_out_pending{iv.case_, now});
  }
}

effect<interview_view> fieldwork::back(const user& who, std::uint64_t, interview_id id, std::uint32_t seq,
                                       time_point now) {
  begin_request();
  effect<interview_view> out{interview_view{}, {}};
  const auto print = request_print("back");
  live_interview* fresh = fresh_sequenced(who, id, seq, print, now, out);
  if (!fresh) return out;
  if (auto no = refused(fieldwork_request::back, who, std::nullopt, id, now)) {
    out.reply = std::move(*no);
    return out;
  }
  live_interview& iv = *fresh;
  auto went_back = iv.state;  // tried on a copy: a refusal must leave the book untouched (see answer())
  auto step = engine_.back(went_back);
  if (!step) {
    out.reply = fault{fault_code::invalid_request, step.err().message};
    return out;
  }
  keep_hold(iv.case_, who, now);
  auto no_room = retake_lease(iv, now, out.changes);  // as in answer(): applied, then ended over quota
  iv.state = std::move(went_back);
  applied(iv, seq, print);
  if (no_room) end_over_quota(iv, who, now, std::move(*no_room), out.changes);
  save(iv, out.changes);
  out.reply = view_of(iv, false);
  flush_locks(out.changes);
  return out;
}

effect<interview_view> fieldwork::suspend(const user& who, std::uint64_t, interview_id id, std::uint32_t seq,
                                          outcome result, std::optional<time_point> appointment_at,
                                          const std::string& note, time_point now) {
  begin_request();
  effect<interview_view> out{interview_view{}, {}};
  const auto print = request_print("suspend", to_string(result));
  live_interview* fresh = fresh_sequenced(who, id, seq, print, now, out);
  if (!fresh) return out;
  if (auto no = refused(fieldwork_request::suspend, who, std::nullopt, id, now)) {
    out.reply = std::move(*no);
    return out;
  }
  live_interview& iv = *fresh;
  // No lease check here: suspending gives the lease back anyway, and a lease that lapsed meanwhile is not
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
    auto asked = appointment_for(appointment_at, true, now);
    if (!asked) {
      out.reply = asked.err();
      return out;
    }
    callback = asked.value();
  }
  keep_hold(iv.case_, who, now);
  applied(iv, seq, print);
  // 1.2 or 2.12 is decided now, from the answers the interview holds, and recorded with the call.
  const bool partial = result == outcome::break_off && past_partial_point(iv);
  if (closes) {
    iv.state.status = interview_status::finished;
    iv.state.result = result;
    end_interview(iv, who, now, out.changes, std::nullopt, note);
  } else {
    // Suspended: the lease goes back now and is taken again when the interview resumes.
    suspended_.insert(iv.id);
    save_owner(iv, who, out.changes);
    if (auto released = book_.release(iv.id); !released.empty()) out.changes.push_back(quota_changed{std::move(released)});
    priority_->stale();
    log_call(iv.case_, who, now, result, {}, note, iv.id, callback, out.changes, partial);
    scheduler_->release(iv.case_, who.name);
  }
  save(iv, out.changes);
  out.reply = view_of(iv, false);
  if (keeps_open) {
    out.reply.value().ended = result;
    out.reply.value().current.reset();
    call_attempt recorded;  // the code of the call just logged, partial flag included
    recorded.result = result;
    recorded.partial = partial;
    out.reply.value().aapor_code = std::string(code_text(code_of(recorded, true, false)));
  }
  flush_locks(out.changes);
  return out;
}

effect<interview_view> fieldwork::set_language(const user& who, std::uint64_t, interview_id id,
                                               const std::string& language, time_point now) {
  begin_request();
  effect<interview_view> out{interview_view{}, {}};
  if (forbidden(fieldwork_request::set_language, who, out)) return out;
  auto found = owned_interview(who, id, now);
  if (!found) {
    out.reply = found.err();
    return out;
  }
  if (auto no = refused(fieldwork_request::set_language, who, std::nullopt, id, now)) {
    out.reply = std::move(*no);
    return out;
  }
  if (std::find(study_->languages.begin(), study_->languages.end(), language) == study_->languages.end()) {
    out.reply = fault{fault_code::invalid_request, "'" + language + "' is not a language of the study"};
    return out;
  }
  live_interview& iv = *found.value();
  if (iv.state.status != interview_status::finished) {
    keep_hold(iv.case_, who, now);
    iv.language = language;
    save_owner(iv, who, out.changes);  // F2 is durable: a restart keeps the language, and the export has it
  }
  out.reply = view_of(iv, false);
  flush_locks(out.changes);
  return out;
}

}  // namespace cati::core
