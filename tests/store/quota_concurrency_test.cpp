// The quota concurrency test (issue 4): K simulated interviewers, far more than the room in the cells, work
// the same small sample at once through the real fieldwork service (core::fieldwork) and the real SQLite
// store (store::fieldwork_port), in a random interleaving per seed. Mixed in: interviewers who break off,
// refuse, disconnect and come back (or never do), the clock jumping past the lease TTL while leases are
// held, supervisors changing targets and closing cells, and server restarts (the service and the store
// dropped, the same file reopened, the service rebuilt from it).
//
// An independent model of the quota cells (targets, completes, leases with their deadlines), driven only
// by what the terminals are told, is checked after every step:
// - a normal cell never has more completes (nor completes + interviews in progress) than its target;
// - an interview is turned away over quota only when one of its cells had no room at that moment, and is
//   let through only when all of them had;
// - the scheduler offers no firm whose frame cell is full or closed;
// - the book's counts, leases and lease deadlines equal the model's; a restart restores them exactly.
// At the end every lease has expired or ended, and the quota counts on disk equal the completes counted
// with SQL from the interviews and answers tables.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <variant>

#include "store/sql/sql.hpp"
#include "core/fieldwork/fieldwork.hpp"
#include "core/sample/sample_row.hpp"
#include "schema/loader.hpp"
#include "store/fieldwork_port.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

using core::cell_id;
using core::cell_policy;
using core::outcome;
using core::time_point;

constexpr int interviewers = 40;      // K
constexpr int brussels_firms = 40;    // all want one of the 3 places in Brussels
constexpr int flemish_firms = 20;     // and these one of the 4 in Flanders
constexpr int seeds = 200;
constexpr int max_steps = 4000;       // per seed; a seed normally ends well before
constexpr auto lease_ttl = std::chrono::minutes(5);

// The seed questionnaire with small quotas: region on the frame (marginal), sector asked (marginal, one
// count-only cell), and region x sector interlocked. The loader's lint is not involved: the quotas are set
// on the loaded study, as a newer questionnaire version would bring them.
std::shared_ptr<const core::questionnaire> small_quota_study() {
  auto seed = schema::load_study_or_throw(std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025");
  auto study = std::make_shared<core::questionnaire>(*seed);
  auto make = [](std::string name, std::vector<std::string> variables,
                 std::vector<std::pair<std::vector<std::string>, int>> cells, cell_policy last = cell_policy::normal) {
    core::quota q;
    q.name = std::move(name);
    q.variables = std::move(variables);
    for (std::size_t i = 0; i < cells.size(); ++i)
      q.cells.push_back({cells[i].first, cells[i].second, i + 1 == cells.size() ? last : cell_policy::normal, {}});
    return q;
  };
  study->quotas = {
      make("region", {"region"}, {{{"VLA"}, 4}, {{"WAL"}, 50}, {{"BRU"}, 3}}),
      make("sector", {"s3_sector"}, {{{"1"}, 3}, {{"2"}, 4}, {{"3"}, 0}}, cell_policy::count_only),
      make("region_sector", {"region", "s3_sector"},
           {{{"VLA", "1"}, 2}, {{"VLA", "2"}, 2}, {{"VLA", "3"}, 2}, {{"BRU", "1"}, 1}, {{"BRU", "2"}, 2},
            {{"BRU", "3"}, 2}}),
  };
  return study;
}

// Answers that carry an eligible firm through the questionnaire; s3_sector is drawn per interview.
const std::map<std::string, std::string> answers = {
    {"intro", ""},          {"s1_decider", "1"}, {"s2_fte", "5"},       {"q1_market", "3"},
    {"q2_ai_use", "3"},     {"q3_ai_areas", "1 2"}, {"q4_ai_tasks", "1"}, {"q5_potential", "1"},
    {"q6_attitude", "2"},   {"q7_fin_value", "1"}, {"q8_bank_ai", "1"},  {"q9_bank_domains", "1 2"},
    {"end", ""}};

// The quota rules restated from the issue, sharing nothing with core::quota_book.
class quota_model {
 public:
  struct cell {
    cell_policy policy = cell_policy::normal;
    int target = 0;
    int completes = 0;
    bool closed = false;
  };
  struct lease {
    std::set<cell_id> cells;
    time_point deadline{};
  };

  explicit quota_model(const core::questionnaire& study) {
    for (const auto& q : study.quotas) {
      quotas_.push_back(q);
      for (const auto& c : q.cells) cells_[cell_id{q.name, c.values}] = {c.policy, c.target, 0, false};
    }
  }

  std::set<cell_id> cells_of(const core::quota_values& values) const {
    std::set<cell_id> out;
    for (const auto& q : quotas_)
      for (const auto& c : q.cells) {
        bool all = true;
        for (std::size_t v = 0; v < q.variables.size(); ++v) {
          auto it = values.find(q.variables[v]);
          all = all && it != values.end() && it->second == c.values[v];
        }
        if (all) out.insert(cell_id{q.name, c.values});
      }
    return out;
  }

  int held(const cell_id& c) const {
    return static_cast<int>(
        std::count_if(leases_.begin(), leases_.end(), [&](const auto& l) { return l.second.cells.contains(c); }));
  }
  bool room(const cell_id& c) const {
    const auto& rec = cells_.at(c);
    return !rec.closed && (rec.policy == cell_policy::count_only || rec.completes + held(c) < rec.target);
  }
  bool all_room(const std::set<cell_id>& cells) const {
    return std::all_of(cells.begin(), cells.end(), [&](const cell_id& c) { return room(c); });
  }
  // Whether a firm with these frame values may be dialled: not when, for some quota, every cell it could
  // still fall in has no room.
  bool dialable(const core::quota_values& frame) const {
    for (const auto& q : quotas_) {
      bool any = false, any_room = false;
      for (const auto& c : q.cells) {
        bool agrees = true;
        for (std::size_t v = 0; v < q.variables.size(); ++v)
          if (auto it = frame.find(q.variables[v]); it != frame.end() && it->second != c.values[v]) agrees = false;
        if (!agrees) continue;
        any = true;
        any_room = any_room || room(cell_id{q.name, c.values});
      }
      if (any && !any_room) return false;
    }
    return true;
  }

  void sweep(time_point now) {
    std::erase_if(leases_, [&](const auto& l) { return l.second.deadline <= now; });
  }
  void take(core::interview_id i, std::set<cell_id> cells, time_point now) {
    leases_[i] = {std::move(cells), now + lease_ttl};
  }
  void renew(core::interview_id i, time_point now) {
    auto& l = leases_.at(i);
    l.deadline = std::max(l.deadline, time_point(now + lease_ttl));
  }
  void complete(core::interview_id i) {
    for (const auto& c : leases_.at(i).cells) ++cells_.at(c).completes;
    leases_.erase(i);
  }
  void release(core::interview_id i) { leases_.erase(i); }
  bool holds(core::interview_id i) const { return leases_.contains(i); }

  // What set_target must answer: the refusal's reason, or nullopt when it must succeed.
  std::optional<std::string> target_refusal(const cell_id& c, int target) const {
    const auto& rec = cells_.at(c);
    if (rec.policy == cell_policy::count_only) return "count-only";
    if (target < 0) return "negative";
    if (target < rec.completes) return "is below the " + std::to_string(rec.completes) + " completes";
    if (rec.policy == cell_policy::normal && target < rec.completes + held(c)) return "interviews in progress";
    return std::nullopt;
  }

  std::map<cell_id, cell>& cells() { return cells_; }
  const std::map<core::interview_id, lease>& leases() const { return leases_; }

 private:
  std::vector<core::quota> quotas_;
  std::map<cell_id, cell> cells_;
  std::map<core::interview_id, lease> leases_;
};

// A terminal: the case it holds and the interview it is in, as it was told.
struct terminal {
  core::user who;
  std::optional<core::case_id> holding;     // offered, no interview started yet
  std::optional<core::interview_view> view;  // in an interview
  bool away = false;                         // disconnected; comes back with resume()
  bool gone = false;                         // disconnected for good
  bool idle = false;                         // the last next_case found nothing to call
};

// What the simulation knows of an interview.
struct interview_facts {
  std::string region;
  std::string sector;  // the answer it gives to s3_sector
  bool passed = false;  // let through at the quota point
  bool ended = false;
};

struct totals {
  int granted = 0, turned_away = 0, completes = 0, expired = 0, retaken = 0, restarts = 0, breakoffs = 0,
      refusals = 0, disconnects = 0, targets_refused = 0, supervisor = 0;
};

// A fieldwork file with the sample and the users in it, made once and copied for every seed (on
// PostgreSQL, made again in every seed's own schema: fill()).
struct template_file {
  temp_dir dir;
  fs::path path = dir / "template.db";
  const core::questionnaire& study;
  std::vector<core::user> users;
  core::user supervisor;

  explicit template_file(const core::questionnaire& q) : study(q) { fill(path.string()); }

  void fill(const std::string& db) {
    users.clear();
    store::fieldwork_store fw(options_for(db));
    std::string csv = frame_header;
    int n = 0;
    auto add = [&](const char* region, const char* language) {
      ++n;
      char phone[32];
      std::snprintf(phone, sizeof phone, "+3220%06d", n);
      csv += "F" + std::to_string(n) + ",Firma " + std::to_string(n) + "," + phone + ",Jan Peeters," + region +
             ",services,5," + language + "\n";
    };
    for (int i = 0; i < brussels_firms; ++i) add("BRU", i % 2 ? "fr" : "nl");
    for (int i = 0; i < flemish_firms; ++i) add("VLA", "nl");
    auto frame = core::parse_sample_frame(csv, study);
    if (!frame.ok()) throw std::runtime_error(frame.problems.front().to_string("frame.csv"));
    auto imported = fw.import_sample(frame, {"frame.csv", fieldwork_time(), std::nullopt}).get();
    if (!imported.ok()) throw std::runtime_error(imported.problems.front().to_string("frame.csv"));
    for (int k = 0; k < interviewers; ++k) {
      const std::string name = "iv" + std::to_string(k);
      users.push_back({add_interviewer(fw, name), name, core::user_role::interviewer, {"nl", "fr"}});
    }
    supervisor = {fw.add_user({"sue", store::user_role::supervisor, {"nl"}, "not-a-real-hash", fieldwork_time()}).get(),
                  "sue", core::user_role::supervisor, {"nl"}};
  }
};

class simulation {
 public:
  simulation(std::uint64_t seed, std::shared_ptr<const core::questionnaire> study, const core::calendar& cal,
             template_file& tmpl, const std::string& db, totals& seen)
      : rng_(seed), study_(std::move(study)), cal_(cal), db_(db), model_(*study_), seen_(seen),
        supervisor_(tmpl.supervisor) {
    if (store::is_postgresql(db_))
      tmpl.fill(db_);
    else
      fs::copy_file(tmpl.path, db_, fs::copy_options::overwrite_existing);
    for (const auto& u : tmpl.users) terminals_.push_back({u, {}, {}, false, false, false});
    open();
  }

  // Runs until every terminal is idle or gone (or max_steps); asserts after every step.
  void run() {
    for (int step = 0; step < max_steps; ++step) {
      if (std::all_of(terminals_.begin(), terminals_.end(), [](const terminal& t) { return t.gone || t.idle; })) break;
      advance_clock();
      const auto roll = pick(1000);
      if (roll < 2) {
        restart();
      } else if (roll < 7) {
        supervise();
      } else {
        act(terminals_[pick(terminals_.size())]);
      }
      if (::testing::Test::HasFatalFailure()) return;
      check_invariants();
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  // Every lease ends or expires; the counts on disk equal what the interviews say.
  void finish() {
    now_ += lease_ttl + std::chrono::minutes(1);
    tick();
    ASSERT_EQ(fw_->quotas().lease_count(), 0u) << "a lease outlived its deadline";
    ASSERT_TRUE(model_.leases().empty());
    restart();  // everything was committed: the reopened file says the same
    auto disk = store_->read([](store::sql::connection& db) {
      std::map<cell_id, std::pair<int, int>> out;  // completes in quota_cells, completes counted from interviews
      store::sql::statement cells(db, "SELECT quota, cell_values, completes FROM quota_cells");
      while (cells.executeStep()) {
        std::vector<std::string> values;
        std::stringstream in(cells.getColumn(1).getString());
        for (std::string v; std::getline(in, v, ',');) values.push_back(v);
        out[cell_id{cells.getColumn(0).getString(), values}].first = cells.getColumn(2).getInt();
      }
      store::sql::statement done(db,
                             "WITH done AS (SELECT "
                             " (SELECT value FROM case_frame f WHERE f.case_id = i.case_id AND f.name = 'region') AS r,"
                             " (SELECT value FROM answers a WHERE a.interview_id = i.id AND a.question = 's3_sector'"
                             "  ORDER BY a.seq DESC LIMIT 1) AS s "
                             " FROM interviews i WHERE i.final_state = ?) "
                             "SELECT 'region', r, NULL, count(*) FROM done GROUP BY r "
                             "UNION ALL SELECT 'sector', s, NULL, count(*) FROM done GROUP BY s "
                             "UNION ALL SELECT 'region_sector', r, s, count(*) FROM done GROUP BY r, s");
      done.bind(1, std::string(core::to_string(outcome::complete)));
      while (done.executeStep()) {
        std::vector<std::string> values{done.getColumn(1).getString()};
        if (!done.getColumn(2).isNull()) values.push_back(done.getColumn(2).getString());
        cell_id id{done.getColumn(0).getString(), values};
        if (auto it = out.find(id); it != out.end()) it->second.second = done.getColumn(3).getInt();
      }
      return out;
    });
    const int leases_on_disk = store_->read(
        [](store::sql::connection& db) { return db.execAndGet("SELECT count(*) FROM quota_leases").getInt(); });
    EXPECT_EQ(leases_on_disk, 0) << "a lease is stuck in the file";
    int total = 0;
    for (const auto& [id, counts] : disk) {
      EXPECT_EQ(counts.first, counts.second) << core::to_string(id) << ": quota_cells vs interviews";
      if (id.quota == "region") total += counts.second;
    }
    EXPECT_EQ(total, completes_) << "completes on disk vs completes the terminals were told";
    for (auto& [id, rec] : model_.cells()) {
      if (rec.policy == cell_policy::normal) {
        EXPECT_LE(rec.completes, rec.target) << core::to_string(id);
      }
    }
    const int audits = store_->read([](store::sql::connection& db) {
      return db.execAndGet("SELECT count(*) FROM audit_log WHERE action LIKE 'quota_%'").getInt();
    });
    EXPECT_EQ(audits, supervisor_changes_) << "every supervisor change is in the audit log";
  }

  void close() {
    fw_.reset();
    port_.reset();
    store_.reset();
  }

 private:
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

  void open() {
    store::open_options o = options_for(db_);
    o.synchronous = store::synchronous_mode::normal;  // restarts here are clean; the crash test covers fsync
    store_ = std::make_unique<store::fieldwork_store>(o);
    port_ = std::make_unique<store::fieldwork_port>(*store_, *study_);
    fw_ = std::make_unique<core::fieldwork>(study_, cal_, port_->quotas(), port_->next_interview_id(), rng_(),
                                            core::fieldwork_options{lease_ttl});
    auto cases = port_->cases_after(0);
    for (const auto& c : cases) region_[c.record.id] = c.record.frame.at("region");
    fw_->load_cases(std::move(cases));
    auto failed = fw_->load_interviews(port_->open_interviews(), now_);
    ASSERT_TRUE(failed.empty()) << failed.front().second;
  }

  // What the service does: commit, and only then reply. A commit the store refuses (an event that does
  // not fit the state on disk) fails the test.
  template <class T>
  std::optional<T> commit(core::effect<T> e) {
    if (!e.changes.empty()) persist(std::move(e.changes));
    if (!e.reply) {
      last_fault_ = e.reply.err();
      return std::nullopt;
    }
    return std::move(e.reply).value();
  }

  void persist(core::change_list changes) {
    std::promise<std::optional<std::string>> done;
    auto f = done.get_future();
    port_->commit(std::move(changes), [&](std::optional<std::string> err) { done.set_value(std::move(err)); });
    auto err = f.get();
    ASSERT_FALSE(err) << "commit failed: " << *err;
  }

  void tick() {
    const auto before = fw_->quotas().lease_count();
    if (auto changes = fw_->tick(now_); !changes.empty()) persist(std::move(changes));
    model_.sweep(now_);
    seen_.expired += static_cast<int>(before - fw_->quotas().lease_count());
  }

  void advance_clock() {
    // Mostly a few seconds per step; now and then the clock jumps past the lease TTL while leases are held
    // (a terminal frozen, the server's tick late).
    if (pick(200) == 0) now_ += lease_ttl + std::chrono::seconds(static_cast<int>(pick(120)));
    else now_ += std::chrono::seconds(1 + static_cast<int>(pick(3)));
    tick();
  }

  void restart() {
    const auto before = fw_->quotas().state();
    close();
    open();
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_EQ(fw_->quotas().state(), before) << "the quota state did not survive the restart";
    tick();  // the service sweeps soon after its start
    ++seen_.restarts;
    // Every terminal lost its connection, and in this model forgets the case it was offered (the server
    // keeps the lock: the next NextCase passes it by).
    for (auto& t : terminals_) {
      t.holding.reset();
      if (t.view && !t.gone) t.away = true;
    }
  }

  void supervise() {
    auto& cells = model_.cells();
    auto it = std::next(cells.begin(), static_cast<std::ptrdiff_t>(pick(cells.size())));
    const cell_id id = it->first;
    auto& rec = it->second;
    const auto op = pick(4);
    if (op == 0 || op == 1) {  // close or reopen; the closed state rarely lasts
      const bool close = op == 0 && !rec.closed;
      auto r = commit(fw_->quota_action(supervisor_, 0, close ? core::fieldwork::quota_op::close
                                                           : core::fieldwork::quota_op::reopen, id, 0, now_));
      ASSERT_TRUE(r) << last_fault_.message;
      rec.closed = close;
      ++supervisor_changes_;
      return;
    }
    // A new target: sometimes raised, sometimes lowered below what is done or in progress.
    const int target = op == 2 ? rec.target + 1 : rec.completes - 1 + static_cast<int>(pick(3));
    auto expected = model_.target_refusal(id, target);
    auto r = commit(fw_->quota_action(supervisor_, 0, core::fieldwork::quota_op::set_target, id, target, now_));
    if (expected) {
      ASSERT_FALSE(r) << core::to_string(id) << " target " << target << " should be refused: " << *expected;
      EXPECT_NE(last_fault_.message.find(*expected), std::string::npos) << last_fault_.message;
      ++seen_.targets_refused;
      return;
    }
    ASSERT_TRUE(r) << core::to_string(id) << " target " << target << ": " << last_fault_.message;
    rec.target = target;
    ++supervisor_changes_;
    ++seen_.supervisor;
  }

  void act(terminal& t) {
    if (t.gone) return;
    if (t.away) {
      if (pick(8) != 0) return;  // still away
      if (pick(20) == 0) {       // never comes back: the lease must run out by itself
        t.gone = true;
        return;
      }
      t.away = false;
      return come_back(t);
    }
    if (t.view) return interview_step(t);
    if (t.holding) return start(t);
    next_case(t);
  }

  void next_case(terminal& t) {
    auto r = commit(fw_->next_case(t.who, 0, now_));
    ASSERT_TRUE(r) << last_fault_.message;
    if (std::holds_alternative<core::idle>(*r)) {
      t.idle = true;
      return;
    }
    const auto& offer = std::get<core::case_offer>(*r);
    core::quota_values frame;
    for (const auto& [k, v] : offer.frame) frame[k] = v;
    ASSERT_TRUE(model_.dialable(frame)) << "case " << offer.id << " in " << offer.quota_cell
                                        << " was offered while its frame cell had no room";
    t.idle = false;
    t.holding = offer.id;
  }

  void start(terminal& t) {
    const auto id = *t.holding;
    t.holding.reset();
    auto r = commit(fw_->start_interview(t.who, 0, id, "", now_));
    if (!r) {
      ASSERT_EQ(last_fault_.code, core::fault_code::not_your_case) << last_fault_.message;
      return;
    }
    auto& facts = facts_[r->id];
    if (facts.region.empty()) {  // a new interview; a resumed one keeps what it had
      facts.region = region_of(id);
      facts.sector = std::to_string(1 + pick(3));
    }
    const bool was_leased = model_.holds(r->id);
    settle_lease(r->id, *r, was_leased);
    show(t, std::move(*r));
  }

  void come_back(terminal& t) {
    auto r = commit(fw_->resume(t.who, now_));
    ASSERT_TRUE(r) << last_fault_.message;
    if (!r->interview) {  // the case went to someone else meanwhile
      t.view.reset();
      return;
    }
    // Usually the interview it was in; it can be another open interview of this interviewer (one it
    // was offered again); the terminal shows what the server hands back, and the quota checks below
    // hold either way.
    settle_lease(r->interview->id, *r->interview, model_.holds(r->interview->id));
    show(t, std::move(*r->interview));
  }

  void interview_step(terminal& t) {
    auto& view = *t.view;
    const auto id = view.id;
    const auto roll = pick(100);
    if (roll < 3) {  // the line drops
      t.away = true;
      ++seen_.disconnects;
      return;
    }
    if (roll < 6) {  // a break-off or a refusal mid-interview: the lease goes back
      const outcome why = roll < 5 ? outcome::break_off : outcome::soft_refusal;
      auto r = commit(fw_->suspend(t.who, 0, id, view.next_seq, why, std::nullopt, "", now_));
      if (!r) return lost(t);
      ASSERT_TRUE(r->ended);
      EXPECT_EQ(*r->ended, why);
      model_.release(id);
      if (why == outcome::soft_refusal) facts_[id].ended = true;
      ++(why == outcome::break_off ? seen_.breakoffs : seen_.refusals);
      t.view.reset();
      return;
    }
    const std::string question = view.current->name;
    auto& facts = facts_[id];
    const std::string text = question == "s3_sector" ? facts.sector : answers.at(question);
    const bool was_leased = model_.holds(id);
    auto r = commit(fw_->answer(t.who, 0, id, view.next_seq, question, text, now_));
    if (!r) return lost(t);
    ASSERT_FALSE(r->duplicate);
    if (question == "s3_sector") {
      // The quota point: let through exactly when every cell it falls in has room.
      const auto cells = model_.cells_of({{"region", facts.region}, {"s3_sector", facts.sector}});
      const bool room = model_.all_room(cells);
      const bool over = r->ended && *r->ended == outcome::over_quota;
      ASSERT_EQ(!over, room) << "interview " << id << " at the quota point: " << (over ? r->end_message : "let through");
      if (!over) {
        model_.take(id, cells, now_);
        facts.passed = true;
        ++seen_.granted;
      } else {
        facts.ended = true;
        ++seen_.turned_away;
      }
    } else {
      settle_lease(id, *r, was_leased);
    }
    if (r->ended && *r->ended == outcome::complete) {
      ASSERT_TRUE(model_.holds(id)) << "interview " << id << " completed without a lease";
      model_.complete(id);
      facts.ended = true;
      ++completes_;
      ++seen_.completes;
    }
    show(t, std::move(*r));
  }

  // After a request that went through ensure_lease (an interview past the quota point): the lease was
  // renewed when held, or taken again (or the interview ended over quota) when it had run out.
  void settle_lease(core::interview_id id, const core::interview_view& v, bool was_leased) {
    auto& facts = facts_[id];
    if (!facts.passed || facts.ended) return;
    if (was_leased) {
      model_.renew(id, now_);
      return;
    }
    const auto cells = model_.cells_of({{"region", facts.region}, {"s3_sector", facts.sector}});
    const bool room = model_.all_room(cells);
    const bool over = v.ended && *v.ended == outcome::over_quota;
    ASSERT_EQ(!over, room) << "interview " << id << " taking its lease again: " << (over ? v.end_message : "granted");
    if (over) {
      facts.ended = true;
      ++seen_.turned_away;
    } else {
      model_.take(id, cells, now_);
      ++seen_.retaken;
    }
  }

  void show(terminal& t, core::interview_view v) {
    if (v.ended || !v.current) t.view.reset();
    else t.view = std::move(v);
  }

  // A request refused because the case or interview is no longer this terminal's (its lock lapsed and
  // another interviewer took the case over): the terminal drops it.
  void lost(terminal& t) {
    ASSERT_EQ(last_fault_.code, core::fault_code::not_your_case) << last_fault_.message;
    t.view.reset();
  }

  std::string region_of(core::case_id id) const { return region_.at(id); }

  void check_invariants() {
    const auto& book = fw_->quotas();
    for (const auto& cell : book.cells()) {
      const auto& m = model_.cells().at(cell.id);
      ASSERT_EQ(cell.completes, m.completes) << cell.name;
      ASSERT_EQ(cell.in_progress, model_.held(cell.id)) << cell.name;
      ASSERT_EQ(cell.target, m.target) << cell.name;
      ASSERT_EQ(cell.closed, m.closed) << cell.name;
      if (cell.policy == cell_policy::normal) {
        ASSERT_LE(cell.completes + cell.in_progress, cell.target) << cell.name << " over its target";
      }
    }
    ASSERT_EQ(book.lease_count(), model_.leases().size());
    for (const auto& [id, lease] : model_.leases()) {
      auto held = book.lease_of(id);
      ASSERT_TRUE(held) << "interview " << id << " lost its lease";
      ASSERT_EQ(held->second, lease.deadline) << "interview " << id << ": lease deadline";
      ASSERT_EQ(std::set<cell_id>(held->first.begin(), held->first.end()), lease.cells);
    }
  }

  std::mt19937_64 rng_;
  std::shared_ptr<const core::questionnaire> study_;
  const core::calendar& cal_;
  std::string db_;
  quota_model model_;
  totals& seen_;
  core::user supervisor_;
  std::vector<terminal> terminals_;
  std::map<core::interview_id, interview_facts> facts_;
  std::map<core::case_id, std::string> region_;
  time_point now_ = fieldwork_time(5);  // Monday 13 October 2025 09:05
  int completes_ = 0;
  int supervisor_changes_ = 0;
  core::fault last_fault_;

  std::unique_ptr<store::fieldwork_store> store_;
  std::unique_ptr<store::fieldwork_port> port_;
  std::unique_ptr<core::fieldwork> fw_;
};

class QuotaConcurrency : public backend_test {};

TEST_P(QuotaConcurrency, ManyInterviewersNeverOvershootNeverTurnAwayWhileThereIsRoomAndCountsMatchTheAnswers) {
  auto study = small_quota_study();
  auto cal = core::calendar::make(*study).value();
  template_file tmpl(*study);
  totals seen;
  // PostgreSQL's round trips and fsyncs make a seed cost more: fewer of them, still reaching every
  // situation (checked below).
  const std::uint64_t last_seed = on_postgresql() ? 20 : seeds;
  for (std::uint64_t seed = 1; seed <= last_seed; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    test_database database(GetParam());  // a fresh one per seed
    simulation sim(seed, study, cal, tmpl, database.db(), seen);
    if (HasFatalFailure()) return;
    sim.run();
    if (HasFatalFailure()) return;
    sim.finish();
    sim.close();
    if (HasFailure()) return;
  }
  std::cout << "granted " << seen.granted << ", turned away " << seen.turned_away << ", completes " << seen.completes
            << ", leases expired " << seen.expired << ", taken again " << seen.retaken << ", restarts "
            << seen.restarts << ", break-offs " << seen.breakoffs << ", refusals " << seen.refusals
            << ", disconnects " << seen.disconnects << ", target changes " << seen.supervisor
            << ", targets refused " << seen.targets_refused << "\n";
  // The interleavings reached every situation the test is about.
  for (int n : {seen.granted, seen.turned_away, seen.completes, seen.expired, seen.retaken, seen.restarts,
                seen.breakoffs, seen.refusals, seen.disconnects, seen.supervisor, seen.targets_refused})
    EXPECT_GT(n, 0);
}

}  // namespace
CATI_ON_BOTH_BACKENDS(QuotaConcurrency);
}  // namespace cati::test
