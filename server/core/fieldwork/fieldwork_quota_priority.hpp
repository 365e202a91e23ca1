// Internal to core/fieldwork: the scheduler's view of the quotas. A case is dialable unless a frame cell
// it falls in is full or closed, and cases whose cells need completes most come first. The outlook
// behind it is rebuilt only when the book or the sample left changed (`stale`), and verdicts are cached
// per frame group, so that assess() stays O(1) per case as the scheduler requires.
//
// Thread-safety: none; owned by its fieldwork, which must outlive it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/fieldwork/fieldwork.hpp"
#include "core/report/report_sample.hpp"

namespace cati::core {

class fieldwork::quota_priority final : public dial_priority {
 public:
  explicit quota_priority(const fieldwork& owner) : owner_(owner), variables_(quota_frame_variables(owner.book_)) {}

  void stale() { outlook_.reset(); }

  const quota_outlook& outlook() {
    if (!outlook_) rebuild();
    return *outlook_;
  }

  dial_verdict assess(const case_record& c) const override {
    quota_values key = group_of(c);
    if (auto it = verdicts_.find(key); it != verdicts_.end()) return it->second;
    auto p = outlook_ ? outlook_->priority(key) : case_priority{};
    dial_verdict v{p.dialable, p.score};
    verdicts_.emplace(std::move(key), v);
    return v;
  }

 private:
  quota_values group_of(const case_record& c) const {
    quota_values key;
    for (const auto& var : variables_)
      if (auto it = c.frame.find(var); it != c.frame.end()) key[var] = it->second;
    return key;
  }

  // The sample left and completes per case as `cati quota` computes them (report_sample.hpp), from the
  // scheduler's plans, and the arrivals at the quota point so far.
  void rebuild() {
    sample_tally tally(variables_);
    for (const auto& [id, extra] : owner_.extra_) {
      const case_record* c = owner_.cases_.find(id);
      if (!c) continue;
      const case_plan* plan = owner_.scheduler_ ? owner_.scheduler_->plan(id) : nullptr;
      tally.add(*c, plan ? *plan : plan_case(*c, owner_.study_->rules, owner_.calendar_));
    }
    std::vector<quota_values> arrived;
    arrived.reserve(owner_.arrivals_.size());
    for (const auto& [id, values] : owner_.arrivals_) arrived.push_back(values);
    outlook_.emplace(owner_.book_, outlook_input_for(tally.summary(), count_arrivals(owner_.book_, arrived)));
    verdicts_.clear();
  }

  const fieldwork& owner_;
  std::vector<std::string> variables_;
  std::optional<quota_outlook> outlook_;
  mutable std::map<quota_values, dial_verdict> verdicts_;
};

}  // namespace cati::core
