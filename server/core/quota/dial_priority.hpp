// What the quota side tells the scheduler about a case before it is dialled: may it be called at all
// (a frame cell it falls in is full or closed: no), and how much its cells need completes. The quota book
// (core/quota_book) is adapted to this interface when the server is wired; the scheduler knows nothing of
// cells or targets.
#pragma once

#include <unordered_map>

#include "core/calling/case_record.hpp"

namespace cati::core {

struct dial_verdict {
  bool dialable = true;   // false: a frame cell of the case is full or closed, do not call it
  double priority = 0.0;  // higher first: what the case's cells still need against the sample left
};

// Contract: assess() is called for every case that is due when an interviewer asks for work, on the
// scheduler's thread, so keep it O(1) per case (e.g. map the case to its frame cell once, look the
// cell's verdict up). It must not call back into the scheduler.
class dial_priority {
 public:
  virtual ~dial_priority() = default;
  virtual dial_verdict assess(const case_record& c) const = 0;
};

// No quotas: everything dialable, all equal.
class no_dial_priority final : public dial_priority {
 public:
  dial_verdict assess(const case_record&) const override { return {}; }
};

// A verdict per case id (and one for the rest): tests and the simulator.
class table_dial_priority final : public dial_priority {
 public:
  void set(case_id id, dial_verdict v) { by_case_[id] = v; }
  void set_default(dial_verdict v) { default_ = v; }
  dial_verdict assess(const case_record& c) const override {
    auto it = by_case_.find(c.id);
    return it == by_case_.end() ? default_ : it->second;
  }

 private:
  std::unordered_map<case_id, dial_verdict> by_case_;
  dial_verdict default_;
};

}  // namespace cati::core
