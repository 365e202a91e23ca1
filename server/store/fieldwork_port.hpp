// The fieldwork service's ports on SQLite: loading the fieldwork at start (and cases imported while it
// runs), and committing each request's changes as one writer job (one transaction with its batch).
//
// Thread-safety: every member may be called from any thread (reads use the store's read pool, commits
// its writer). `done` callbacks of commit() run on the writer thread: keep them short.
#pragma once

#include <cstdint>
#include <mutex>

#include "core/ports/fieldwork_ports.hpp"
#include "store/fieldwork_store.hpp"

namespace cati::store {

class fieldwork_port final : public core::fieldwork_source, public core::fieldwork_journal {
 public:
  // `study` supplies the quota cells to create on a fresh file (ensure_quota_cells).
  fieldwork_port(fieldwork_store& store, const core::questionnaire& study);

  std::vector<core::loaded_case> cases_after(core::case_id after) override;
  std::vector<core::loaded_case> cases_not_in(const std::vector<core::case_id>& known) override;
  std::vector<core::loaded_interview> open_interviews() override;
  std::vector<core::loaded_interview> latest_ended_interviews() override;
  std::vector<core::request_logged> requests() override;
  std::unique_ptr<core::randomness> make_randomness() override;
  core::quota_state quotas() override;
  core::interview_id next_interview_id() override;
  std::optional<account> find_account(const std::string& name) override;
  std::vector<saved_session> sessions() override;
  std::vector<sample_replicate> replicates() override;

  void commit(core::change_list changes, std::function<void(std::optional<std::string>)> done) override;

 private:
  // The cases in the field with an id above `after` (and in `only`, sorted, when given).
  std::vector<core::loaded_case> load_cases(sql::connection& db, core::case_id after,
                                            const std::vector<core::case_id>* only) const;

  // What cases_not_in() last found complete: the largest case id, the releases, the known cases' count.
  struct sample_mark {
    std::int64_t max_case = -1, releases = -1;
    std::size_t known = 0;
    bool operator==(const sample_mark&) const = default;
  };
  std::mutex mark_mutex_;
  sample_mark last_mark_;

  fieldwork_store& store_;
  std::vector<std::string> quota_questions_;  // the quota variables that are questions, not frame variables
};

// Applies one change to the write connection: what commit() runs for each, in order. Exposed for tests.
void apply_change(sql::connection& db, const core::change& c);

}  // namespace cati::store
