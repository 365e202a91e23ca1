// Who calls which firm next. next_case() hands an interviewer the case to call now, locked to them, or
// says why there is none. Each case's calling state is derived from its call history (case_plan); the
// scheduler caches the plans and re-derives a case only when the case source reports it changed.
//
// Choice, among the cases the interviewer may call (language, supervisor assignment, refusal conversion)
// that are due now, inside calling hours and not locked by someone else:
//   1. due appointments and missed-appointment retries, the interviewer's own personal appointments first,
//      then by appointment time (a personal appointment goes to its arranger first, to anyone else only
//      appointment_grace_minutes after its time);
//   2. fresh and retry cases the quota side says are dialable, by quota priority (highest first), then
//      fewest attempts, then longest since the last call (never called first), then case id.
// Cases in a full or closed frame cell are not called at all.
//
// Locks: a case is held by at most one interviewer, and an interviewer holds at most one case (asking for
// the next one releases the previous). A lock lapses case_lock_minutes (at least 1) after it was taken or
// last renewed (a renewal's expiry rounded up to the whole minute: up to a minute more), so a vanished
// terminal frees its case. Every lock taken, renewed to a later minute or released is reported to the
// lock sink (record_locks), so that its owner can persist it with the request that caused it (a renewal
// within the minute already held changes nothing and is not reported: one write a minute per case);
// restore_lock() puts a persisted lock back at start, expiry included (issue 13: a restart hands a held
// case to nobody else).
//
// Cost: next_case() pulls changes from the source, then makes one pass over a compact array of the
// cases (about 48 bytes each) with no allocation and no tz arithmetic; the quota verdict is asked only for
// cases that are due. See tests/core/scheduler_test.cpp (SchedulerTest.ThousandsOfCasesAreFast).
//
// Thread-safety: none; owned by the one thread or strand that owns fieldwork state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/calling/calendar.hpp"
#include "core/calling/case_plan.hpp"
#include "core/calling/case_source.hpp"
#include "core/ports/clock.hpp"
#include "core/quota/dial_priority.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/util/result.hpp"

namespace cati::core {

struct interviewer {
  std::string id;
  std::vector<std::string> languages;  // the interview languages they work in: {"nl"}, {"fr"}, {"nl","fr"}
  bool refusal_converter = false;      // chosen by a supervisor for refusal conversion
};

enum class idle_reason {
  window_not_open,        // before the fieldwork window; `next`: its first calling time
  window_closed,          // after the window, or no calling time left in it
  outside_calling_hours,  // in the window, between calling periods; `next`: the next calling time
  nothing_due,            // cases are left, none may be called now; `next`: when one may (nullopt: the rest
                          // wait for quota room, a colleague's lock or a supervisor's choice)
  finished,               // no case is left that this interviewer could call
};

struct no_case {
  idle_reason reason = idle_reason::nothing_due;
  std::optional<time_point> next;
};

enum class call_kind { appointment, missed_appointment, fresh, retry };

struct assignment {
  case_id id = 0;
  call_kind kind = call_kind::fresh;
  bool conversion = false;  // a refusal-conversion call
  int attempts = 0;         // attempts counted before this call
  std::optional<time_point> appointment_at;
  std::vector<outcome> spent;  // outcomes not to offer on this call (their max_per_case is reached)
  time_point lock_expires;     // unless renewed
};

enum class hold_error { unknown_case, held_by_other };

// A lock as it changed: taken or renewed by `holder` until `until`, or released (holder empty).
struct lock_change {
  case_id id = 0;
  std::string holder;
  time_point until{};
};

class scheduler {
 public:
  // `cal`, `cases` and `quota` must outlive the scheduler. Reads every case from `cases` now.
  scheduler(const calendar& cal, call_rules rules, const case_source& cases, const dial_priority& quota);

  // The case `who` should call now, locked to them; releases the case they held before.
  result<assignment, no_case> next_case(const interviewer& who, time_point now);
  result<assignment, no_case> next_case(const interviewer& who, const clock& c) { return next_case(who, c.now()); }

  // Takes a given case for `who` whatever its plan says (a terminal resuming after a reconnect, a
  // supervisor handing a case out), unless someone else's lock on it is still running. Returns when the
  // lock lapses unless renewed. Releases the case `who` held before.
  result<time_point, hold_error> hold(case_id id, const interviewer& who, time_point now);
  // Keeps `who`'s lock alive (any message from their terminal about the case) until at least
  // now + case_lock_minutes, rounded up to the whole minute. False when the case is no longer theirs:
  // released, or lapsed and taken by someone else.
  bool renew(case_id id, std::string_view who, time_point now);
  // Frees the case if `who` holds it. Release only once the call's outcome is committed to the case
  // source, so that the next next_case() sees it.
  void release(case_id id, std::string_view who);

  // From now on, every lock change is appended to `*sink` (nullptr: not recorded). The sink must outlive
  // the scheduler or be reset; its owner empties it.
  void record_locks(std::vector<lock_change>* sink) { sink_ = sink; }
  // Puts back a lock persisted before a restart (a lock whose time is past is restored too: it is free,
  // as it was). Not reported to the sink. False for an unknown case.
  bool restore_lock(case_id id, const std::string& holder, time_point until);

  // Pulls what changed from the case source (next_case() and hold() do it themselves).
  void refresh();

  // For views and tests: the case's derived plan (nullptr if unknown), and who holds it at `now`.
  const case_plan* plan(case_id id) const;
  std::optional<std::string> holder(case_id id, time_point now) const;
  // The case `who` holds at `now`, if any.
  std::optional<case_id> held_by(std::string_view who, time_point now) const;
  std::size_t size() const { return hot_.size(); }

 private:
  // What the pass over all cases reads, packed together for the cache.
  struct hot_entry {
    time_point due;
    time_point last_call;   // time_point::min() when never called
    time_point lock_until;  // time_point::min() when free
    std::uint32_t parts = 0;
    std::uint32_t language = 0;  // bit of the interned language; 0 = any interviewer
    std::int32_t attempts = 0;
    case_stage stage = case_stage::fresh;
    bool new_day = false;
    bool converters_only = false;
    bool personal = false;  // personal appointment: the arranger first
    bool assigned = false;  // a supervisor assigned it to one interviewer
  };
  struct cold_entry {
    case_record record;
    case_plan plan;
    std::string holder;
  };

  void upsert(case_record&& c);
  std::uint32_t language_bit(const std::string& lang);
  std::uint32_t language_mask(const interviewer& who) const;
  bool may_call(std::size_t i, const interviewer& who) const;
  time_point ready_at(std::size_t i, std::string_view who) const;
  bool accepts(std::size_t i, const calendar::slot& s) const;
  minutes lock_span() const;
  void lock(std::size_t i, std::string_view who, time_point now);
  void unlock(std::size_t i);
  void release_held_by(std::string_view who);
  std::optional<time_point> next_due(const std::vector<std::size_t>& waiting, const interviewer& who,
                                     time_point now) const;
  assignment make_assignment(std::size_t i) const;

  const calendar& calendar_;
  call_rules rules_;
  const case_source& source_;
  const dial_priority& quota_;
  std::uint64_t revision_ = 0;

  std::vector<hot_entry> hot_;
  std::vector<cold_entry> cold_;
  std::unordered_map<case_id, std::size_t> index_;
  std::unordered_map<std::string, std::size_t> held_by_;  // interviewer -> entry; checked against holder
  std::vector<std::string> languages_;                    // interned: bit i is languages_[i]
  std::vector<std::size_t> waiting_;                      // scratch for next_case(), kept to avoid allocating
  std::vector<lock_change>* sink_ = nullptr;
};

}  // namespace cati::core
