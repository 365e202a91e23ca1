// Fuzz target: the fieldwork application driven by decoded requests, from a deep start. Each run builds
// a core::fieldwork on the seed study with the frame's first rows as cases, an interviewer (anna) logged
// in, holding a case, its interview open at the first question; then the input, a sequence of
// length-delimited cati.v1.ClientMessage frames, is decoded (net/wire_codec) and mapped by the small
// harness below onto core::fieldwork's requests, as the protocol adapter does. Logins switch the acting
// user (anna, bert: interviewers; sue: supervisor); SetClock moves the clock; every request advances it.
// The changes each request returns are applied to an in-memory store (the harness's model of the file).
//
// This target is built directly on core::fieldwork (server/core/fieldwork/fieldwork.hpp) while the
// protocol adapter (server/net/fieldwork_service) is being split up: once it is, it can be re-pointed at
// the adapter by replacing `apply` below.
//
// Checked besides the sanitizers: a refused request returns no changes; every reply maps to the wire and
// encodes as JSON; interview ids are opened once; answer rows number each interview's rows 1, 2, 3 ...
// without gaps and belong to an opened interview; no quota count goes negative and no cell holds more
// leases than the book has. And the state machine's invariants (core/fieldwork/fieldwork_rules.hpp),
// after every message, so that the fuzzer finds violations and not only crashes:
// - no call is logged on a case after a final outcome finished it (a final outcome stays final);
// - no answer row for an interview that is closed or suspended, and none without its case held by the
//   one answering, in the same commit (an interview going on implies its case is held);
// - no interview is opened on a case that has one open (none left open behind a call result either: a
//   call result never names a running interview);
// - a supervisor's interviewer request changes nothing; seq 0 is never acknowledged.
#include <date/tz.h>

#include <algorithm>
#include <fstream>
#include <cstdlib>
#include <map>
#include <set>

#include "core/calling/case_plan.hpp"
#include "core/fieldwork/fieldwork_rules.hpp"
#include "core/ports/clock_spec.hpp"
#include "core/sample/sample_row.hpp"
#include "net/protocol_mapping.hpp"
#include "net/wire_codec.hpp"
#include "support/message_mutator.hpp"
#include "support/seed_study.hpp"

namespace {

using namespace cati::core;
namespace v1 = cati::v1;
namespace net = cati::net;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fieldwork: %s\n", what);
    std::abort();
  }
}

constexpr int frame_rows = 24;

// The frame's first rows as the store would load them.
const std::vector<loaded_case>& frame_cases() {
  static const std::vector<loaded_case> cases = [] {
    std::ifstream in(cati::fuzz::seed_study_dir() + "/frame.csv", std::ios::binary);
    std::string text, line;
    for (int i = 0; i <= frame_rows && std::getline(in, line); ++i) text += line + "\n";
    const auto frame = parse_sample_frame(text, *cati::fuzz::seed_study());
    require(frame.ok() && !frame.cases.empty(), "the seed frame does not parse");
    std::vector<loaded_case> out;
    case_id id = 1;
    for (const auto& c : frame.cases) {
      loaded_case l;
      l.record.id = id++;
      l.record.language = c.language;
      l.record.frame = c.frame;
      auto contact = [&](const char* name) {
        auto it = c.contact.find(name);
        return it == c.contact.end() ? std::string() : it->second;
      };
      l.contact = {c.firm_id, contact("company"), contact("contact_name"), c.phones};
      out.push_back(std::move(l));
    }
    return out;
  }();
  return cases;
}

const calendar& study_calendar() {
  static const calendar cal = calendar::make(*cati::fuzz::seed_study()).value();
  return cal;
}

const date::time_zone* study_zone() {
  static const date::time_zone* zone = date::locate_zone(cati::fuzz::seed_study()->time_zone);
  return zone;
}

// CATI_FUZZ_TRACE=1: each request and its reply on stderr, to see how deep an input gets.
bool trace() {
  static const bool on = std::getenv("CATI_FUZZ_TRACE") != nullptr;
  return on;
}

const user users[] = {{1, "anna", user_role::interviewer, {"nl", "fr"}},
                      {2, "bert", user_role::interviewer, {"nl"}},
                      {3, "sue", user_role::supervisor, {"nl", "fr"}}};

const std::string& name_of(user_id id) {
  static const std::string nobody;
  for (const auto& u : users)
    if (u.id == id) return u.name;
  return nobody;
}

// The store the changes go to: what the checks compare against.
struct memory_store {
  std::set<interview_id> opened;
  std::set<interview_id> closed;
  std::set<interview_id> suspended;
  std::map<interview_id, case_id> case_of;
  std::map<case_id, interview_id> open_on;  // the interview open (running or suspended) on each case
  std::set<case_id> final_cases;
  std::map<interview_id, std::int64_t> rows;
  std::size_t calls = 0;
  struct lock {
    std::string holder;
    time_point until{};
  };
  std::map<case_id, lock> locks;  // each case's lock as the file holds it (case_held, the last one)

  // Whether `o` finished the case for good: the study's rule says final and the plan is finished (a dead
  // number's final rule ends only that number while the firm has others).
  static bool final_call(const call_logged& c) {
    return c.finishes_case && effective_call_rule(cati::fuzz::seed_study()->rules, c.result).final;
  }

  // Outcomes only a call result gives (never an interview's end).
  static bool call_only(outcome o) {
    switch (o) {
      case outcome::busy:
      case outcome::no_answer:
      case outcome::answering_machine:
      case outcome::answering_machine_message:
      case outcome::fax_modem:
      case outcome::disconnected:
      case outcome::wrong_number:
      case outcome::call_blocked:
      case outcome::technical_problem: return true;
      default: return false;
    }
  }

  void apply(const change_list& changes, time_point now) {
    for (const auto& c : changes) {
      if (const auto* o = std::get_if<interview_opened>(&c)) {
        require(opened.insert(o->id).second, "an interview id was opened twice");
        require(!open_on.contains(o->case_), "an interview was opened on a case that has one open");
        require(!final_cases.contains(o->case_), "an interview was opened on a final case");
        case_of[o->id] = o->case_;
        open_on[o->case_] = o->id;
      } else if (const auto* a = std::get_if<answer_logged>(&c)) {
        require(opened.count(a->interview) == 1, "an answer row for an interview never opened");
        require(a->row == ++rows[a->interview], "answer rows are not numbered 1, 2, 3 ... without gaps");
        require(!closed.contains(a->interview), "an answer row for a closed interview");
        require(!suspended.contains(a->interview), "an answer row for a suspended interview");
        // The lock as the commit leaves it: renewed for the one answering, or released because the
        // interview ended (or was suspended) in this same request.
        const auto ends = std::any_of(changes.begin(), changes.end(), [&](const change& h) {
          const auto* x = std::get_if<interview_closed>(&h);
          const auto* w = std::get_if<interview_owned>(&h);
          return (x && x->interview == a->interview) || (w && w->interview == a->interview && w->suspended);
        });
        // A renewal within the minute the lock already reaches writes nothing (scheduler::renew): then
        // the lock the file holds from an earlier request must be the answerer's and still running.
        const case_id on = case_of[a->interview];
        const auto written = [&](const change& h) {
          const auto* l = std::get_if<case_held>(&h);
          return l && l->case_ == on;
        };
        const auto held_as = [&](const std::string& holder, time_point until) {
          return (holder == name_of(a->by) && until > now) || (holder.empty() && ends);
        };
        const auto held = std::any_of(changes.begin(), changes.end(), [&](const change& h) {
          return written(h) && held_as(std::get<case_held>(h).holder, std::get<case_held>(h).until);
        }) || (std::none_of(changes.begin(), changes.end(), written) && locks.contains(on) &&
               held_as(locks[on].holder, locks[on].until));
        require(held, "an answer row without its case held by the one answering");
      } else if (const auto* x = std::get_if<interview_closed>(&c)) {
        require(opened.count(x->interview) == 1, "an interview closed that was never opened");
        require(!closed.contains(x->interview), "an interview closed twice");
        closed.insert(x->interview);
        suspended.erase(x->interview);
        open_on.erase(case_of[x->interview]);
      } else if (const auto* h = std::get_if<case_held>(&c)) {
        locks[h->case_] = lock{h->holder, h->until};
      } else if (const auto* w = std::get_if<interview_owned>(&c)) {
        if (w->suspended)
          suspended.insert(w->interview);
        else
          suspended.erase(w->interview);
      } else if (const auto* call = std::get_if<call_logged>(&c)) {
        ++calls;
        require(!final_cases.contains(call->case_), "a call logged on a case after its final outcome");
        if (auto it = open_on.find(call->case_); it != open_on.end() && call_only(call->result))
          require(suspended.contains(it->second), "a call result logged while the case's interview runs");
        if (final_call(*call)) final_cases.insert(call->case_);
      }
    }
  }
};

struct run {
  fieldwork fw{cati::fuzz::seed_study(), study_calendar(), quota_state{}, 1, 42};
  memory_store store;
  const user* who = &users[0];
  time_point now = parse_instant("2025-10-13T09:05:00+02:00").value();

  template <class T>
  void settle(effect<T> e, v1::ServerMessage& reply) {
    if (!e.reply) {
      require(e.changes.empty(), "a refused request returned changes");
      *reply.mutable_error() = net::to_wire(e.reply.err());
      return;
    }
    store.apply(e.changes, now);
    to_wire(*e.reply, reply);
  }

  void to_wire(const std::variant<case_offer, idle>& v, v1::ServerMessage& reply) {
    if (const auto* offer = std::get_if<case_offer>(&v)) net::fill(*reply.mutable_case_card(), *offer, study_zone());
    else net::fill(*reply.mutable_no_case(), std::get<idle>(v), study_zone());
  }
  void to_wire(const interview_view& v, v1::ServerMessage& reply) { net::fill(reply, v, fw.today(*who, now)); }
  void to_wire(const call_done& d, v1::ServerMessage& reply) {
    reply.mutable_call_recorded()->set_case_id(d.id);
    reply.mutable_call_recorded()->set_outcome(net::to_wire(d.result));
  }
  void to_wire(const session_view& s, v1::ServerMessage& reply) {
    if (s.held) net::fill(*reply.mutable_case_card(), *s.held, study_zone());
    if (s.interview) net::fill(reply, *s.interview, fw.today(*who, now));
  }
  void to_wire(const quota_cell_state& c, v1::ServerMessage& reply) {
    for (const auto& row : fw.quota_table()) {
      if (row.cell.id == c.id) net::fill(*reply.mutable_status()->add_cells(), row);
    }
  }

  // As the protocol adapter reads them: strictly.
  static std::optional<interview_id> id_of(const std::string& text) { return parse_interview_id(text); }
  static std::optional<outcome> outcome_of(v1::Outcome o) {
    if (!known_outcome(static_cast<int>(o))) return std::nullopt;
    return net::from_wire(o);
  }
  // A sequence number the adapter takes; 0 goes to the service anyway, which must refuse it too.
  static std::optional<std::uint32_t> seq_of(std::uint64_t wire) {
    if (wire == 0) return 0;
    auto seq = sequence_number(wire);
    if (!seq) return std::nullopt;
    return seq.value();
  }
  template <class T>
  void settle_sequenced(std::uint32_t seq, effect<T> e, v1::ServerMessage& reply) {
    if (seq == 0) require(!e.reply, "seq 0 was acknowledged");
    settle(std::move(e), reply);
  }
  static std::optional<std::optional<time_point>> when(const std::string& text) {
    if (text.empty()) return std::optional<time_point>{};
    auto t = net::parse_wire_time(text);
    if (!t) return std::nullopt;  // malformed: refused by the adapter before the application
    return std::optional<time_point>{*t};
  }

  // One decoded request, mapped as the protocol adapter maps it.
  void apply(const v1::ClientMessage& m) {
    v1::ServerMessage reply;
    reply.set_request_id(m.request_id());
    switch (m.body_case()) {
      case v1::ClientMessage::kLogin:
        who = nullptr;
        for (const auto& u : users)
          if (u.name == m.login().user()) who = &u;
        return;
      case v1::ClientMessage::kLogout: who = nullptr; return;
      case v1::ClientMessage::kSetClock:
        if (auto t = net::parse_wire_time(m.set_clock().now())) now = *t;
        return;
      case v1::ClientMessage::kPing: now += std::chrono::seconds(1); return;
      default: break;
    }
    if (who == nullptr) return;  // not logged in: the access layer refuses it
    const auto changes_before = store.calls + store.opened.size() + store.closed.size() + store.rows.size();
    std::size_t rows_before = 0;
    for (const auto& [id, n] : store.rows) rows_before += static_cast<std::size_t>(n);
    switch (m.body_case()) {
      case v1::ClientMessage::kResumeSession: settle(fw.resume(*who, now), reply); break;
      case v1::ClientMessage::kNextCase: settle(fw.next_case(*who, m.request_id(), now), reply); break;
      case v1::ClientMessage::kCallResult: {
        const auto& c = m.call_result();
        auto at = when(c.appointment_at());
        auto result = outcome_of(c.outcome());
        if (!at || !result) return;
        settle(fw.record_call(*who, m.request_id(), c.case_id(), *result, *at, c.personal_appointment(), c.note(),
                              c.number(), now),
               reply);
        break;
      }
      case v1::ClientMessage::kStartInterview:
        settle(fw.start_interview(*who, m.request_id(), m.start_interview().case_id(), m.start_interview().language(), now), reply);
        break;
      case v1::ClientMessage::kAnswer: {
        const auto& a = m.answer();
        auto id = id_of(a.interview_id());
        auto seq = seq_of(a.seq());
        if (id && seq) settle_sequenced(*seq, fw.answer(*who, m.request_id(), *id, *seq, a.question(), a.value(), now), reply);
        break;
      }
      case v1::ClientMessage::kBack:
        if (auto id = id_of(m.back().interview_id()))
          if (auto seq = seq_of(m.back().seq()))
            settle_sequenced(*seq, fw.back(*who, m.request_id(), *id, *seq, now), reply);
        break;
      case v1::ClientMessage::kSuspend: {
        const auto& s = m.suspend();
        auto id = id_of(s.interview_id());
        auto at = when(s.appointment_at());
        auto seq = seq_of(s.seq());
        auto result = outcome_of(s.outcome());
        if (id && at && seq && result)
          settle_sequenced(*seq, fw.suspend(*who, m.request_id(), *id, *seq, *result, *at, s.note(), now), reply);
        break;
      }
      case v1::ClientMessage::kSetLanguage:
        if (auto id = id_of(m.set_language().interview_id()))
          settle(fw.set_language(*who, m.request_id(), *id, m.set_language().language(), now), reply);
        break;
      case v1::ClientMessage::kQuotaAction: {
        const auto& q = m.quota_action();
        fieldwork::quota_op op;
        switch (q.kind()) {
          case v1::QuotaAction::SET_TARGET: op = fieldwork::quota_op::set_target; break;
          case v1::QuotaAction::CLOSE: op = fieldwork::quota_op::close; break;
          case v1::QuotaAction::REOPEN: op = fieldwork::quota_op::reopen; break;
          default: return;
        }
        settle(fw.quota_action(*who, m.request_id(), op, cell_id{q.quota(), {q.values().begin(), q.values().end()}}, q.target(), now),
               reply);
        break;
      }
      case v1::ClientMessage::kWatchStatus:
        for (const auto& row : fw.quota_table()) net::fill(*reply.mutable_status()->add_cells(), row);
        (void)fw.activity_of(who->name, now);
        (void)fw.ended_interviews();
        break;
      default: return;
    }
    if (trace()) {
      std::fprintf(stderr, "%s %s -> %s %s\n", who->name.c_str(), std::string(net::wire_type_name(m)).c_str(),
                   std::string(net::wire_type_name(reply)).c_str(),
                   reply.has_error()       ? reply.error().message().c_str()
                   : reply.has_case_card() ? std::to_string(reply.case_card().case_id()).c_str()
                                           : "");
    }
    // A supervisor's interviewer request changes nothing (the role table gives them to interviewers).
    if (who->role != user_role::interviewer && !m.has_quota_action() && !m.has_watch_status() && !m.has_resume_session() &&
        reply.body_case() != v1::ServerMessage::BODY_NOT_SET) {
      std::size_t rows_after = 0;
      for (const auto& [id, n] : store.rows) rows_after += static_cast<std::size_t>(n);
      require(reply.has_error() && reply.error().code() == v1::Error::FORBIDDEN, "a supervisor's interviewer request was not forbidden");
      require(changes_before == store.calls + store.opened.size() + store.closed.size() + store.rows.size() &&
                  rows_before == rows_after,
              "a supervisor's interviewer request changed something");
    }
    const auto json = net::encode_server_message(reply, net::wire_format::json);
    require(json.find("reply could not be encoded as JSON") == std::string::npos, "a reply does not encode as JSON");
    (void)net::encode_server_message(reply, net::wire_format::binary);
  }

  void check_quotas() const {
    for (const auto& c : fw.quotas().cells()) {
      require(c.completes >= 0 && c.in_progress >= 0, "a quota count went negative");
      require(static_cast<std::size_t>(c.in_progress) <= fw.quotas().lease_count(),
              "a cell holds more leases than the book has");
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  run r;
  r.fw.load_cases(frame_cases());
  // The deep start: anna holds a case and its interview is open at the first question.
  auto first = r.fw.next_case(users[0], 0, r.now);
  require(first.reply && std::holds_alternative<case_offer>(*first.reply), "the seed fieldwork offers no case");
  r.store.apply(first.changes, r.now);
  auto started = r.fw.start_interview(users[0], 0, std::get<case_offer>(*first.reply).id, "", r.now);
  require(started.reply.has_value(), "the seed case's interview does not start");
  r.store.apply(started.changes, r.now);

  for (const auto& frame : cati::fuzz::split_delimited(data, size)) {
    std::uint64_t request_id = 0;
    auto m = net::decode_client_message(frame, false, net::wire_format::binary, request_id);
    if (!m) continue;  // the transport answers it; the application never sees it
    r.apply(*m);
    r.now += std::chrono::seconds(7);
    r.check_quotas();
    if (request_id % 4 == 3) r.store.apply(r.fw.tick(r.now), r.now);
  }
  r.store.apply(r.fw.tick(r.now + std::chrono::hours(1)), r.now + std::chrono::hours(1));
  r.check_quotas();
  return 0;
}

// Mutates the request sequence: one request's field (support/message_mutator.hpp), or the sequence
// itself (a request repeated, dropped or moved), or the bytes of one frame.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  static cati::fuzz::message_mutator mutator(seed, cati::fuzz::protocol_words());
  mutator.random().seed(seed);
  auto frames = cati::fuzz::split_delimited(data, size);
  const std::size_t n = frames.size();
  const std::size_t i = mutator.below(n);
  switch (n == 0 ? 0 : mutator.below(8)) {
    case 0: {  // a new request
      v1::ClientMessage m;
      m.set_request_id(mutator.below(64));
      mutator.mutate(m);
      mutator.mutate(m);
      frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(mutator.below(n + 1)), m.SerializeAsString());
      break;
    }
    case 1: frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(mutator.below(n + 1)), frames[i]); break;
    case 2: frames.erase(frames.begin() + static_cast<std::ptrdiff_t>(i)); break;
    case 3: std::swap(frames[i], frames[mutator.below(n)]); break;
    case 4: frames[i] = cati::fuzz::mutate_bytes(frames[i], frames[i].size() + 16); break;
    default: {
      v1::ClientMessage m;
      if (!m.ParseFromString(frames[i])) {
        frames[i] = cati::fuzz::mutate_bytes(frames[i], frames[i].size() + 16);
        break;
      }
      mutator.mutate(m);
      frames[i] = m.SerializeAsString();
      break;
    }
  }
  const auto out = cati::fuzz::join_delimited(frames);
  if (out.size() > max_size) return size;
  std::copy(out.begin(), out.end(), data);
  return out.size();
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cati::fuzz::quiet_protobuf_log();
  return 0;
}
