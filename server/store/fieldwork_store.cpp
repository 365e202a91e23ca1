#include "store/fieldwork_store.hpp"

#include <unistd.h>

#include <cstdint>
#include <filesystem>

#include "store/sql/sql.hpp"

#include "store/audit_repo.hpp"
#include "store/call_repo.hpp"
#include "store/interview_repo.hpp"
#include "store/migrations.hpp"
#include "store/ownership.hpp"
#include "store/quota_repo.hpp"
#include "store/study_repo.hpp"
#include "store/user_repo.hpp"

namespace cati::store {

namespace {

// A file a live cati-server serves is upgraded by nobody else: that server's code knows the schema it
// was built for, and a newer `cati` changing it underneath would break it.
void refuse_upgrade_of_a_served_file(sql::connection& db, const open_options& options) {
  const int version = schema_version(db);
  if (version == 0 || version >= latest_schema_version()) return;
  auto holder = live_holder(options.path);
  if (!holder) return;
  throw store_error(store_errc::held_elsewhere,
                    redacted(options.path.native()) + " is at schema version " + std::to_string(version) +
                        " and served by cati-server on " +
                        (holder->holder ? core::describe(*holder->holder) : std::string("this machine")) +
                        "; this cati would upgrade it to version " + std::to_string(latest_schema_version()) +
                        ": use the cati that matches the server, or stop the server and start the new one");
}

// The database in messages: a file by its name, a PostgreSQL database by its URL without the password.
std::string label(const open_options& options) {
  return is_postgresql(options) ? redacted(options.path.native()) : options.path.filename().string();
}

}  // namespace

fieldwork_store::fieldwork_store(open_options options) : options_(std::move(options)) {
  if (options_.read_only) {
    options_.create = false;
    auto probe = open_read_connection(options_);
    check_readable(*probe, label(options_));
    if (schema_version(*probe) < latest_schema_version()) {
      if (is_postgresql(options_))
        throw store_error(store_errc::invalid,
                          "the database is at schema version " + std::to_string(schema_version(*probe)) +
                              "; this cati reads version " + std::to_string(latest_schema_version()) +
                              ": let the cati-server that serves it (or a cati command that writes) upgrade it first");
      read_a_migrated_copy(*probe);
    }
    readers_ = std::make_unique<reader_pool>(options_);
    return;
  }
  auto db = open_write_connection(options_);
  refuse_upgrade_of_a_served_file(*db, options_);
  migrate(*db, label(options_));
  // FULL: every acknowledged commit synced, by the writer's syncer thread while the next batch runs.
  writer_hooks hooks;
  hooks.on_batch = options_.on_batch;
  hooks.on_busy = options_.on_busy;
  hooks.guard = options_.write_guard;
  if (is_postgresql(options_)) {
    // A primary failover: the writer reconnects through the same (multi-host) URL and goes on (writer.hpp).
    hooks.reopen = [options = options_] { return open_write_connection(options); };
    hooks.on_reconnect = options_.on_reconnect;
  }
  writer_ = std::make_unique<writer>(std::move(db), options_.max_batch, std::move(hooks),
                                     options_.synchronous == synchronous_mode::full);
  readers_ = std::make_unique<reader_pool>(options_);
}

writer& fieldwork_store::the_writer() const {
  if (!writer_)
    throw store_error(store_errc::read_only, redacted(options_.path.native()) + " was opened read-only: it cannot be written");
  return *writer_;
}

fieldwork_store::~fieldwork_store() {
  if (writer_) writer_->stop();
  if (!migrated_copy_.empty()) {
    readers_.reset();
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      auto part = migrated_copy_;
      part += suffix;
      std::filesystem::remove(part, ignored);
    }
  }
}

void fieldwork_store::read_a_migrated_copy(sql::connection& file) {
  // One consistent snapshot of the file (VACUUM INTO reads it in one transaction, as a backup would),
  // upgraded in the copy only: an older server may be serving the file, and only it may change it.
  auto dir = std::filesystem::temp_directory_path();
  std::string name = "cati-read-" + std::to_string(::getpid()) + "-" +
                     std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".db";
  const auto path = dir / name;
  const auto remove_copy = [&path] {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      auto part = path;
      part += suffix;
      std::filesystem::remove(part, ignored);
    }
  };
  remove_copy();  // a copy left by a process that died with this pid
  std::string quoted;
  for (char c : path.string()) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  try {
    file.exec("VACUUM INTO '" + quoted + "'");
    auto copy = options_;
    copy.path = path;
    copy.read_only = false;
    copy.create = false;
    copy.vfs.clear();
    auto db = open_write_connection(copy);
    migrate(*db, options_.path.filename().string() + " (a migrated copy, for reading)");
  } catch (...) {
    remove_copy();  // the constructor fails: no destructor will
    throw;
  }
  migrated_copy_ = path;
  options_.path = path;
}

// Member names hide the repository functions of the same name: those are called qualified.

std::future<bool> fieldwork_store::register_study(study_record study) {
  return write(&store::register_study, std::move(study));
}
std::future<import_result> fieldwork_store::import_sample(core::sample_frame frame, import_context context) {
  return write(&store::import_sample, std::move(frame), std::move(context));
}
std::future<row_id> fieldwork_store::add_user(new_user user) { return write(&store::add_user, std::move(user)); }
std::future<void> fieldwork_store::disable_user(std::string name, time_point at, std::optional<row_id> by) {
  return the_writer().submit([name = std::move(name), at, by](sql::connection& db) { store::disable_user(db, name, at, by); });
}

std::future<void> fieldwork_store::enable_user(std::string name, time_point at, std::optional<row_id> by) {
  return writer_->submit([name = std::move(name), at, by](sql::connection& db) { store::enable_user(db, name, at, by); });
}

std::future<void> fieldwork_store::set_password(std::string name, std::string password_hash, time_point at,
                                                std::optional<row_id> by) {
  return writer_->submit([name = std::move(name), hash = std::move(password_hash), at, by](sql::connection& db) {
    store::set_password(db, name, hash, at, by);
  });
}
std::future<row_id> fieldwork_store::record_call_attempt(call_attempt attempt) {
  return write(&store::record_call_attempt, std::move(attempt));
}
std::future<row_id> fieldwork_store::create_appointment(appointment appt) {
  return write(&store::create_appointment, std::move(appt));
}
std::future<void> fieldwork_store::resolve_appointment(row_id id, appointment_state state, time_point at) {
  return write(&store::resolve_appointment, id, state, at);
}
std::future<void> fieldwork_store::set_case_schedule(row_id case_id, case_schedule schedule) {
  return write(&store::set_case_schedule, case_id, std::move(schedule));
}
std::future<bool> fieldwork_store::hold_case(row_id case_id, row_id user, time_point now, time_point until) {
  return write(&store::hold_case, case_id, user, now, until);
}
std::future<void> fieldwork_store::release_case(row_id case_id, row_id user) {
  return write(&store::release_case, case_id, user);
}
std::future<interview_record> fieldwork_store::create_interview(new_interview interview) {
  return write(&store::create_interview, std::move(interview));
}
std::future<answer_ack> fieldwork_store::append_answer(answer a, std::optional<std::string> snapshot) {
  return write(&store::append_answer, std::move(a), std::move(snapshot));
}
std::future<bool> fieldwork_store::finish_interview(row_id interview_id, core::outcome final_state, time_point at,
                                                    core::quota_events quota_events) {
  return the_writer().submit([=, events = std::move(quota_events)](sql::connection& db) {
    bool changed = store::finish_interview(db, interview_id, final_state, at);
    // A repeated finish must not count the completes twice.
    if (changed) store::apply_quota_events(db, events);
    return changed;
  });
}
std::future<void> fieldwork_store::ensure_quota_cells(core::quota_state fresh) {
  return write(&store::ensure_quota_cells, std::move(fresh));
}
std::future<void> fieldwork_store::apply_quota_events(core::quota_events events) {
  return write(&store::apply_quota_events, std::move(events));
}
std::future<row_id> fieldwork_store::append_audit(audit_entry entry) {
  return write(&store::append_audit, std::move(entry));
}

std::optional<study_record> fieldwork_store::current_study() { return query(&store::current_study); }
std::optional<user_record> fieldwork_store::find_user(std::string_view name) { return query(&store::find_user, name); }
std::vector<user_record> fieldwork_store::list_users() { return query(&store::list_users); }
int fieldwork_store::case_count() { return query(&store::case_count); }
std::optional<row_id> fieldwork_store::find_case(std::string_view firm_id) { return query(&store::find_case, firm_id); }
std::vector<case_summary> fieldwork_store::cases_for_scheduling() { return query(&store::cases_for_scheduling); }
std::optional<case_summary> fieldwork_store::case_for_scheduling(row_id case_id) {
  return query(&store::case_for_scheduling, case_id);
}
std::optional<case_contact> fieldwork_store::contact_of(row_id case_id) { return query(&store::contact_of, case_id); }
std::vector<call_record> fieldwork_store::call_history(row_id case_id) { return query(&store::call_history, case_id); }
std::vector<call_record> fieldwork_store::call_log(std::optional<time_point> until) {
  return query(&store::call_log, until);
}
std::vector<appointment_record> fieldwork_store::appointments_of(row_id case_id) {
  return query(&store::appointments_of, case_id);
}
std::vector<appointment_record> fieldwork_store::pending_appointments() { return query(&store::pending_appointments); }
std::optional<interview_record> fieldwork_store::find_interview(row_id interview_id) {
  return query(&store::find_interview, interview_id);
}
std::vector<interview_record> fieldwork_store::open_interviews() { return query(&store::open_interviews); }
std::vector<answer_record> fieldwork_store::answer_history(row_id interview_id) {
  return query(&store::answer_history, interview_id);
}
std::vector<answer_record> fieldwork_store::current_answers(row_id interview_id) {
  return query(&store::current_answers, interview_id);
}
core::quota_state fieldwork_store::load_quota_state() { return query(&store::load_quota_state); }
std::vector<audit_entry> fieldwork_store::audit_log() { return query(&store::audit_log); }

}  // namespace cati::store
