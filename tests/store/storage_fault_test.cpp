// Storage faults at every operation (issue 17): a scripted fieldwork (calls, whole interviews, a
// break-off, quota changes by a supervisor) runs through the real fieldwork service (core::fieldwork) and
// the real SQLite store (store::fieldwork_port) on a file opened through the fault VFS
// (tests/store/fault_vfs.hpp). For every k from 1 to the number of writes, truncates and syncs the
// script makes (closing the store included), one run fails the k-th one with an I/O error, one fills the
// disk there, and one cuts the power there. The script stops at the first commit that fails, as the server
// does (fail-stop). Then the file is reopened as a restarted server would open it (the default VFS, the
// migrations, the fieldwork loaded from it), and:
// - `PRAGMA integrity_check` is ok;
// - the file holds exactly what some prefix of the commits wrote: the state after the last acknowledged
//   commit, or after the one that was in flight when the fault came (its sync may have failed after its
//   frames reached the file; it was not acknowledged, and a terminal's resend is taken as a repeat). So
//   every acknowledged answer is there and nothing unacknowledged is half there. Each state is compared
//   with the one a run without faults left after the same commit (every table, row by row);
// - the quota counts on disk equal the completed interviews.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <variant>

#include "core/fieldwork/fieldwork.hpp"
#include "core/sample/sample_row.hpp"
#include "fault_vfs.hpp"
#include "schema/loader.hpp"
#include "store/fieldwork_port.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

using core::outcome;
using fault = fault_vfs::fault;

const std::map<std::string, std::string> eligible = {
    {"intro", ""},      {"s1_decider", "1"},    {"s2_fte", "5"},      {"s3_sector", "1"},     {"q1_market", "3"},
    {"q2_ai_use", "3"}, {"q3_ai_areas", "1 2"}, {"q4_ai_tasks", "1"}, {"q5_potential", "1"}, {"q6_attitude", "2"},
    {"q7_fin_value", "1"}, {"q8_bank_ai", "1"}, {"q9_bank_domains", "1 2"}, {"end", ""}};

std::shared_ptr<const core::questionnaire> seed_study() {
  static auto study = schema::load_study_or_throw(std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025");
  return study;
}

// Every table, each row as text, rows sorted: equal strings mean equal files, whatever the page layout.
std::string contents(SQLite::Database& db) {
  std::vector<std::string> tables;
  SQLite::Statement list(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                             "ORDER BY name");
  while (list.executeStep()) tables.push_back(list.getColumn(0).getString());
  std::string out;
  for (const auto& t : tables) {
    SQLite::Statement rows(db, "SELECT * FROM \"" + t + "\"");
    std::vector<std::string> lines;
    while (rows.executeStep()) {
      std::string line;
      for (int c = 0; c < rows.getColumnCount(); ++c) {
        auto col = rows.getColumn(c);
        line += col.isNull() ? std::string("NULL") : col.getString();
        line += '\x1f';
      }
      lines.push_back(std::move(line));
    }
    std::sort(lines.begin(), lines.end());
    out += "== " + t + " (" + std::to_string(lines.size()) + ")\n";
    for (auto& l : lines) out += l + "\n";
  }
  return out;
}

// A fieldwork file with a sample and the users, made once and copied for every run.
struct template_file {
  temp_dir dir;
  fs::path path = dir / "template.db";
  std::vector<core::user> interviewers;
  core::user supervisor;

  template_file() {
    store::fieldwork_store fw(options_for(path));
    std::string csv = frame_header;
    const char* regions[] = {"VLA", "WAL", "BRU"};
    for (int n = 1; n <= 24; ++n) {
      char phone[32];
      std::snprintf(phone, sizeof phone, "+3220%06d", n);
      const std::string region = regions[n % 3];
      csv += "F" + std::to_string(n) + ",Firma " + std::to_string(n) + "," + phone + ",Jan Peeters," + region +
             ",services,5," + (region == "WAL" ? "fr" : "nl") + "\n";
    }
    auto frame = core::parse_sample_frame(csv, *seed_study());
    if (!frame.ok()) throw std::runtime_error(frame.problems.front().to_string("frame.csv"));
    auto imported = fw.import_sample(frame, {"frame.csv", fieldwork_time(), std::nullopt}).get();
    if (!imported.ok()) throw std::runtime_error(imported.problems.front().to_string("frame.csv"));
    for (const char* name : {"anna", "bert", "carl"})
      interviewers.push_back({add_interviewer(fw, name), name, core::user_role::interviewer, {"nl", "fr"}});
    supervisor = {fw.add_user({"sue", store::user_role::supervisor, {"nl"}, "not-a-real-hash", fieldwork_time()}).get(),
                  "sue", core::user_role::supervisor, {"nl"}};
  }
};

// The fieldwork a restarted server would load from `path`: the store (default VFS, migrations) and the
// service rebuilt from it. Fails the test when it cannot be loaded.
struct reopened {
  core::calendar cal;  // first: the service refers to it
  std::unique_ptr<store::fieldwork_store> store;
  std::unique_ptr<store::fieldwork_port> port;
  std::unique_ptr<core::fieldwork> fw;

  reopened(const fs::path& path, const std::string& vfs) : cal(core::calendar::make(*seed_study()).value()) {
    auto o = options_for(path);
    o.vfs = vfs;
    o.readers = 1;
    // The script runs with the default (FULL: its syncs are what the fault VFS models). The check's
    // reopening need not wait for the disk: recovery does not depend on it.
    if (vfs.empty()) o.synchronous = store::synchronous_mode::off;
    store = std::make_unique<store::fieldwork_store>(o);
    port = std::make_unique<store::fieldwork_port>(*store, *seed_study());
    fw = std::make_unique<core::fieldwork>(seed_study(), cal, port->quotas(), port->next_interview_id(), 7);
    fw->load_cases(port->cases_after(0));
    auto failed = fw->load_interviews(port->open_interviews(), fieldwork_time(5));
    if (!failed.empty()) ADD_FAILURE() << "interview " << failed.front().first << " not restored: " << failed.front().second;
  }
};

// The script. Every request's changes are committed before the next request (the service's order); the
// first commit that fails ends the run, as the server stops on it.
class script {
 public:
  script(const template_file& t, const fs::path& path, std::function<void(int)> after_commit)
      : t_(t), path_(path), after_commit_(std::move(after_commit)) {}

  // Runs it over `vfs`; returns the number of commits acknowledged.
  int run(const std::string& vfs, const std::function<void()>& armed) {
    {
      reopened r(path_, vfs);
      r_ = &r;
      armed();
      play();
      r_ = nullptr;
    }  // closing (the checkpoint, the WAL removed) is part of what faults can hit
    return acked_;
  }

 private:
  template <class T>
  std::optional<T> commit(core::effect<T> e) {
    if (failed_) return std::nullopt;
    if (!e.changes.empty()) {
      std::promise<std::optional<std::string>> done;
      auto f = done.get_future();
      r_->port->commit(std::move(e.changes), [&](std::optional<std::string> err) { done.set_value(std::move(err)); });
      if (f.get()) {
        failed_ = true;
        return std::nullopt;
      }
      ++acked_;
      if (after_commit_) after_commit_(acked_);
    }
    if (!e.reply) {
      ADD_FAILURE() << "refused: " << e.reply.err().message;
      failed_ = true;
      return std::nullopt;
    }
    return std::move(e.reply).value();
  }

  // An interview on the case `who` holds: to the end, or `stop_after` answers and a break-off.
  void interview(const core::user& who, core::case_id id, int stop_after) {
    auto v = commit(r_->fw->start_interview(who, ++request_, id, "", now_));
    for (int n = 0; v && v->current; ++n) {
      now_ += std::chrono::seconds(20);
      if (n == stop_after) {
        v = commit(r_->fw->suspend(who, ++request_, v->id, v->next_seq, outcome::break_off, std::nullopt, "", now_));
        return;
      }
      v = commit(r_->fw->answer(who, ++request_, v->id, v->next_seq, v->current->name, eligible.at(v->current->name), now_));
    }
  }

  void play() {
    const auto& ivs = t_.interviewers;
    for (int round = 0; round < 3 && !failed_; ++round) {
      for (std::size_t i = 0; i < ivs.size() && !failed_; ++i) {
        auto next = commit(r_->fw->next_case(ivs[i], ++request_, now_));
        if (!next || !std::holds_alternative<core::case_offer>(*next)) continue;
        const auto id = std::get<core::case_offer>(*next).id;
        switch ((round + static_cast<int>(i)) % 4) {
          case 0: interview(ivs[i], id, -1); break;
          case 1: commit(r_->fw->record_call(ivs[i], ++request_, id, outcome::busy, {}, false, "", "", now_)); break;
          case 2: interview(ivs[i], id, 4); break;
          default: commit(r_->fw->record_call(ivs[i], ++request_, id, outcome::no_answer, {}, false, "", "", now_)); break;
        }
        now_ += std::chrono::minutes(1);
      }
      commit(r_->fw->quota_action(t_.supervisor, ++request_, core::fieldwork::quota_op::set_target, {"region", {"VLA"}},
                                  140 + round, now_));
    }
  }

  const template_file& t_;
  fs::path path_;
  std::function<void(int)> after_commit_;
  reopened* r_ = nullptr;
  core::time_point now_ = fieldwork_time(5);
  int acked_ = 0;
  std::uint64_t request_ = 0;  // request ids, new for every request (core::fieldwork logs them)
  bool failed_ = false;
};

// The reference: the script without faults, and the file's contents after each of its commits.
struct reference {
  std::vector<std::string> after;  // after[j]: after j commits
  std::uint64_t operations = 0;    // the script's durable operations, closing included
  int completes = 0;

  explicit reference(const template_file& t) {
    temp_dir dir;
    const auto path = dir / "fieldwork.db";
    fs::copy_file(t.path, path);
    auto& vfs = fault_vfs::instance();
    auto snapshot = [&] {
      SQLite::Database db(path.string());  // a reader: sees what is committed
      after.push_back(contents(db));
    };
    script s(t, path, [&](int) { snapshot(); });
    // The first state is the file as the store opened it (loading a fieldwork may write, e.g. its quota
    // cells): where every run's counting starts.
    const int acked = s.run(fault_vfs::name, [&] {
      snapshot();
      vfs.arm(fault::none, 0);
    });
    operations = vfs.operations();
    vfs.disarm();
    if (acked + 1 != static_cast<int>(after.size())) throw std::runtime_error("reference: commits miscounted");
    SQLite::Database db(path.string());
    if (contents(db) != after.back()) throw std::runtime_error("reference: the closed file differs from the last commit");
    completes = db.execAndGet("SELECT count(*) FROM interviews WHERE final_state = 'complete'").getInt();
  }
};

struct fixture_data {
  template_file tmpl;
  reference ref{tmpl};
};

fixture_data& data() {
  static fixture_data d;
  return d;
}

// One run with `kind` at operation k; checks the reopened file. Returns the commits acknowledged.
// `keep_seed` (power cuts only): some unsynced writes reached the disk (fault_vfs::power_restored).
int run_with_fault(fault kind, std::uint64_t k, std::uint64_t keep_seed = 0) {
  auto& d = data();
  auto& vfs = fault_vfs::instance();
  temp_dir dir;
  const auto path = dir / "fieldwork.db";
  fs::copy_file(d.tmpl.path, path);
  script s(d.tmpl, path, nullptr);
  const int acked = s.run(fault_vfs::name, [&] { vfs.arm(kind, k); });
  EXPECT_TRUE(vfs.tripped()) << to_string(kind) << " at " << k << " never happened";
  if (kind == fault::power_cut) vfs.power_restored(keep_seed);
  vfs.disarm();

  const std::string where = to_string(kind) + (keep_seed ? " (some unsynced writes kept)" : "") + " at operation " +
                            std::to_string(k) + " of " + std::to_string(d.ref.operations) + ", after " +
                            std::to_string(acked) + " acknowledged commits";
  {
    reopened again(path, "");  // as the restarted server: loads, restores the open interviews
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << where;
      return acked;
    }
  }
  SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
  EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok") << where;
  const std::string now = contents(db);
  const auto& after = d.ref.after;
  const bool last_acked = now == after.at(static_cast<std::size_t>(acked));
  const bool in_flight = static_cast<std::size_t>(acked) + 1 < after.size() && now == after[static_cast<std::size_t>(acked) + 1];
  EXPECT_TRUE(last_acked || in_flight) << where << ": the file is not the state after a commit";
  const int completes = db.execAndGet("SELECT count(*) FROM interviews WHERE final_state = 'complete'").getInt();
  for (const char* quota : {"region", "sector"}) {
    SQLite::Statement q(db, "SELECT coalesce(sum(completes), 0) FROM quota_cells WHERE quota = ?");
    q.bind(1, quota);
    q.executeStep();
    EXPECT_EQ(q.getColumn(0).getInt(), completes) << where << ": quota " << quota << " vs completed interviews";
  }
  return acked;
}

// Every k, or every `stride`-th when the whole loop would be too slow for CI (the stride is printed).
void loop(fault kind, std::uint64_t stride, bool torn = false) {
  const auto& d = data();
  ASSERT_GT(d.ref.completes, 0) << "the script must complete interviews";
  ASSERT_GT(d.ref.after.size(), 30u) << "the script must commit enough to be worth breaking";
  std::map<int, int> stops;  // acknowledged commits -> runs that stopped there
  std::uint64_t runs = 0;
  for (std::uint64_t k = 1; k <= d.ref.operations; k += stride) {
    ++stops[run_with_fault(kind, k, torn ? k : 0)];
    ++runs;
    if (::testing::Test::HasFailure()) break;
  }
  std::cout << to_string(kind) << (torn ? " (some unsynced writes kept)" : "") << ": " << runs << " runs over " << d.ref.operations << " operations (every "
            << stride << "), " << d.ref.after.size() - 1 << " commits, " << stops.size()
            << " distinct stopping points\n";
}

TEST(StorageFaults, ReferenceScriptCommitsAndCompletes) {
  const auto& d = data();
  EXPECT_GT(d.ref.completes, 0);
  EXPECT_GT(d.ref.operations, 100u);
  std::cout << d.ref.after.size() - 1 << " commits, " << d.ref.operations << " durable operations, "
            << d.ref.completes << " completes\n";
}

TEST(StorageFaults, IoErrorAtEveryOperationLosesNothingAcknowledged) { loop(fault::io_error, 1); }
TEST(StorageFaults, FullDiskAtEveryOperationLosesNothingAcknowledged) { loop(fault::disk_full, 1); }
TEST(StorageFaults, PowerCutAtEveryOperationLosesNothingAcknowledged) { loop(fault::power_cut, 1); }
// As SQLite's own crash tests do: the disk had written some of what was not synced, in any order.
TEST(StorageFaults, PowerCutWithSomeUnsyncedWritesOnDiskLosesNothingAcknowledged) {
  loop(fault::power_cut, 1, true);
}

}  // namespace
}  // namespace cati::test
