// The fieldwork service: the one place where fieldwork state changes. It hands out cases (scheduler),
// records call outcomes, runs interviews (engine), takes and settles quota leases (quota book), and
// answers supervisors. Every request returns the reply for the terminal together with the changes to
// persist; the caller commits the changes (store) and only then sends the reply.
//
// Its code is split by concept (one file each, all implementing this class):
//   fieldwork.cpp             construction, views (offers, screens), counters, supervisor views
//   fieldwork_calls.cpp       cases and calls: next_case, record_call, the call log, case locks
//   fieldwork_interviews.cpp  interviews: start, answer, back, suspend, language, endings, sequence numbers
//   fieldwork_quotas.cpp      quota leases, the quota point, supervisors' quota actions, tick
//   fieldwork_requests.cpp    idempotency by request id (the request log)
//   fieldwork_restore.cpp     loading at start and resuming a terminal after a reconnect
//   fieldwork_replay.cpp      at start, the plain answers logged after an interview's snapshot, replayed
//   fieldwork_snapshot.*      the text form of an interview's saved state (sequence numbers, fingerprints)
//   fieldwork_quota_priority.hpp  the scheduler's view of the quotas
//
// Durable truth (DESIGN.md, "Ownership and durable truth"): whatever decides who may do what is in the
// changes of the request that makes it true, and load_*() rebuild it exactly: case locks and their expiry
// (case_held), who owns an open interview, its language and whether it is suspended (interview_owned),
// quota leases (quota_changed), the request log (request_logged). A restart changes nothing a terminal can
// see: the same case, interview, screen and language, and nobody else is offered them.
//
// Exactly-once answers: every Answer/Back/Suspend carries the interview id and the terminal's sequence
// number (1, 2, 3 ...). A sequence number at or below the last one applied is a repeat: it changes
// nothing and gets the current screen again, marked duplicate. One that skips ahead is refused. The
// last applied number is saved with the interview's snapshot, or (a plain answer, which writes no
// snapshot) with the answer's row, so repeats are recognised after a restart (the latest ended interview
// of each interviewer is loaded too: the resend of the request that ended it gets its duplicate ack, not
// not_your_case).
//
// Idempotent requests: next_case, record_call, start_interview and quota_action take the terminal's
// request id (0: none). A repeat by the same user under the same id gets the original reply and changes
// nothing: a resent NextCase the case it was offered (not another), a resent CallResult its call_done.
// The id is logged with the request's changes (request_logged), so this holds across restarts. The latest
// `kept_requests` ids of each user are kept.
//
// An ack means stored: an answer (or back) sent while the interview's lease had lapsed and its cell
// filled or closed meanwhile is stored, and the interview then ends over quota: the reply is the ended
// view (outcome over_quota, end_message saying which cell), never an ack of something not stored.
//
// Leases and locks: an interview that passes the quota point holds a lease renewed (and the renewal
// persisted) by each of its answers, backs and resumes (lease_ttl); a case is locked to its interviewer
// (the study's case_lock_minutes), the lock renewed by each request on it and persisted when the renewal
// reaches a later minute (scheduler::renew: at most once a minute, memory and file alike). A terminal that
// disconnects and comes back in time keeps both; tick() sweeps expired leases. A refused request changes
// no lease and no lock. Suspending an interview (break-off, appointment) gives its lease back; resuming it
// takes a lease again, or ends it over quota when its cell filled meanwhile.
//
// Thread-safety: none. One strand owns the service (DESIGN.md: "fieldwork state changes in one place,
// one at a time"). It does no I/O: cases come in through load_cases(), time through the `now` arguments,
// randomness through the randomness port.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/calling/calendar.hpp"
#include "core/calling/case_source.hpp"
#include "core/questionnaire/engine.hpp"
#include "core/fieldwork/fieldwork_changes.hpp"
#include "core/quota/quota_book.hpp"
#include "core/quota/quota_outlook.hpp"
#include "core/calling/scheduler.hpp"
#include "core/report/supervisor_status.hpp"
#include "core/ports/randomness.hpp"

namespace cati::core {

enum class user_role { interviewer, supervisor, admin };
enum class fieldwork_request;  // the state machine's requests (fieldwork_rules.hpp)

struct user {
  user_id id = 0;
  std::string name;
  user_role role = user_role::interviewer;
  std::vector<std::string> languages;
  bool converter = false;  // may call soft refusals back: the "converter" skill
};

// Contact data of a case: shown on the interviewer's case card, used for fills, never in answers.
struct case_contact {
  std::string firm_id;
  std::string company;
  std::string contact_name;
  std::vector<std::string> phones;
};

// A case as the store hands it over, at start and after an import into a live fieldwork.
struct loaded_case {
  case_record record;  // frame (no contact data), language, whole call history
  case_contact contact;
  std::string respondent_id;  // set once the case had an interview; else chosen at its first
  std::uint64_t seed = 0;
  // The case's lock as persisted (case_held): restored with its expiry. Empty holder: free. Nullopt:
  // never recorded (a file written before locks were persisted).
  std::string holder;
  std::optional<time_point> held_until;
  // The screen-out call awaiting its appointment (screen_out_pending), by the time of that call.
  std::optional<time_point> screen_out_at;
  // Per interview of the case that reached the quota point (whatever its end): its current answers to
  // the quotas' questions. With the frame these place it in its cells: the outlook's arrivals.
  std::map<interview_id, quota_values> quota_answers;
};

// The values each interview in c.quota_answers had at the quota point: its answers with the case's frame
// values (an answer wins over a frame variable of the same name).
std::map<interview_id, quota_values> quota_points(const loaded_case& c);

// An answer row that carries its request's sequence number (answer_logged::client_seq).
struct sequenced_answer {
  std::uint32_t seq = 0;
  std::string print;
  std::string question;
  std::optional<std::string> value;  // nullopt: left unanswered
};

// An interview that was open when the server last stopped (or the latest ended one of an interviewer:
// `final_state` set), with its current owner, language and suspension (interview_owned).
struct loaded_interview {
  interview_id id = 0;
  case_id case_ = 0;
  std::string interviewer;
  std::string language;
  std::string snapshot;  // snapshot_saved::text; "" when the interview never got past its start
  std::int64_t rows = 0;  // answer rows written so far
  time_point started_at{};
  bool suspended = false;
  std::optional<outcome> final_state;
  // Its answer rows that carry a sequence number, in row order (may start before the snapshot: those
  // numbered after the snapshot's are the plain answers it does not hold, replayed on it). Open
  // interviews only: the request that ends an interview always writes its snapshot.
  std::vector<sequenced_answer> sequenced;
};

enum class fault_code {
  forbidden,        // the role does not allow it
  not_your_case,    // a case or interview the user does not hold
  invalid_answer,   // the message says why
  stale_sequence,
  future_sequence,
  wrong_question,
  invalid_request,  // e.g. an appointment outside calling hours
  unknown,          // no such case, interview or cell
  malformed,        // a value that is never valid in that field (seq 0, an unknown outcome number)
};

struct fault {
  fault_code code = fault_code::invalid_request;
  std::string message;
};

struct counters {
  int calls = 0;
  int completes = 0;
};

// A past call, for the case card.
struct call_view {
  time_point at{};
  std::string interviewer;
  outcome result = outcome::unspecified;
};

struct case_offer {
  case_id id = 0;
  case_contact contact;
  std::string language;
  std::map<std::string, std::string, std::less<>> frame;
  std::vector<call_view> history;
  int attempt = 1;  // this call is attempt n
  int max_attempts = 0;
  std::string quota_cell;  // e.g. "region=VLA"
  std::optional<time_point> appointment_at;
  std::optional<interview_id> open_interview;  // a suspended interview to resume
  int number_to_dial = 0;  // index in contact.phones: the plan's next live number (case_plan)
};

// The interview as the terminal shows it: the current screen, or how it ended.
struct interview_view {
  interview_id id = 0;
  case_id case_ = 0;
  std::string language;
  std::uint32_t next_seq = 1;
  bool duplicate = false;         // the request repeated one already applied
  std::optional<screen> current;  // while in progress
  // When it ended (then `current` is empty):
  std::optional<outcome> ended;
  std::string aapor_code;
  std::string end_message;
};

struct idle {
  no_case why;
};

struct call_done {
  case_id id = 0;
  outcome result = outcome::unspecified;
};

// What a terminal gets back after a reconnect: the case it holds and the interview it was in.
struct session_view {
  std::optional<case_offer> held;
  std::optional<interview_view> interview;
};

template <class T>
struct effect {
  result<T, fault> reply;
  change_list changes;
};

struct fieldwork_options {
  milliseconds lease_ttl = std::chrono::minutes(20);
};

class fieldwork {
 public:
  // How many of an interview's latest sequence numbers keep their request's fingerprint (in memory and
  // in the snapshot): bounded, so the snapshot does not grow with the interview's history.
  static constexpr std::uint32_t kept_prints = 16;

  // How many request ids of each user are remembered for repeats (in memory and in the store).
  static constexpr std::size_t kept_requests = 64;

  // `study` and `cal` must outlive the service. `quota_state` is the persisted quota state (empty for a
  // new fieldwork); `next_interview_id` is one above the largest id in the store. `random` draws
  // respondent ids and case seeds (libsodium in the server).
  fieldwork(std::shared_ptr<const questionnaire> study, const calendar& cal, const quota_state& quotas,
            interview_id next_interview_id, std::unique_ptr<randomness> random, fieldwork_options options = {});
  // For tests and simulations: deterministic draws from `random_seed` (seeded_randomness).
  fieldwork(std::shared_ptr<const questionnaire> study, const calendar& cal, const quota_state& quotas,
            interview_id next_interview_id, std::uint64_t random_seed, fieldwork_options options = {});
  ~fieldwork();
  fieldwork(const fieldwork&) = delete;
  fieldwork& operator=(const fieldwork&) = delete;

  // Adds (or replaces) cases: at start, and when firms are imported into a live fieldwork.
  void load_cases(std::vector<loaded_case> cases);
  // Open interviews found at start (and the latest ended one of each interviewer); restores each one's
  // engine state, owner, language and suspension. The case of an open interview that is not suspended
  // stays held by its owner: with its persisted lock, or (a file written before locks were persisted)
  // from `now` for the study's case lock. Call after load_cases(). Returns the ones that could not be
  // restored, with why (e.g. the questionnaire changed under them): the caller logs them.
  std::vector<std::pair<interview_id, std::string>> load_interviews(std::vector<loaded_interview> interviews,
                                                                    time_point now);
  // The request log found at start (request_logged changes as persisted).
  void load_requests(std::vector<request_logged> requests);

  // --- interviewers ---
  // `request` is the terminal's request id (0: none, never recognised as a repeat).
  effect<std::variant<case_offer, idle>> next_case(const user& who, std::uint64_t request, time_point now);
  effect<call_done> record_call(const user& who, std::uint64_t request, case_id id, outcome result,
                                std::optional<time_point> appointment_at, bool personal, const std::string& note,
                                const std::string& number, time_point now);
  effect<interview_view> start_interview(const user& who, std::uint64_t request, case_id id,
                                         const std::string& language, time_point now);
  // Answer, Back and Suspend are recognised as repeats by (interview, seq); `request` is for the log.
  effect<interview_view> answer(const user& who, std::uint64_t request, interview_id id, std::uint32_t seq,
                                const std::string& question, const std::string& text, time_point now);
  effect<interview_view> back(const user& who, std::uint64_t request, interview_id id, std::uint32_t seq,
                              time_point now);
  effect<interview_view> suspend(const user& who, std::uint64_t request, interview_id id, std::uint32_t seq,
                                 outcome result, std::optional<time_point> appointment_at, const std::string& note,
                                 time_point now);
  // Setting the language it is in already changes nothing: naturally idempotent.
  effect<interview_view> set_language(const user& who, std::uint64_t request, interview_id id,
                                      const std::string& language, time_point now);
  // After a reconnect: the case `who` holds (their lock renewed) and its open interview.
  effect<session_view> resume(const user& who, time_point now);
  counters today(const user& who, time_point now) const;

  // --- supervisors ---
  enum class quota_op { set_target, close, reopen };
  effect<quota_cell_state> quota_action(const user& who, std::uint64_t request, quota_op op, const cell_id& cell,
                                        int target, time_point now);
  // The quota table with priorities and reachability against the sample left.
  std::vector<quota_row> quota_table();
  // For the supervisor's view (core/report/supervisor_status.hpp): every case with its call history, what an
  // interviewer is doing now, and the interviews that ended. Ended interviews are known from this run
  // only: the lengths of those that ended before a restart are not reloaded.
  std::span<const case_record> cases() const { return cases_.all(); }
  interviewer_activity activity_of(std::string_view who, time_point now) const;
  std::vector<interview_span> ended_interviews() const;

  // --- housekeeping ---
  // Sweeps leases past their deadline. Call every few seconds.
  change_list tick(time_point now);

  const questionnaire& study() const { return *study_; }
  const quota_book& quotas() const { return book_; }
  std::size_t case_count() const { return cases_.size(); }

 private:
  struct live_interview {
    interview_id id = 0;
    case_id case_ = 0;
    std::string interviewer;
    std::string language;
    interview_state state;
    std::uint32_t last_seq = 0;
    std::int64_t rows = 0;
    std::string end_message;  // why it ended over quota (the book's words)
    time_point started_at{};
    time_point ended_at{};  // set once finished
    // seq -> fingerprint of the request applied under it, for the last `kept_prints` numbers only: a
    // terminal resends only what is unacknowledged, which is never more than a few requests.
    std::map<std::uint32_t, std::string> prints;
  };
  struct case_extra {
    case_contact contact;
    std::string respondent_id;
    std::uint64_t seed = 0;
    std::optional<interview_id> open_interview;
    // A screen-out that asks for a call-back ("not the right person"), by whom and when: the appointment
    // its interviewer records next, on the same hold, is agreed in that call, not a new one. Persisted
    // (screen_out_pending) and restored with the case.
    struct callback_call {
      std::string by;
      time_point at{};
    };
    std::optional<callback_call> screen_out_call;
    bool lock_recorded = false;  // loaded_case::held_until was set
  };
  class quota_priority;  // dial_priority over the quota book (fieldwork_quota_priority.hpp)

  // The closed state machine (fieldwork_rules.hpp, fieldwork_states.cpp): the refusal its table gives for
  // request `r` by `who` on case `c` (NextCase: the case `who` holds) or interview `iv`, or nullopt.
  // Called by every handler once a repeat is ruled out, before anything changes.
  std::optional<fault> refused(fieldwork_request r, const user& who, std::optional<case_id> c,
                               std::optional<interview_id> iv, time_point now) const;

  // The interview if `who` owns it and nobody else holds its case now (the lock is not touched: see
  // keep_hold). An ended interview is returned without the check.
  result<live_interview*, fault> owned_interview(const user& who, interview_id id, time_point now);
  // Renews `who`'s lock on the case, or takes it when it lapsed and is free: on the success path of a
  // request only, so that a refused request changes no lock.
  void keep_hold(case_id id, const user& who, time_point now);
  // Moves the lock changes the scheduler reported into `changes` (the last one per case): every request
  // ends with it. begin_request() forgets those of a refused request.
  void begin_request();
  void flush_locks(change_list& changes);
  // The role check of request `r` (fieldwork_rules.hpp), before anything else, a repeated request id
  // included (a role never changes, so no earlier request can make the request allowed): true when `who`
  // may not send it, with the FORBIDDEN fault in `out.reply`.
  std::optional<fault> role_refused(fieldwork_request r, const user& who) const;
  template <class T>
  bool forbidden(fieldwork_request r, const user& who, effect<T>& out) const {
    auto no = role_refused(r, who);
    if (no) out.reply = std::move(*no);
    return no.has_value();
  }
  // Answer, Back and Suspend: the interview `who` holds, when `seq` is fresh. nullptr when the request is
  // refused or repeats one already applied; `out.reply` then holds the fault, or the screen marked duplicate.
  live_interview* fresh_sequenced(const user& who, interview_id id, std::uint32_t seq, const std::string& print,
                                  time_point now, effect<interview_view>& out);
  // The appointment a call result or a suspension asks for, or why it cannot be (no time given, a time
  // past, outside the calling hours or the fieldwork: the calendar's words).
  result<appointment, fault> appointment_for(const std::optional<time_point>& at, bool personal, time_point now) const;
  // The request log: the earlier request of `who` under `request` (nullptr: none, or request 0), and
  // logging one with the request's changes.
  const request_logged* earlier_request(const user& who, std::uint64_t request) const;
  void log_request(request_logged r, change_list& changes);
  void remember_request(request_logged r);
  std::string fresh_respondent_id();
  // Sequence numbers: the next one is fresh; an older one is a repeat when it carries the same request
  // (`print`), stale_sequence when it carries another or is older than the last `kept_prints` (it can
  // no longer be checked, and acknowledging it unchecked could drop an answer silently); one that skips
  // ahead is future_sequence.
  enum class seq_kind { fresh, repeat };
  result<seq_kind, fault> check_seq(const live_interview& iv, std::uint32_t seq, const std::string& print) const;
  void applied(live_interview& iv, std::uint32_t seq, std::string print);
  static void forget_old_prints(live_interview& iv);
  // Before an interview past the quota point goes on: renews its lease when it holds one, takes it again
  // when it lapsed (terminal away, suspended), or ends the interview over quota when its cell filled
  // meanwhile. False when it ended. Call it only once the request is known to succeed: its events are
  // committed with the reply, and a refused request is not committed.
  bool ensure_lease(live_interview& iv, const user& who, time_point now, change_list& changes);
  // The lease part of ensure_lease without the ending: renews or takes the lease again; the quota book's
  // words when the cell has no room (the caller stores the request, then ends over quota).
  std::optional<std::string> retake_lease(live_interview& iv, time_point now, change_list& changes);
  void end_over_quota(live_interview& iv, const user& who, time_point now, std::string why, change_list& changes);
  // After an answer to an interview that arrived at the quota point: its arrival follows the answers it
  // arrived with (a re-answered quota question, one dropped from the route), as the arrivals read back
  // from the stored answers after a restart do (fieldwork_port::cases_after).
  void follow_arrival(interview_id id, const std::string& question, const std::optional<value>& recorded,
                      const std::vector<dropped_answer>& dropped);
  // interview_owned for the interview's current owner, language and suspension.
  void save_owner(const live_interview& iv, const user& owner, change_list& changes) const;
  interview_view view_of(const live_interview& iv, bool duplicate) const;
  case_offer offer_of(case_id id, const assignment* a) const;
  frame_values frame_of(case_id id) const;
  quota_values quota_values_of(const std::vector<quota_value>& values) const;
  std::string cell_names(const quota_values& values) const;

  // Applies an engine step: quota checks, endings. Appends changes.
  void settle(live_interview& iv, step s, const user& who, time_point now, change_list& changes);
  void end_interview(live_interview& iv, const user& who, time_point now, change_list& changes,
                     std::optional<appointment> callback = {}, const std::string& note = {});
  // A recorded value as its answer row holds it: nullopt for "asked, left unanswered".
  static std::optional<std::string> row_value(const value& v);
  // The answer's own row (when `answer` is set) carries `seq` and `print`; then one row per drop.
  void log_rows(live_interview& iv, const user& who, time_point now, const std::string& question,
                const std::optional<value>& answer, const std::vector<dropped_answer>& dropped, change_list& changes,
                std::uint32_t seq = 0, const std::string& print = {});
  void save(const live_interview& iv, change_list& changes) const;
  // At start: replays on `iv` (restored from its snapshot) the plain answers logged after the snapshot
  // (fieldwork_replay.cpp); an error says which row does not replay.
  status<> replay_answers(live_interview& iv, const std::vector<sequenced_answer>& rows) const;
  // `partial`: a break-off past the study's partial point (call_attempt::partial), recorded with the call.
  void log_call(case_id id, const user& who, time_point now, outcome result, const std::string& number,
                const std::string& note, std::optional<interview_id> interview, std::optional<appointment> callback,
                change_list& changes, bool partial = false);
  // Whether the interview has reached the study's partial point (questionnaire::partial_after is among its
  // current answers, answered or explicitly left unanswered): a break-off now is a partial interview, 1.2.
  bool past_partial_point(const live_interview& iv) const;
  void count(const user& who, time_point now, bool complete);

  std::shared_ptr<const questionnaire> study_;
  const calendar& calendar_;
  engine engine_;
  quota_book book_;
  fieldwork_options options_;
  std::unique_ptr<randomness> random_;
  interview_id next_interview_id_;
  std::vector<lock_change> lock_changes_;  // the scheduler's sink, emptied by each request
  // user -> request id -> the logged request; the `kept_requests` largest ids per user.
  std::map<user_id, std::map<std::uint64_t, request_logged>> requests_;
  std::set<std::string, std::less<>> respondent_ids_;  // every one in use: a new one never repeats them

  memory_case_source cases_;
  std::map<case_id, case_extra> extra_;
  std::unique_ptr<quota_priority> priority_;
  std::unique_ptr<scheduler> scheduler_;
  std::map<interview_id, live_interview> interviews_;
  // Every interview that reached the quota point, with its values there: what answer-based cells'
  // shares are estimated from (quota_outlook.hpp, "share"). Loaded with the cases, then kept live.
  std::map<interview_id, quota_values> arrivals_;
  // Open interviews broken off or put off by an appointment: not what their interviewer is doing now, so
  // a reconnect (resume) does not hand them back; start_interview on their case does.
  std::set<interview_id> suspended_;
  // Calls and completes per interviewer per local day.
  std::map<std::pair<std::string, int>, counters> counters_;
};

std::string_view to_string(user_role r);

}  // namespace cati::core
