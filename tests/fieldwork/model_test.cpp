// Model-based test of the fieldwork's state machine (issue 17): random request sequences from three
// interviewer terminals and a supervisor against the real service over a real SQLite file. A model, written
// from docs/protocol.md ("The state machine") and independent of the service's code, predicts for every
// request whether it is taken or refused with which code, and keeps the state it implies: each case's
// calls, last outcome, finality and holder, each interview's owner, state, sequence number and stored
// answers. After every step the file must say exactly what the model says, and a refused request must
// have changed nothing.
//
// Study time moves by seconds, and now and then by 35 to 70 minutes: case locks (30 min) lapse, so
// interviews are left running by an interviewer who lost the case ("abandoned": taken over by the next
// one handed the case, never left open behind a call result) and broken-off cases come due again (after
// 60 min) and are taken over. The model keeps each lock's holder and expiry as the docs
// say: taken with the case, renewed by every request taken on it, released by its call's end. Valid
// answers are taken from the seed study's eligible run, so every refusal the model meets is the state
// machine's.
//
// CATI_MODEL_SEEDS=n runs n seeds (default 40: a few seconds); a failure names the seed and the step, and
// CATI_MODEL_SEED=<that seed> runs that one alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "durable_harness.hpp"

namespace cati::durable {
namespace {

enum class iv_state { active, suspended, ended };

struct model_case {
  std::string holder;  // the lock's holder as recorded ("" none); it counts only until `until`
  time_point until{};
  bool final_ = false;
  int calls = 0;
  std::string last_outcome;
  std::optional<interview_id> open;
};

struct model_interview {
  case_id case_ = 0;
  std::string owner;
  iv_state state = iv_state::active;
  std::string outcome;     // when ended
  std::uint32_t next_seq = 1;
  int pos = 0;             // index in eligible_answers of the question on screen
  std::string question;    // the question on screen
  int stored = 0;          // answer rows with a value
};

// What the docs call final: no more calls, no interview.
bool final_outcome(outcome o) {
  switch (o) {
    case outcome::complete:
    case outcome::over_quota:
    case outcome::not_eligible:
    case outcome::refusal_target:
    case outcome::refusal_receptionist: return true;
    default: return false;
  }
}

// The model's verdict on a request: taken, or refused with this code (nullopt: either is right, e.g. a
// Back the questionnaire itself may refuse).
struct verdict {
  bool taken = true;
  fault_code code = fault_code::invalid_request;
  bool either = false;
};
verdict take() { return {}; }
verdict refuse(fault_code c) { return {false, c, false}; }

class model_run {
 public:
  explicit model_run(std::uint64_t seed) : seed_(seed), rng_(seed), f_(6, seed) {
    for (const auto& row : rows("SELECT id FROM cases")) cases_[std::stoll(row)];
  }

  void run(int steps) {
    for (step_ = 0; step_ < steps && !::testing::Test::HasFailure(); ++step_) {
      f_.now += rng_.below(100) < 3 ? std::chrono::seconds(35 * 60 + rng_.below(35 * 60))
                                    : std::chrono::seconds(1 + rng_.below(8));
      const auto roll = rng_.below(100);
      if (roll < 5)
        supervisor();
      else
        interviewer(*users_[rng_.below(3)]);
      check_file();
    }
  }

  struct tally {
    int taken = 0, refused = 0, completes = 0, takeovers = 0, duplicates = 0;
  };
  const tally& counts() const { return tally_; }

 private:
  std::string where() const { return "seed " + std::to_string(seed_) + ", step " + std::to_string(step_) + " (" + what_ + ")"; }

  std::vector<std::string> rows(const std::string& query) const {
    std::vector<std::string> out;
    std::istringstream in(f_.dump(query));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  // Runs the request; checks the service agrees with the model's verdict; commits what was taken.
  template <class T>
  std::optional<T> apply(effect<T> e, verdict v) {
    const bool taken = e.reply.has_value();
    auto r = f_.run(std::move(e));
    if (v.either) {
      if (!taken) {
        EXPECT_EQ(r.err().code, v.code) << where() << ": " << r.err().message;
      }
    } else if (v.taken) {
      EXPECT_TRUE(taken) << where() << ": refused, the model takes it: " << (taken ? "" : r.err().message);
    } else {
      EXPECT_FALSE(taken) << where() << ": taken, the model refuses it with code " << static_cast<int>(v.code);
      if (!taken) {
        EXPECT_EQ(r.err().code, v.code) << where() << ": " << r.err().message;
      }
    }
    if (!taken) {
      ++tally_.refused;
      return std::nullopt;
    }
    ++tally_.taken;
    return std::move(r).value();
  }

  // --- case locks, as docs/protocol.md has them ---------------------------------------------------

  std::string holder(case_id c) const {
    auto it = cases_.find(c);
    return it != cases_.end() && it->second.until > f_.now ? it->second.holder : "";
  }
  std::optional<case_id> held_by(const std::string& name) const {
    for (const auto& [id, c] : cases_)
      if (!name.empty() && c.holder == name && c.until > f_.now) return id;
    return std::nullopt;
  }
  // An interviewer holds one case at most: taking one lets go of the other.
  void lock(case_id c, const std::string& name) {
    for (auto& [id, other] : cases_)
      if (other.holder == name) other.holder.clear();
    cases_[c].holder = name;
    cases_[c].until = f_.now + std::chrono::minutes(f_.study->rules.case_lock_minutes);
  }
  // A request taken on the case renews its holder's lock (lapsed or not, unless someone took it since),
  // or takes the free case.
  void keep(case_id c, const std::string& name) {
    auto& mc = cases_[c];
    if (mc.holder == name)  // a renewal ends on a whole minute and never shortens the lock (scheduler.hpp)
      mc.until = std::max<time_point>(mc.until, std::chrono::ceil<std::chrono::minutes>(
                                                    f_.now + std::chrono::minutes(f_.study->rules.case_lock_minutes)));
    else if (holder(c).empty())
      lock(c, name);
  }
  void release(case_id c, const std::string& name) {
    if (cases_[c].holder == name) cases_[c].holder.clear();
  }

  case_id some_case(const std::string& name) {
    auto held = held_by(name);
    if (held && rng_.below(100) < 80) return *held;
    auto it = cases_.begin();
    std::advance(it, rng_.below(cases_.size()));
    return it->first;
  }

  std::optional<interview_id> some_interview(const std::string& name) {
    std::vector<interview_id> mine, all;
    for (const auto& [id, iv] : interviews_) {
      all.push_back(id);
      if (iv.owner == name && iv.state == iv_state::active) mine.push_back(id);
    }
    if (!mine.empty() && rng_.below(100) < 80) return mine[rng_.below(mine.size())];
    if (all.empty()) return std::nullopt;
    return all[rng_.below(all.size())];
  }

  // A call, made by the interview's end or by a call result, on case `c` by `name`.
  void called(case_id c, outcome o, const std::string& name, bool releases = true) {
    auto& mc = cases_[c];
    ++mc.calls;
    mc.last_outcome = std::string(to_string(o));
    mc.final_ = mc.final_ || final_outcome(o);
    if (releases) release(c, name);
  }

  void ended(interview_id id, outcome o) {
    auto& iv = interviews_[id];
    iv.state = iv_state::ended;
    iv.outcome = std::string(to_string(o));
    cases_[iv.case_].open.reset();
    if (o == outcome::complete) ++tally_.completes;
    if (!final_outcome(o) && o != outcome::callback)
      ADD_FAILURE() << where() << ": the interview ended " << to_string(o) << ", which the model does not expect";
    called(iv.case_, o, iv.owner, o != outcome::callback);
  }

  // --- the requests -------------------------------------------------------------------------------

  // Mostly what a terminal in that state would send, sometimes anything at all (about one request in
  // six), so that every cell of the table is met.
  void interviewer(const user& who) {
    const auto roll = rng_.below(100);
    bool interviewing = false;
    for (const auto& [id, iv] : interviews_)
      interviewing = interviewing || (iv.owner == who.name && iv.state == iv_state::active);
    if (roll >= 84) {
      static void (model_run::*const any[])(const user&) = {&model_run::next_case, &model_run::call_result,
                                                            &model_run::start_interview, &model_run::answer,
                                                            &model_run::back, &model_run::suspend, &model_run::resend};
      return (this->*any[rng_.below(std::size(any))])(who);
    }
    if (interviewing) {
      if (roll < 70) return answer(who);
      if (roll < 74) return back(who);
      if (roll < 78) return suspend(who);
      return resend(who);
    }
    if (held_by(who.name)) return roll < 55 ? start_interview(who) : call_result(who);
    return next_case(who);
  }

  void next_case(const user& who) {
    what_ = who.name + " NextCase";
    verdict v = take();
    if (auto held = held_by(who.name))
      if (auto open = cases_[*held].open; open && interviews_[*open].state == iv_state::active && interviews_[*open].owner == who.name)
        v = refuse(fault_code::invalid_request);
    auto r = apply(f_.fw->next_case(who, 0, f_.now), v);
    if (!r) return;
    for (auto& [id, c] : cases_)  // passed by
      if (c.holder == who.name) c.holder.clear();
    if (auto* offer = std::get_if<case_offer>(&*r)) {
      EXPECT_FALSE(cases_[offer->id].final_) << where() << ": a final case was handed out";
      EXPECT_EQ(holder(offer->id), "") << where() << ": a held case was handed out";
      lock(offer->id, who.name);
    }
  }

  // The refusal the table gives on case `c` for a request that needs it held (CallResult, StartInterview),
  // after the interview open on it.
  std::optional<fault_code> case_refusal(const user& who, case_id c) {
    const auto& mc = cases_[c];
    if (mc.final_) return fault_code::invalid_request;
    if (holder(c) != who.name) return fault_code::not_your_case;
    return std::nullopt;
  }

  void call_result(const user& who) {
    static const outcome outcomes[] = {outcome::busy, outcome::no_answer, outcome::answering_machine,
                                       outcome::refusal_target, outcome::refusal_receptionist, outcome::not_eligible};
    const case_id c = some_case(who.name);
    const outcome o = outcomes[rng_.below(std::size(outcomes))];
    what_ = who.name + " CallResult " + std::to_string(c) + " " + std::string(to_string(o));
    verdict v = take();
    if (auto open = cases_[c].open; open && interviews_[*open].state == iv_state::active)
      v = refuse(interviews_[*open].owner == who.name ? fault_code::invalid_request : fault_code::not_your_case);
    else if (auto no = case_refusal(who, c))
      v = refuse(*no);
    if (apply(f_.fw->record_call(who, 0, c, o, {}, false, "", "", f_.now), v)) called(c, o, who.name);
  }

  void start_interview(const user& who) {
    const case_id c = some_case(who.name);
    what_ = who.name + " StartInterview " + std::to_string(c);
    verdict v = take();
    const auto open = cases_[c].open;
    if (auto no = case_refusal(who, c)) v = refuse(*no);
    auto r = apply(f_.fw->start_interview(who, 0, c, "", f_.now), v);
    if (!r) return;
    keep(c, who.name);
    if (open) {
      EXPECT_EQ(r->id, *open) << where() << ": not the interview open on the case";
      auto& iv = interviews_[*open];
      if (iv.owner != who.name) ++tally_.takeovers;
      iv.owner = who.name;
      iv.state = iv_state::active;
      if (r->current) iv.question = r->current->name;
      return;
    }
    EXPECT_FALSE(interviews_.contains(r->id)) << where() << ": interview " << r->id << " again";
    auto& iv = interviews_[r->id];
    iv.case_ = c;
    iv.owner = who.name;
    ASSERT_TRUE(r->current) << where();
    iv.question = r->current->name;
    cases_[c].open = r->id;
  }

  // The refusal for Answer, Back and Suspend on interview `id` by `who` (sent with its next seq).
  std::optional<fault_code> sequenced_refusal(const user& who, interview_id id) {
    auto it = interviews_.find(id);
    if (it == interviews_.end() || it->second.owner != who.name) return fault_code::not_your_case;
    const auto& iv = it->second;
    const auto by = holder(iv.case_);
    if (iv.state != iv_state::ended && !by.empty() && by != who.name) return fault_code::not_your_case;
    if (iv.state != iv_state::active) return fault_code::invalid_request;  // suspended or ended
    return std::nullopt;
  }

  void taken_view(const user& who, interview_id id, const interview_view& view) {
    auto& iv = interviews_[id];
    ++iv.next_seq;
    EXPECT_EQ(view.next_seq, iv.next_seq) << where();
    keep(iv.case_, who.name);  // renewed, or taken again
    if (view.ended) {
      ended(id, *view.ended);
    } else if (view.current) {
      iv.question = view.current->name;
    }
  }

  void answer(const user& who) {
    auto id = some_interview(who.name);
    if (!id) return next_case(who);
    auto& iv = interviews_[*id];
    const std::string text = iv.pos < static_cast<int>(eligible_answers.size()) ? eligible_answers[iv.pos] : "";
    what_ = who.name + " Answer " + std::to_string(*id) + " seq " + std::to_string(iv.next_seq) + " " + iv.question + "='" + text + "'";
    verdict v = take();
    if (auto no = sequenced_refusal(who, *id)) v = refuse(*no);
    const auto seq = iv.next_seq;
    const auto question = iv.question;
    auto r = apply(f_.fw->answer(who, 0, *id, seq, question, text, f_.now), v);
    if (!r) return;
    EXPECT_FALSE(r->duplicate) << where();
    pos_of_[question] = iv.pos;
    ++iv.pos;
    if (!text.empty()) ++iv.stored;
    last_[who.name] = {*id, seq, question, text};
    taken_view(who, *id, *r);
  }

  void back(const user& who) {
    auto id = some_interview(who.name);
    if (!id) return next_case(who);
    auto& iv = interviews_[*id];
    what_ = who.name + " Back " + std::to_string(*id) + " seq " + std::to_string(iv.next_seq);
    verdict v = take();
    v.either = true;  // the questionnaire may refuse it (nothing to go back to): INVALID_REQUEST
    if (auto no = sequenced_refusal(who, *id)) v = refuse(*no);
    auto r = apply(f_.fw->back(who, 0, *id, iv.next_seq, f_.now), v);
    if (!r) return;
    last_.erase(who.name);  // a resend of an older answer would no longer be the latest request
    taken_view(who, *id, *r);
    if (r->current) {
      auto it = pos_of_.find(r->current->name);
      ASSERT_NE(it, pos_of_.end()) << where() << ": back to " << r->current->name << ", never answered";
      iv.pos = it->second;
    }
  }

  void suspend(const user& who) {
    auto id = some_interview(who.name);
    if (!id) return next_case(who);
    auto& iv = interviews_[*id];
    const outcome o = rng_.below(100) < 70 ? outcome::break_off : outcome::refusal_target;
    what_ = who.name + " Suspend " + std::to_string(*id) + " seq " + std::to_string(iv.next_seq) + " " + std::string(to_string(o));
    verdict v = take();
    if (auto no = sequenced_refusal(who, *id)) v = refuse(*no);
    auto r = apply(f_.fw->suspend(who, 0, *id, iv.next_seq, o, {}, "", f_.now), v);
    if (!r) return;
    last_.erase(who.name);
    ++iv.next_seq;
    keep(iv.case_, who.name);
    if (o == outcome::break_off) {
      iv.state = iv_state::suspended;
      called(iv.case_, o, who.name);
    } else {
      ended(*id, o);
    }
  }

  // The terminal's last answer again, as after a lost ack: a repeat, acknowledged, nothing changes.
  void resend(const user& who) {
    auto it = last_.find(who.name);
    if (it == last_.end()) return answer(who);
    const auto& [id, seq, question, text] = it->second;
    const auto& iv = interviews_[id];
    what_ = who.name + " resent Answer " + std::to_string(id) + " seq " + std::to_string(seq);
    if (iv.owner != who.name || iv.next_seq - seq > 8) return answer(who);
    const auto by = holder(iv.case_);
    verdict v = take();
    if (iv.state != iv_state::ended && !by.empty() && by != who.name) v = refuse(fault_code::not_your_case);
    auto r = apply(f_.fw->answer(who, 0, id, seq, question, text, f_.now), v);
    if (!r) return;
    EXPECT_TRUE(r->duplicate) << where();
    ++tally_.duplicates;
  }

  void supervisor() {
    const auto roll = rng_.below(3);
    what_ = "sue (supervisor) " + std::string(roll == 0 ? "NextCase" : roll == 1 ? "StartInterview" : "Answer");
    if (roll == 0) {
      apply(f_.fw->next_case(f_.sue, 0, f_.now), refuse(fault_code::forbidden));
    } else if (roll == 1) {
      apply(f_.fw->start_interview(f_.sue, 0, some_case(""), "", f_.now), refuse(fault_code::forbidden));
    } else if (auto id = some_interview("")) {
      apply(f_.fw->answer(f_.sue, 0, *id, interviews_[*id].next_seq, interviews_[*id].question, "1", f_.now),
            refuse(fault_code::forbidden));
    }
  }

  // --- the file against the model ------------------------------------------------------------------

  void check_file() {
    std::vector<std::string> want;
    for (const auto& [id, c] : cases_)
      want.push_back(std::to_string(id) + "|" + std::to_string(c.calls) + "|" + c.last_outcome + "|" + (c.final_ ? "1" : "0"));
    EXPECT_EQ(rows("SELECT id, dials, coalesce(last_outcome, ''), finished FROM cases ORDER BY id"), want)
        << where() << ": calls, dispositions";

    want.clear();
    const auto now = std::to_string(f_.now.time_since_epoch().count());
    for (const auto& [id, c] : cases_)
      if (!holder(id).empty())
        want.push_back(std::to_string(id) + "|" + c.holder + "|" + std::to_string(c.until.time_since_epoch().count()));
    EXPECT_EQ(rows("SELECT c.id, u.name, c.held_until FROM cases c JOIN users u ON u.id = c.held_by WHERE c.held_until > " +
                   now + " ORDER BY c.id"),
              want)
        << where() << ": holds";

    std::vector<std::string> open, ended_, stored;
    for (const auto& [id, iv] : interviews_) {
      const auto head = std::to_string(id) + "|" + std::to_string(iv.case_) + "|" + iv.owner + "|";
      if (iv.state == iv_state::ended)
        ended_.push_back(head + iv.outcome);
      else
        open.push_back(head + (iv.state == iv_state::suspended ? "1" : "0"));
      if (iv.stored) stored.push_back(std::to_string(id) + "|" + std::to_string(iv.stored));
    }
    const std::string from = " FROM interviews i JOIN users u ON u.id = i.interviewer_id";
    EXPECT_EQ(rows("SELECT i.id, i.case_id, u.name, i.suspended" + from + " WHERE i.final_state IS NULL ORDER BY i.id"), open)
        << where() << ": open interviews";
    EXPECT_EQ(rows("SELECT i.id, i.case_id, u.name, i.final_state" + from + " WHERE i.final_state IS NOT NULL ORDER BY i.id"),
              ended_)
        << where() << ": ended interviews";
    EXPECT_EQ(rows("SELECT interview_id, count(*) FROM answers WHERE kind = 'set' AND value IS NOT NULL"
                   " GROUP BY interview_id ORDER BY interview_id"),
              stored)
        << where() << ": answers";
  }

  std::uint64_t seed_;
  seeded_randomness rng_;
  durable_fieldwork f_;
  const user* users_[3] = {&f_.anna, &f_.bert, &f_.carl};
  int step_ = 0;
  std::string what_;
  std::map<case_id, model_case> cases_;
  std::map<interview_id, model_interview> interviews_;
  std::map<std::string, int> pos_of_;  // question -> its index in eligible_answers
  struct sent {
    interview_id id;
    std::uint32_t seq;
    std::string question, text;
  };
  std::map<std::string, sent> last_;  // each terminal's last answer taken
  tally tally_;
};

std::vector<std::uint64_t> seeds() {
  if (const char* one = std::getenv("CATI_MODEL_SEED")) return {std::stoull(one)};
  int n = 40;
  if (const char* many = std::getenv("CATI_MODEL_SEEDS")) n = std::stoi(many);
  std::vector<std::uint64_t> out;
  for (int i = 1; i <= n; ++i) out.push_back(static_cast<std::uint64_t>(i) * 7919);
  return out;
}

}  // namespace

TEST(FieldworkModel, RandomRequestsFromSeveralTerminalsKeepTheFileAndTheModelInAgreement) {
  model_run::tally total;
  for (auto seed : seeds()) {
    model_run run(seed);
    run.run(150);
    const auto& t = run.counts();
    total.taken += t.taken;
    total.refused += t.refused;
    total.completes += t.completes;
    total.takeovers += t.takeovers;
    total.duplicates += t.duplicates;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "rerun with CATI_MODEL_SEED=" << seed;
      break;
    }
  }
  std::cout << "model: " << total.taken << " taken, " << total.refused << " refused, " << total.completes
            << " completes, " << total.takeovers << " takeovers, " << total.duplicates << " repeats\n";
  // A run that never completed, took over or refused anything would prove little.
  EXPECT_GT(total.completes, 0);
  EXPECT_GT(total.takeovers, 0);
  EXPECT_GT(total.refused, total.taken / 10);
  EXPECT_GT(total.duplicates, 0);
}

}  // namespace cati::durable
