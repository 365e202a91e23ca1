// Randomised property test: many more interviews than places, leasing, completing, releasing, renewing,
// expiring, supervisor changes and server restarts in a random (seeded) order. After every step the book
// must agree with an independent brute-force model, a normal cell never goes over its target, a lease is
// refused exactly when a cell had no room at that moment, and the events fold to the book's state. At the
// end the completes equal the completed interviews, cell by cell.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <variant>

#include "core/quota/quota_book.hpp"
#include "quota_test_fixture.hpp"

namespace cati::core {
namespace {

using namespace quota_testing;

// The rules restated as plainly as possible, with nothing shared with the book but the definitions.
class model {
 public:
  struct cell_rec {
    cell_policy policy = cell_policy::normal;
    int target = 0;
    int completes = 0;
    bool closed = false;
  };
  struct lease {
    std::set<cell_id> cells;
    time_point deadline{};
  };

  explicit model(std::vector<quota> quotas) : quotas_(std::move(quotas)) {
    for (const auto& q : quotas_)
      for (const auto& c : q.cells) cells_[cell_id{q.name, c.values}] = {c.policy, c.target, 0, false};
  }

  std::set<cell_id> place(const quota_values& values) const {
    std::set<cell_id> out;
    for (const auto& q : quotas_)
      for (const auto& c : q.cells) {
        bool match = true;
        for (std::size_t v = 0; v < q.variables.size(); ++v) {
          auto it = values.find(q.variables[v]);
          match = match && it != values.end() && it->second == c.values[v];
        }
        if (match) out.insert(cell_id{q.name, c.values});
      }
    return out;
  }

  int held(const cell_id& c) const {
    return static_cast<int>(std::count_if(leases_.begin(), leases_.end(),
                                          [&](const auto& l) { return l.second.cells.contains(c); }));
  }

  bool has_room(const cell_id& c) const {
    const auto& rec = cells_.at(c);
    if (rec.closed) return false;
    return rec.policy == cell_policy::count_only || rec.completes + held(c) < rec.target;
  }

  void sweep(time_point now) {
    std::erase_if(leases_, [&](const auto& l) { return l.second.deadline <= now; });
  }

  // The cells that refused; empty when granted.
  std::set<cell_id> try_lease(interview_id i, const quota_values& values, time_point now, milliseconds ttl) {
    sweep(now);
    const auto want = place(values);
    auto it = leases_.find(i);
    std::set<cell_id> refused;
    for (const auto& c : want)
      if ((it == leases_.end() || !it->second.cells.contains(c)) && !has_room(c)) refused.insert(c);
    if (!refused.empty()) return refused;
    const time_point deadline = it == leases_.end() ? now + ttl : std::max(it->second.deadline, now + ttl);
    leases_[i] = {want, deadline};
    return {};
  }

  std::optional<std::set<cell_id>> complete(interview_id i) {
    auto it = leases_.find(i);
    if (it == leases_.end()) return std::nullopt;
    auto cells = it->second.cells;
    for (const auto& c : cells) ++cells_[c].completes;
    leases_.erase(it);
    return cells;
  }

  void release(interview_id i) { leases_.erase(i); }

  bool renew(interview_id i, time_point now, milliseconds ttl) {
    auto it = leases_.find(i);
    if (it == leases_.end()) return false;
    it->second.deadline = std::max(it->second.deadline, now + ttl);
    return true;
  }

  bool set_target(const cell_id& c, int target) {
    auto& rec = cells_.at(c);
    if (rec.policy == cell_policy::count_only || target < 0 || target < rec.completes) return false;
    if (rec.policy == cell_policy::normal && target < rec.completes + held(c)) return false;
    rec.target = target;
    return true;
  }

  void set_closed(const cell_id& c, bool closed) { cells_.at(c).closed = closed; }

  const std::map<cell_id, cell_rec>& cells() const { return cells_; }
  bool holds(interview_id i) const { return leases_.contains(i); }
  std::vector<interview_id> holders() const {
    std::vector<interview_id> out;
    for (const auto& [i, l] : leases_) out.push_back(i);
    return out;
  }

 private:
  std::vector<quota> quotas_;
  std::map<cell_id, cell_rec> cells_;
  std::map<interview_id, lease> leases_;
};

std::vector<quota> study() {
  return {region_quota(12, 8, 4), sector_quota(10, 6), region_sector_quota(3),
          make_quota("size", {"sector_frame"}, {{{"services"}, 4, cell_policy::allow_over}, {{"commerce"}, 3}})};
}

// How often each interesting thing happened over all seeds: a property test that never refuses a lease
// or never moves one proves little, so the test checks these are all reached.
struct coverage {
  int granted = 0;
  int refused = 0;
  int moved = 0;
  int completed = 0;
  int expired = 0;
  int targets_refused = 0;
  int restarts = 0;
};

class run {
 public:
  run(std::uint64_t seed, coverage& seen)
      : rng_(seed), book_(make_book(study())), model_(study()), seen_(seen) {
    persisted_ = book_.state();
    for (const auto& c : book_.cells()) ids_.push_back(c.id);
  }

  void steps(int count) {
    for (int s = 0; s < count; ++s) {
      now_ += milliseconds{static_cast<long long>(pick(60'000))};
      const auto roll = pick(100);
      if (roll < 40) lease();
      else if (roll < 58) complete();
      else if (roll < 66) release();
      else if (roll < 76) renew();
      else if (roll < 86) expire();
      else if (roll < 95) supervise();
      else if (roll < 96) restart();
      check();
      if (::testing::Test::HasFatalFailure()) {
        std::string last;
        for (auto i = log_.size() > 30 ? log_.size() - 30 : 0; i < log_.size(); ++i) last += log_[i] + '\n';
        ADD_FAILURE() << "the last steps:\n" << last;
        return;
      }
    }
  }

  // Ends every lease (completing half), then compares the completes with the completed interviews.
  void finish() {
    for (interview_id i = 1; i < next_; ++i) {
      if (!book_.lease_of(i)) continue;
      if (pick(2) == 0) {
        complete_one(i);
      } else {
        model_.release(i);
        record(book_.release(i));
      }
    }
    for (const auto& c : book_.cells()) EXPECT_EQ(c.completes, completed_[c.id]) << to_string(c.id);
    EXPECT_EQ(book_.lease_count(), 0u);
    check();
  }

 private:
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }

  // What happened, for the failure message: a failing seed should be readable without a debugger.
  void note(const std::string& what, interview_id i, bool ok) {
    log_.push_back(std::to_string((now_ - t0).count() / 1000) + "s " + what + " " + std::to_string(i) +
                   (ok ? " ok" : " refused"));
  }

  static std::string show(const quota_values& values) {
    std::string out;
    for (const auto& [k, v] : values) out += k + '=' + v + ' ';
    return out;
  }

  quota_values random_values() {
    static const std::vector<std::string> regions = {"VLA", "WAL", "BRU"};
    static const std::vector<std::string> sectors = {"1", "2", "3", "98"};
    static const std::vector<std::string> frames = {"services", "commerce", "industry"};
    quota_values v{{"region", regions[pick(3)]}, {"sector_frame", frames[pick(3)]}};
    if (pick(10) != 0) v["s3_sector"] = sectors[pick(4)];  // sometimes not known yet
    return v;
  }

  interview_id random_interview() { return 1 + static_cast<interview_id>(pick(static_cast<std::uint64_t>(next_))); }

  // Mostly an interview that holds a lease (the interesting case), sometimes any.
  interview_id some_interview() {
    const auto holders = model_.holders();
    if (holders.empty() || pick(4) == 0) return random_interview();
    return holders[pick(holders.size())];
  }

  milliseconds random_ttl() { return minutes{5 + static_cast<int>(pick(26))}; }

  void record(const quota_events& events) {
    for (const auto& e : events) apply(persisted_, e);
  }

  void lease() {
    interview_id i;
    quota_values values;
    if (next_ == 1 || pick(3) == 0) {
      i = next_++;
      values = random_values();
    } else {
      i = random_interview();
      if (finished_.contains(i) || !values_.contains(i)) return;
      values = values_[i];  // resumed or retried
      if (pick(4) == 0) values["s3_sector"] = std::to_string(1 + pick(3));  // an answer changed
    }
    const auto lease_ttl = random_ttl();
    const auto refused = model_.try_lease(i, values, now_, lease_ttl);
    const auto answer = book_.try_lease(i, values, now_, lease_ttl);
    record(answer.events);
    note("lease " + show(values), i, answer.granted);
    ++(answer.granted ? seen_.granted : seen_.refused);
    for (const auto& e : answer.events) {
      seen_.moved += std::holds_alternative<lease_moved>(e);
      seen_.expired += std::holds_alternative<lease_expired>(e);
    }
    if (answer.granted) values_[i] = values;
    ASSERT_EQ(answer.granted, refused.empty()) << "interview " << i << ": " << answer.message();
    std::set<cell_id> reported;
    for (const auto& r : answer.refusals) {
      reported.insert(r.cell);
      // The numbers given to the interviewer prove there was no room.
      EXPECT_TRUE(r.reason == refusal_reason::closed || r.completes + r.in_progress >= r.target) << r.message;
    }
    EXPECT_EQ(reported, refused);
    if (!answer.granted && !model_.holds(i)) finished_.insert(i);  // over quota: the interview ends
  }

  void complete_one(interview_id i) {
    const auto expected = model_.complete(i);
    const auto done = book_.complete(i);
    note("complete", i, done.has_value());
    ASSERT_EQ(done.has_value(), expected.has_value());
    if (!done) return;
    record(*done);
    ++seen_.completed;
    finished_.insert(i);
    // Tally from the interview's own values, not from any lease.
    for (const auto& c : model_.place(values_[i])) ++completed_[c];
  }

  void complete() { complete_one(some_interview()); }

  void release() {
    const auto i = some_interview();
    model_.release(i);
    record(book_.release(i));
    note("release", i, true);
    if (pick(2) == 0) finished_.insert(i);  // break-off; otherwise a disconnect that may resume
  }

  void renew() {
    const auto i = some_interview();
    const auto lease_ttl = random_ttl();
    const bool expected = model_.renew(i, now_, lease_ttl);
    const auto renewed = book_.renew(i, now_, lease_ttl);
    note("renew " + std::to_string(lease_ttl.count() / 60000) + "min", i, renewed.has_value());
    ASSERT_EQ(renewed.has_value(), expected);
    if (renewed) record(*renewed);
  }

  void expire() {
    now_ += minutes{static_cast<int>(pick(20))};
    model_.sweep(now_);
    const auto expired = book_.expire(now_);
    record(expired);
    seen_.expired += static_cast<int>(expired.size());
    note("expire, leases swept: " + std::to_string(expired.size()), 0, true);
  }

  void supervise() {
    const auto& id = ids_[pick(ids_.size())];
    const auto what = pick(4);
    if (what < 2) {
      const int target = static_cast<int>(pick(15));
      const bool expected = model_.set_target(id, target);
      const auto changed = book_.set_target(id, target);
      note("target " + to_string(id) + " " + std::to_string(target), 0, changed.has_value());
      ASSERT_EQ(changed.has_value(), expected) << to_string(id) << " -> " << target;
      if (changed) record(*changed);
      seen_.targets_refused += !changed;
    } else {
      const bool close = what == 2;
      model_.set_closed(id, close);
      auto changed = close ? book_.close(id) : book_.reopen(id);
      note((close ? "close " : "reopen ") + to_string(id), 0, true);
      ASSERT_TRUE(changed);
      record(*changed);
    }
  }

  void restart() {
    auto restored = quota_book::restore(make_book(study()), persisted_);
    ASSERT_TRUE(restored) << restored.err().message;
    ASSERT_EQ(restored->state(), book_.state());
    book_ = std::move(restored).value();
    note("restart", 0, true);
    ++seen_.restarts;
  }

  void check() {
    ASSERT_EQ(book_.state(), persisted_) << "the events do not add up to the book's state";
    for (const auto& c : book_.cells()) {
      const auto& m = model_.cells().at(c.id);
      ASSERT_EQ(c.completes, m.completes) << to_string(c.id);
      ASSERT_EQ(c.in_progress, model_.held(c.id)) << to_string(c.id);
      ASSERT_EQ(c.target, m.target) << to_string(c.id);
      ASSERT_EQ(c.closed, m.closed) << to_string(c.id);
      if (c.policy == cell_policy::normal) {
        ASSERT_LE(c.completes + c.in_progress, c.target) << to_string(c.id);
      }
    }
  }

  std::mt19937_64 rng_;
  quota_book book_;
  model model_;
  quota_state persisted_;  // what a store applying every event would hold
  std::vector<cell_id> ids_;
  time_point now_ = t0;
  interview_id next_ = 1;
  std::map<interview_id, quota_values> values_;
  std::set<interview_id> finished_;
  std::map<cell_id, int> completed_;
  std::vector<std::string> log_;
  coverage& seen_;
};

TEST(QuotaProperty, RandomInterleavingsKeepEveryRule) {
  coverage seen;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    run r(seed, seen);
    r.steps(1000);
    if (HasFatalFailure()) return;
    r.finish();
    if (HasFailure()) return;
  }
  for (int n : {seen.granted, seen.refused, seen.moved, seen.completed, seen.expired, seen.targets_refused,
                seen.restarts})
    EXPECT_GT(n, 0);
  std::cout << "granted " << seen.granted << ", refused " << seen.refused << ", moved " << seen.moved
            << ", completed " << seen.completed << ", expired " << seen.expired << ", targets refused "
            << seen.targets_refused << ", restarts " << seen.restarts << '\n';
}

// The scenario: K interviewers far beyond the room all reach the quota point at once, then
// complete in a random order.
TEST(QuotaProperty, ManyAtOnceNeverOvershootAndTurnNobodyAwayWhileThereIsRoom) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    auto book = make_book({region_quota(131, 70, 24)});
    const cell_id bru = cell("region", {"BRU"});
    std::vector<interview_id> granted;
    int refused = 0;
    for (interview_id i = 1; i <= 100; ++i) {
      const bool room = book.find(bru)->room() > 0;
      auto answer = book.try_lease(i, at("BRU"), t0, ttl);
      ASSERT_EQ(answer.granted, room);
      if (answer.granted) granted.push_back(i);
      else ++refused;
    }
    std::shuffle(granted.begin(), granted.end(), rng);
    int completed = 0;
    for (auto i : granted) {
      if (rng() % 4 == 0) {
        book.release(i);  // break-off: its place goes to a new firm
        ASSERT_TRUE(book.try_lease(1000 + i, at("BRU"), t0, ttl).granted) << "a released place was not given";
        ASSERT_TRUE(book.complete(1000 + i));
        ++completed;
      } else {
        ASSERT_TRUE(book.complete(i));
        ++completed;
      }
    }
    EXPECT_EQ(refused, 76);
    EXPECT_EQ(completed, 24);
    EXPECT_EQ(book.find(bru)->completes, 24);
    EXPECT_EQ(book.find(bru)->in_progress, 0);
  }
}

}  // namespace
}  // namespace cati::core
