// The fieldwork service over a real SQLite file, as cati-server runs it (core::open_fieldwork on the
// store's ports), with a restart that destroys everything and opens the file again: what the durable
// truth tests and the restart-equivalence property test share.
//
// Randomness is the only thing a restart may not bring back by itself: the server draws from libsodium.
// Here it is seeded, and a reopened fieldwork continues the same sequence (skipping the draws that the
// respondent ids in the file used), so that a run with restarts can be compared with one without.
//
// Thread-safety: none; one test thread. Commits are waited for, one request at a time.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <variant>
#include <vector>


#include "store/connection.hpp"
#include "store/copy.hpp"
#include "store/sql/sql.hpp"
#include "core/ports/clock_spec.hpp"
#include "core/ports/fieldwork_ports.hpp"
#include "core/sample/sample_row.hpp"
#include "schema/loader.hpp"
#include "store/fieldwork_port.hpp"
#include "store/fieldwork_store.hpp"

namespace cati::durable {

namespace fs = std::filesystem;
using namespace cati::core;

inline time_point at(const char* text) { return parse_instant(text).value(); }

// The store's source, with seeded randomness that continues where the file left off.
class seeded_source final : public fieldwork_source {
 public:
  seeded_source(store::fieldwork_port& port, store::fieldwork_store& store, std::uint64_t seed)
      : port_(port), store_(store), seed_(seed) {}
  std::vector<loaded_case> cases_after(case_id after) override { return port_.cases_after(after); }
  std::vector<loaded_case> cases_not_in(const std::vector<case_id>& known) override { return port_.cases_not_in(known); }
  std::vector<loaded_interview> open_interviews() override { return port_.open_interviews(); }
  std::vector<loaded_interview> latest_ended_interviews() override { return port_.latest_ended_interviews(); }
  std::vector<request_logged> requests() override { return port_.requests(); }
  quota_state quotas() override { return port_.quotas(); }
  interview_id next_interview_id() override { return port_.next_interview_id(); }
  std::optional<account> find_account(const std::string& name) override { return port_.find_account(name); }
  std::vector<saved_session> sessions() override { return port_.sessions(); }
  std::vector<sample_replicate> replicates() override { return port_.replicates(); }
  std::unique_ptr<randomness> make_randomness() override {
    // Each new respondent took 10 draws for its id and one for its seed (fieldwork_interviews.cpp).
    const auto used = store_.read([](store::sql::connection& db) {
      return db.execAndGet("SELECT count(*) FROM respondents").getInt64();
    });
    auto r = std::make_unique<seeded_randomness>(seed_);
    for (std::int64_t i = 0; i < used * 11; ++i) (void)r->next();
    return r;
  }

 private:
  store::fieldwork_port& port_;
  store::fieldwork_store& store_;
  std::uint64_t seed_;
};

class durable_fieldwork {
 public:
  // A new file with the first `firms` firms of the seed study's frame, the interviewers anna, bert and
  // carl (nl and fr) and the supervisor sue. `db`: an empty database to use instead of a new file in a
  // temporary folder (a PostgreSQL URL, tests/store/backends.hpp).
  explicit durable_fieldwork(int firms = 12, std::uint64_t seed = 42, std::string db = {}) : seed_(seed) {
    std::string pattern = (fs::temp_directory_path() / "cati-durable-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    db_ = db.empty() ? (dir_ / "fieldwork.db").string() : std::move(db);
    study = schema::load_study_or_throw(std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025");
    cal = std::make_unique<calendar>(calendar::make(*study).value());
    {
      store::fieldwork_store s(options());
      std::ifstream in(std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025/frame.csv");
      std::string line, csv;
      for (int n = 0; n <= firms && std::getline(in, line); ++n) csv += line + "\n";
      auto frame = parse_sample_frame(csv, *study);
      if (!frame.ok()) throw std::runtime_error("frame: " + frame.problems.front().to_string("frame.csv"));
      auto imported = s.import_sample(frame, {"frame.csv", now, std::nullopt}).get();
      if (!imported.ok()) throw std::runtime_error("import failed");
      for (auto* u : {&anna, &bert, &carl, &sue})
        u->id = s.add_user({u->name, u->role == user_role::supervisor ? store::user_role::supervisor
                                                                      : store::user_role::interviewer,
                            u->languages, "not-a-real-hash", now})
                    .get();
    }
    open();
  }
  ~durable_fieldwork() {
    close();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  durable_fieldwork(const durable_fieldwork&) = delete;
  durable_fieldwork& operator=(const durable_fieldwork&) = delete;

  // What kill -9 and a restart leave: the file, and nothing else.
  void restart() {
    close();
    open();
  }
  // What stopping the server, `cati db copy` to `db` (an empty database: a new file, a PostgreSQL URL) and
  // starting a server on the copy leave: the copy, and nothing else (issue 16). Later requests go there.
  void move_to(std::string db) {
    close();
    auto copied = store::copy_fieldwork(db_, db);
    ASSERT_TRUE(copied.committed) << "the copy's digests differ from the original's";
    db_ = std::move(db);
    open();
  }

  // Commits the request's changes (only when it succeeded, as the server does) and returns its reply.
  template <class T>
  result<T, fault> run(effect<T> e) {
    if (e.reply) commit(std::move(e.changes));
    return std::move(e.reply);
  }
  template <class T>
  T take(effect<T> e) {
    auto r = run(std::move(e));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.err().message);
    return std::move(r).value();
  }

  void commit(change_list changes) {
    if (changes.empty()) return;
    std::promise<std::optional<std::string>> done;
    port_->commit(std::move(changes), [&](std::optional<std::string> err) { done.set_value(std::move(err)); });
    auto err = done.get_future().get();
    ASSERT_FALSE(err) << "commit failed: " << *err;
  }

  store::open_options file_options() const {
    store::open_options o;
    o.path = db_path();
    o.create = false;
    return o;
  }
  // One value from the file (its own read connection).
  std::string sql(const std::string& query) const {
    auto db = store::open_read_connection(file_options());
    store::sql::statement q(*db, query);
    if (!q.executeStep()) return "<none>";
    return q.getColumn(0).isNull() ? "NULL" : q.getColumn(0).getString();
  }
  // Every row of a query, columns joined by '|', rows by '\n': for comparing files.
  std::string dump(const std::string& query) const {
    auto db = store::open_read_connection(file_options());
    store::sql::statement q(*db, query);
    std::ostringstream out;
    while (q.executeStep()) {
      for (int i = 0; i < q.getColumnCount(); ++i)
        out << (i ? "|" : "") << (q.getColumn(i).isNull() ? "NULL" : q.getColumn(i).getString());
      out << '\n';
    }
    return out.str();
  }

  // The database: a SQLite path or a PostgreSQL URL.
  const std::string& db_path() const { return db_; }

  std::shared_ptr<const questionnaire> study;
  std::unique_ptr<calendar> cal;
  std::unique_ptr<fieldwork> fw;
  user anna{0, "anna", user_role::interviewer, {"nl", "fr"}};
  user bert{0, "bert", user_role::interviewer, {"nl", "fr"}};
  user carl{0, "carl", user_role::interviewer, {"nl", "fr"}};
  user sue{0, "sue", user_role::supervisor, {"nl", "fr"}};
  time_point now = at("2025-10-13T09:05:00+02:00");
  int restarts = 0;

 private:
  store::open_options options() const {
    store::open_options o;
    o.path = db_path();
    o.synchronous = store::synchronous_mode::off;  // no power cut here; kill -9 loses nothing committed
    return o;
  }
  void open() {
    store_ = std::make_unique<store::fieldwork_store>(options());
    port_ = std::make_unique<store::fieldwork_port>(*store_, *study);
    source_ = std::make_unique<seeded_source>(*port_, *store_, seed_);
    auto opened = open_fieldwork(study, *cal, *source_, {}, now);
    EXPECT_TRUE(opened.not_restored.empty()) << opened.not_restored.front().second;
    fw = std::move(opened.service);
    ++restarts;
  }
  void close() {
    fw.reset();
    source_.reset();
    port_.reset();
    store_.reset();
  }

  fs::path dir_;
  std::string db_;
  std::uint64_t seed_;
  std::unique_ptr<store::fieldwork_store> store_;
  std::unique_ptr<store::fieldwork_port> port_;
  std::unique_ptr<seeded_source> source_;
};

// Answers that carry an eligible firm of the seed study through the whole questionnaire to a complete.
inline const std::vector<std::string> eligible_answers = {"", "1", "5", "1", "3", "3", "1 2",
                                                          "1", "1", "2", "1", "1", "1 2", ""};

// The next case for `who` (a case, not idle, or the test fails).
inline case_offer take_next(durable_fieldwork& f, const user& who, std::uint64_t request = 0) {
  auto v = f.take(f.fw->next_case(who, request, f.now));
  EXPECT_TRUE(std::holds_alternative<case_offer>(v));
  return std::holds_alternative<case_offer>(v) ? std::get<case_offer>(v) : case_offer{};
}

// Answers the question on `iv`'s screen with `text`, 20 s later; `iv` becomes the new view.
inline void answer_screen(durable_fieldwork& f, const user& who, interview_view& iv, const std::string& text) {
  ASSERT_TRUE(iv.current) << "no question on screen";
  f.now += std::chrono::seconds(20);
  iv = f.take(f.fw->answer(who, 0, iv.id, iv.next_seq, iv.current->name, text, f.now));
}

}  // namespace cati::durable
