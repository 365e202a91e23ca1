// The fieldwork store: one SQLite file per fieldwork, with its single writer and its readers.
//
//   fieldwork_store store({.path = "var/fieldwork.db"});        // creates or upgrades the file
//   auto ack = store.append_answer(a).get();                    // returns once the answer is on disk
//   auto cases = store.cases_for_scheduling();                  // a read on a pooled read connection
//
// Writes are writer jobs (writer.hpp): each typed write returns a future that is ready only after its
// transaction committed, and throws store_error from get() when the job failed. To do several things in
// one transaction (an answer, the quota events it caused, a call attempt), submit() or post() one job
// that calls the repository functions (*_repo.hpp) in turn; post() takes a completion instead of
// returning a future, for callers that must not block (the network strands).
//
// Opened with open_options::read_only it has readers only: it never creates, migrates nor writes the
// file, and every write throws store_error(read_only).
//
// Thread-safety: every member may be called from any thread. Ownership: the store owns its connections
// and the writer thread; destroying it finishes the queued writes first.
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/quota/quota_state.hpp"
#include "core/sample/sample_row.hpp"
#include "store/case_repo.hpp"
#include "store/connection.hpp"
#include "store/readers.hpp"
#include "store/records.hpp"
#include "store/writer.hpp"

namespace cati::store {

class fieldwork_store {
 public:
  // Opens the file (creating it if options.create), brings its schema to the latest version and starts
  // the writer. Throws store_error (schema_too_new, not_a_fieldwork, not_found, sqlite; held_elsewhere
  // when the schema would be upgraded under a live cati-server).
  explicit fieldwork_store(open_options options);
  ~fieldwork_store();
  fieldwork_store(const fieldwork_store&) = delete;
  fieldwork_store& operator=(const fieldwork_store&) = delete;

  const open_options& options() const { return options_; }
  bool read_only() const { return !writer_; }
  writer_stats write_stats() const { return the_writer().stats(); }

  // ---- generic access ----
  template <class F>
  auto submit(F work) {
    return the_writer().submit(std::move(work));
  }
  template <class F, class Done>
  void post(F work, Done done) {
    the_writer().post(std::move(work), std::move(done));
  }
  template <class F>
  auto read(F&& f) {
    return readers_->read(std::forward<F>(f));
  }

  // ---- typed writes (see the *_repo.hpp function of the same name for each contract) ----
  std::future<bool> register_study(study_record study);
  std::future<import_result> import_sample(core::sample_frame frame, import_context context);
  std::future<row_id> add_user(new_user user);
  std::future<void> disable_user(std::string name, time_point at, std::optional<row_id> by);
  std::future<void> enable_user(std::string name, time_point at, std::optional<row_id> by);
  std::future<void> set_password(std::string name, std::string password_hash, time_point at, std::optional<row_id> by);
  std::future<row_id> record_call_attempt(call_attempt attempt);
  std::future<row_id> create_appointment(appointment appt);
  std::future<void> resolve_appointment(row_id id, appointment_state state, time_point at);
  std::future<void> set_case_schedule(row_id case_id, case_schedule schedule);
  std::future<bool> hold_case(row_id case_id, row_id user, time_point now, time_point until);
  std::future<void> release_case(row_id case_id, row_id user);
  std::future<interview_record> create_interview(new_interview interview);
  std::future<answer_ack> append_answer(answer a, std::optional<std::string> snapshot = std::nullopt);
  // Ends the interview and, in the same transaction, persists the quota events of that step (the
  // lease_completed of a complete, the lease_released of a break-off).
  std::future<bool> finish_interview(row_id interview_id, core::outcome final_state, time_point at,
                                     core::quota_events quota_events = {});
  std::future<void> ensure_quota_cells(core::quota_state fresh);
  std::future<void> apply_quota_events(core::quota_events events);
  std::future<row_id> append_audit(audit_entry entry);

  // ---- typed reads (a consistent snapshot each, on the calling thread) ----
  std::optional<study_record> current_study();
  std::optional<user_record> find_user(std::string_view name);
  std::vector<user_record> list_users();
  int case_count();
  std::optional<row_id> find_case(std::string_view firm_id);
  std::vector<case_summary> cases_for_scheduling();
  std::optional<case_summary> case_for_scheduling(row_id case_id);
  std::optional<case_contact> contact_of(row_id case_id);
  std::vector<call_record> call_history(row_id case_id);
  std::vector<call_record> call_log(std::optional<time_point> until = std::nullopt);
  std::vector<appointment_record> appointments_of(row_id case_id);
  std::vector<appointment_record> pending_appointments();
  std::optional<interview_record> find_interview(row_id interview_id);
  std::vector<interview_record> open_interviews();
  std::vector<answer_record> answer_history(row_id interview_id);
  std::vector<answer_record> current_answers(row_id interview_id);
  core::quota_state load_quota_state();
  std::vector<audit_entry> audit_log();

 private:
  // A writer job calling repository function `f` with copies of `args`.
  template <class F, class... A>
  auto write(F f, A... args) {
    return the_writer().submit([f, ... args = std::move(args)](sql::connection& db) { return f(db, args...); });
  }
  template <class F, class... A>
  auto query(F f, const A&... args) {
    return readers_->read([&](sql::connection& db) { return f(db, args...); });
  }

  writer& the_writer() const;  // throws store_error(read_only) without one

  // A read-only store of a file older than this cati reads a migrated copy of it (a temporary file made
  // with VACUUM INTO, removed with the store): the file itself is never written, not even to upgrade it.
  void read_a_migrated_copy(sql::connection& file);

  open_options options_;
  std::filesystem::path migrated_copy_;  // empty unless read_a_migrated_copy() made one
  std::unique_ptr<writer> writer_;
  std::unique_ptr<reader_pool> readers_;
};

}  // namespace cati::store
