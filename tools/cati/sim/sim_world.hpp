// What the simulated interviewers share: the study's calendar, the firms (created on first dial), the
// quota target, and the tallies the report is written from. Owned by the driver; touched only on the
// driver thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/calling/calendar.hpp"
#include "sim/firm_model.hpp"

namespace cati::tool::sim {

// The answers the simulation sent for one interview and saw acknowledged, in order.
struct sent_interview {
  std::vector<std::pair<std::string, std::string>> answers;  // (question, value)
};

// A release of replicates by the simulated fieldwork manager.
struct release_event {
  core::time_point at{};
  std::vector<int> replicates;
  std::string why;  // what the manager saw (release_decision::why)
};

struct interviewer_tally {
  std::string name;
  int shifts = 0;
  double minutes_logged_in = 0;
  int cuts = 0;        // connections the simulation cut
  int reconnects = 0;  // reconnects the client library made
};

struct sim_world {
  const core::calendar* cal = nullptr;
  std::uint64_t seed = 0;
  int total_target = 0;    // the sum of one quota's targets: the completes that fill every quota
  core::time_point end{};  // the end of the last calling period simulated

  std::map<std::string, firm_model> firms;  // by firm id
  std::map<std::string, sent_interview> sent;  // by interview id
  int completes = 0;
  std::optional<core::time_point> filled_at;  // when the last quota place was taken
  std::vector<interviewer_tally> tallies;     // by interviewer index
  std::string release_mode = "all";           // sim_options::release
  int replicate_count = 0;                    // with release_mode "replicates"
  std::vector<release_event> releases;        // in time order

  bool quotas_filled() const { return completes >= total_target; }
  firm_model& firm(const std::string& firm_id, int fte_frame, int sector_frame, const std::string& region) {
    auto it = firms.find(firm_id);
    if (it == firms.end())
      it = firms.emplace(firm_id, firm_model(seed, firm_id, fte_frame, sector_frame, region)).first;
    return it->second;
  }
};

}  // namespace cati::tool::sim
