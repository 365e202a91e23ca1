// The port through which the scheduler reads the sample and its call histories. server/store implements
// it on SQLite; memory_case_source below is the in-memory implementation for tests and the simulator.
//
// The scheduler keeps a derived view of every case and asks only for what changed since it last asked,
// so a next_case() costs one cheap query when nothing happened, not a reload of thousands of histories.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/calling/case_record.hpp"

namespace cati::core {

struct case_changes {
  std::vector<case_record> cases;  // each changed case, whole (record and full call history)
  std::uint64_t revision = 0;      // what to pass as `since` next time
};

// Contract for implementations:
// - changes_since(0) returns every case; changes_since(r) every case whose record or call history changed
//   after the answer that returned revision r (a new case, a call recorded, a reassignment).
// - Revisions only grow. A change committed after an answer must show up in a later answer: give it a
//   higher revision than the one returned (e.g. a per-case revision column set from a counter in the same
//   transaction as the change).
// - Only committed data: the scheduler may hand a case out as soon as it sees it.
// - Returning a case that did not change is harmless (it is re-derived); missing one is not.
// Thread-safety: called from the one thread (strand) that owns the scheduler.
class case_source {
 public:
  virtual ~case_source() = default;
  virtual case_changes changes_since(std::uint64_t since) const = 0;
};

// Cases held in memory. Not thread-safe: one owner.
class memory_case_source final : public case_source {
 public:
  // Adds a case, or replaces the one with the same id.
  void put(case_record c);
  // Appends a call to a case's history (kept oldest first). False if the case is unknown.
  bool record_call(case_id id, call_attempt call);
  // The appointment agreed in the call made at `call_at` (the latest one then), added after the call was
  // logged. False if the case or the call is unknown.
  bool agree_callback(case_id id, time_point call_at, appointment callback);
  // A supervisor's assignment ("" to clear). False if the case is unknown.
  bool assign(case_id id, std::string interviewer);

  const case_record* find(case_id id) const;
  std::span<const case_record> all() const { return cases_; }
  std::size_t size() const { return cases_.size(); }

  case_changes changes_since(std::uint64_t since) const override;

 private:
  case_record* touch(case_id id);

  std::vector<case_record> cases_;
  std::vector<std::uint64_t> changed_at_;  // revision of each case's last change
  // (revision, case index) of every change, in revision order: changes_since() reads only the tail.
  std::vector<std::pair<std::uint64_t, std::size_t>> log_;
  std::unordered_map<case_id, std::size_t> index_;
  std::uint64_t revision_ = 0;
};

}  // namespace cati::core
