// The restart-equivalence property (issue 13, DESIGN.md "Testing"): random requests by three
// interviewers and a supervisor through core::fieldwork over a real SQLite file, run twice from the same
// seed: once straight through, once with restarts (everything destroyed, the file reopened and loaded)
// at random points, where every terminal then reconnects (resume) in both runs. Every reply must be the
// same in both runs (the same case, interview, screen, language, refusal), and at the end both files
// must hold the same answers, calls, interviews, completes, quota counts, locks and request log.
// Resends of earlier requests (same request id, same sequence number) are mixed in.
//
// CATI_PROPERTY_SEEDS=n runs n seeds (default 24: a few seconds); a failure names the seed and the step,
// and CATI_PROPERTY_SEED=<that seed> runs it alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <sstream>
#include <variant>

#include "durable_harness.hpp"

namespace cati::durable {
namespace {

std::string describe(const fault& f) { return "fault " + std::to_string(static_cast<int>(f.code)) + " " + f.message; }

std::string describe(const case_offer& o) {
  std::ostringstream s;
  s << "offer " << o.id << " " << o.language << " attempt " << o.attempt << " open "
    << (o.open_interview ? std::to_string(*o.open_interview) : "-") << " calls " << o.history.size() << " cell "
    << o.quota_cell;
  return s.str();
}

std::string describe(const interview_view& v) {
  std::ostringstream s;
  s << "interview " << v.id << " case " << v.case_ << " " << v.language << " next " << v.next_seq
    << (v.duplicate ? " duplicate" : "");
  if (v.current) {
    s << " at " << v.current->name << " [" << v.current->label << "]";
    for (const auto& c : v.current->choices) s << " " << c.code << ":" << c.label;
  }
  if (v.ended) s << " ended " << to_string(*v.ended) << " " << v.aapor_code << " " << v.end_message;
  return s.str();
}

std::string describe(const std::variant<case_offer, idle>& v) {
  if (auto* o = std::get_if<case_offer>(&v)) return describe(*o);
  return "idle " + std::to_string(static_cast<int>(std::get<idle>(v).why.reason));
}
std::string describe(const call_done& d) { return "call " + std::to_string(d.id) + " " + std::string(to_string(d.result)); }
std::string describe(const session_view& v) {
  return "session " + (v.held ? describe(*v.held) : "-") + " / " + (v.interview ? describe(*v.interview) : "-");
}
std::string describe(const quota_cell_state& c) {
  return "cell " + c.name + " target " + std::to_string(c.target) + " done " + std::to_string(c.completes) +
         " leases " + std::to_string(c.in_progress) + (c.closed ? " closed" : "");
}
template <class T>
std::string describe(const result<T, fault>& r) {
  return r ? describe(r.value()) : describe(r.err());
}

// What a terminal knows, from the replies it got (the straight run's: both runs must agree anyway).
struct terminal {
  user* who = nullptr;
  std::optional<case_id> held;
  std::optional<interview_view> interview;  // in progress
  std::function<std::string(durable_fieldwork&)> last;  // its last request, to resend as it was
};

// One request applied to a run; returns the reply described.
using request = std::function<std::string(durable_fieldwork&)>;

class equivalence_run {
 public:
  explicit equivalence_run(std::uint64_t seed) : seed_(seed), rng_(seed), straight_(12, seed), restarted_(12, seed) {
    for (auto* u : {&straight_.anna, &straight_.bert, &straight_.carl}) {
      terminals_.emplace_back();
      terminals_.back().who = u;
    }
  }

  int restarts() const { return restarted_.restarts - 1; }

  void run(int steps) {
    for (step_ = 0; step_ < steps && !::testing::Test::HasFatalFailure(); ++step_) {
      advance_time();
      tick();
      const auto roll = rng_.below(100);
      if (roll < 7) {
        restarted_.restart();
        reconnect_all();
      } else if (roll < 10) {
        supervisor();
      } else {
        interviewer(terminals_[rng_.below(terminals_.size())]);
      }
      // The supervisor's quota table (and with it the scheduler's priorities) is the same too.
      EXPECT_EQ(table(straight_), table(restarted_)) << "seed " << seed_ << ", step " << step_ << ": quota table";
    }
    compare_files();
  }

  // What the straight run did, for the test's summary line: a property that never completed, took
  // over or resent anything would prove little.
  struct tally {
    int interviews = 0, completes = 0, answers = 0, takeovers = 0, switches = 0, restarts = 0, appointments = 0;
  };
  tally counts() const {
    auto n = [&](const char* q) { return std::stoi(straight_.sql(q)); };
    return {n("SELECT count(*) FROM interviews"),
            n("SELECT count(*) FROM interviews WHERE final_state = 'complete'"),
            n("SELECT count(*) FROM answers"),
            // an interview whose calls were made by more than one interviewer changed hands
            n("SELECT count(*) FROM (SELECT interview_id FROM call_attempts WHERE interview_id IS NOT NULL"
              " GROUP BY interview_id HAVING count(DISTINCT interviewer_id) > 1)"),
            n("SELECT count(*) FROM interviews i JOIN cases c ON c.id = i.case_id WHERE i.language <> c.language"),
            restarts(), n("SELECT count(*) FROM appointments")};
  }

 private:
  user& same(durable_fieldwork& run, const user& u) {
    for (auto* x : {&run.anna, &run.bert, &run.carl, &run.sue})
      if (x->name == u.name) return *x;
    throw std::logic_error("no such user");
  }

  // Applies `r` to both runs and checks they reply alike; returns the straight run's reply.
  template <class T>
  result<T, fault> both(std::function<effect<T>(durable_fieldwork&)> r, const std::string& what) {
    auto a = straight_.run(r(straight_));
    auto b = restarted_.run(r(restarted_));
    EXPECT_EQ(describe(a), describe(b)) << "seed " << seed_ << ", step " << step_ << " (" << what << ", after "
                                        << restarted_.restarts - 1 << " restarts)";
    return a;
  }

  static std::string table(durable_fieldwork& f) {
    std::ostringstream s;
    for (const auto& r : f.fw->quota_table())
      s << describe(r.cell) << " left " << r.left << " sample " << r.sample_left << " share " << r.share << " basis "
        << r.share_basis << " priority " << r.priority << "\n";
    return s.str();
  }

  void advance_time() {
    const auto jump = rng_.below(100) < 3 ? std::chrono::seconds(25 * 60) : std::chrono::seconds(5 + rng_.below(60));
    straight_.now += jump;
    restarted_.now += jump;
  }

  void tick() {
    auto a = straight_.fw->tick(straight_.now);
    auto b = restarted_.fw->tick(restarted_.now);
    EXPECT_EQ(a.size(), b.size()) << "seed " << seed_ << ", step " << step_ << ": tick";
    straight_.commit(std::move(a));
    restarted_.commit(std::move(b));
  }

  void reconnect_all() {
    for (auto& t : terminals_) {
      const user u = *t.who;
      auto r = both<session_view>([&](durable_fieldwork& f) { return f.fw->resume(same(f, u), f.now); }, "resume " + u.name);
      if (!r) continue;
      t.held = r->held ? std::optional<case_id>(r->held->id) : std::nullopt;
      t.interview = r->interview && r->interview->current ? r->interview : std::nullopt;
      if (t.interview) t.held = t.interview->case_;
    }
  }

  void supervisor() {
    const auto& cells = straight_.fw->quotas().cells();
    const auto cell = cells[rng_.below(cells.size())].id;
    const auto op = static_cast<fieldwork::quota_op>(rng_.below(3));
    const int target = static_cast<int>(1 + rng_.below(6));
    const auto id = ++request_id_;
    both<quota_cell_state>(
        [&](durable_fieldwork& f) { return f.fw->quota_action(f.sue, id, op, cell, target, f.now); }, "quota action");
  }

  std::string answer_for(const screen& s) {
    switch (s.type) {
      case question_type::single:
        return s.choices.empty() ? "1" : std::to_string(s.choices[rng_.below(s.choices.size())].code);
      case question_type::multiple:
        return s.choices.empty() ? "1" : std::to_string(s.choices[rng_.below(s.choices.size())].code);
      case question_type::integer:
      case question_type::decimal: return std::to_string(1 + rng_.below(12));
      case question_type::text: return "text " + std::to_string(rng_.below(5));
      case question_type::note: return "";
    }
    return "";
  }

  // An appointment 30 minutes to 4 hours ahead, on the minute (outside calling hours: refused alike in
  // both runs).
  std::optional<time_point> appointment_time() {
    const auto t = straight_.now + std::chrono::minutes(30 + rng_.below(210));
    return std::chrono::floor<std::chrono::minutes>(t);
  }

  void forget_on_refusal(terminal& t, const fault& f) {
    if (f.code == fault_code::not_your_case) {
      t.held.reset();
      t.interview.reset();
    }
  }

  void interviewer(terminal& t) {
    const user u = *t.who;
    if (t.last && rng_.below(100) < 6) {  // a resend of the last request, as after a lost reply
      t.last(straight_);  // replies compared inside
      return;
    }
    const auto id = ++request_id_;
    if (t.interview && t.interview->current) {
      const auto iv = *t.interview;
      const auto roll = rng_.below(100);
      if (roll < 78) {
        const std::string text = answer_for(*iv.current);
        const std::string question = iv.current->name;
        t.last = [=, this](durable_fieldwork&) {
          auto r = both<interview_view>(
              [&](durable_fieldwork& f) { return f.fw->answer(same(f, u), id, iv.id, iv.next_seq, question, text, f.now); },
              "answer " + u.name);
          return describe(r);
        };
        auto r = both<interview_view>(
            [&](durable_fieldwork& f) { return f.fw->answer(same(f, u), id, iv.id, iv.next_seq, question, text, f.now); },
            "answer " + u.name);
        after_view(t, r);
      } else if (roll < 85 && iv.current->can_go_back) {
        t.last = [=, this](durable_fieldwork&) {
          return describe(both<interview_view>(
              [&](durable_fieldwork& f) { return f.fw->back(same(f, u), id, iv.id, iv.next_seq, f.now); }, "back"));
        };
        after_view(t, both<interview_view>(
                          [&](durable_fieldwork& f) { return f.fw->back(same(f, u), id, iv.id, iv.next_seq, f.now); },
                          "back " + u.name));
      } else if (roll < 92) {
        const std::string lang = iv.language == "nl" ? "fr" : "nl";
        auto r = both<interview_view>(
            [&](durable_fieldwork& f) { return f.fw->set_language(same(f, u), id, iv.id, lang, f.now); }, "language");
        after_view(t, r);
      } else {
        const auto how = roll < 95 ? outcome::break_off : roll < 97 ? outcome::appointment : outcome::soft_refusal;
        const auto when = appointment_time();
        auto r = both<interview_view>(
            [&](durable_fieldwork& f) { return f.fw->suspend(same(f, u), id, iv.id, iv.next_seq, how, when, "", f.now); },
            "suspend " + u.name);
        if (r) {
          t.interview.reset();
          t.held.reset();
        } else {
          forget_on_refusal(t, r.err());
        }
      }
      return;
    }
    if (t.held) {
      const case_id c = *t.held;
      if (rng_.below(100) < 65) {
        const std::string lang = rng_.below(2) ? "" : (rng_.below(2) ? "nl" : "fr");
        t.last = [=, this](durable_fieldwork&) {
          return describe(both<interview_view>(
              [&](durable_fieldwork& f) { return f.fw->start_interview(same(f, u), id, c, lang, f.now); }, "start again"));
        };
        after_view(t, both<interview_view>(
                          [&](durable_fieldwork& f) { return f.fw->start_interview(same(f, u), id, c, lang, f.now); },
                          "start " + u.name));
      } else {
        const auto roll = rng_.below(10);
        const auto how = roll < 2 ? outcome::appointment : roll < 6 ? outcome::no_answer : outcome::busy;
        const auto when = appointment_time();
        const bool personal = rng_.below(2) == 0;
        t.last = [=, this](durable_fieldwork&) {
          return describe(both<call_done>(
              [&](durable_fieldwork& f) {
                return f.fw->record_call(same(f, u), id, c, how, when, personal, "", "", f.now);
              },
              "call again"));
        };
        auto r = both<call_done>(
            [&](durable_fieldwork& f) { return f.fw->record_call(same(f, u), id, c, how, when, personal, "", "", f.now); },
            "call " + u.name);
        if (r)
          t.held.reset();
        else
          forget_on_refusal(t, r.err());
      }
      return;
    }
    t.last = [=, this](durable_fieldwork&) {
      return describe(both<std::variant<case_offer, idle>>(
          [&](durable_fieldwork& f) { return f.fw->next_case(same(f, u), id, f.now); }, "next again"));
    };
    auto r = both<std::variant<case_offer, idle>>(
        [&](durable_fieldwork& f) { return f.fw->next_case(same(f, u), id, f.now); }, "next " + u.name);
    if (r)
      if (auto* o = std::get_if<case_offer>(&r.value())) t.held = o->id;
  }

  void after_view(terminal& t, const result<interview_view, fault>& r) {
    if (!r) {
      forget_on_refusal(t, r.err());
      return;
    }
    if (r->current) {
      t.interview = r.value();
      t.held = r->case_;
    } else {
      t.interview.reset();
      t.held.reset();
    }
  }

  void compare_files() {
    for (const char* query : {
             "SELECT id, respondent_id, seed, case_id, interviewer_id, language, started_at, ended_at, final_state,"
             " suspended, snapshot FROM interviews ORDER BY id",
             "SELECT interview_id, seq, question, kind, value, at, answered_by FROM answers ORDER BY interview_id, seq",
             "SELECT case_id, interviewer_id, at, number, outcome, interview_id, partial FROM call_attempts ORDER BY id",
             "SELECT quota, cell_values, target, completes, closed FROM quota_cells ORDER BY id",
             "SELECT interview_id, deadline FROM quota_leases ORDER BY interview_id",
             "SELECT id, held_by, held_until FROM cases ORDER BY id",
             "SELECT user_id, request_id, kind, case_id, interview_id, outcome, detail FROM request_log"
             " ORDER BY user_id, request_id",
             "SELECT respondent_id, case_id FROM respondents ORDER BY case_id",
         })
      EXPECT_EQ(straight_.dump(query), restarted_.dump(query)) << "seed " << seed_ << ": " << query;
  }

  std::uint64_t seed_;
  splitmix64 rng_;
  durable_fieldwork straight_;
  durable_fieldwork restarted_;
  std::vector<terminal> terminals_;
  std::uint64_t request_id_ = 1000;
  int step_ = 0;
};

}  // namespace

TEST(RestartEquivalence, RandomRequestsWithRestartsEndLikeTheSameRequestsWithout) {
  int seeds = 24;
  if (const char* env = std::getenv("CATI_PROPERTY_SEEDS")) seeds = std::max(1, std::atoi(env));
  int restarts = 0, interviews = 0, completes = 0, answers = 0, takeovers = 0, switches = 0, appointments = 0;
  std::vector<std::uint64_t> chosen;
  for (int s = 1; s <= seeds; ++s) chosen.push_back(static_cast<std::uint64_t>(s) * 7919);
  if (const char* one = std::getenv("CATI_PROPERTY_SEED")) chosen = {std::strtoull(one, nullptr, 10)};
  for (std::size_t i = 0; i < chosen.size() && !HasFailure(); ++i) {
    equivalence_run run(chosen[i]);
    run.run(160);
    const auto t = run.counts();
    restarts += t.restarts;
    interviews += t.interviews;
    completes += t.completes;
    answers += t.answers;
    takeovers += t.takeovers;
    switches += t.switches;
    appointments += t.appointments;
  }
  std::cout << chosen.size() << " seeds: " << restarts << " restarts, " << interviews << " interviews (" << completes
            << " complete, " << takeovers << " taken over, " << switches << " in another language than the case's), "
            << answers << " answer rows, " << appointments << " appointments\n";
  EXPECT_GT(restarts, static_cast<int>(chosen.size())) << "the runs restarted too rarely to prove anything";
  EXPECT_GT(completes, 0);
}

}  // namespace cati::durable
