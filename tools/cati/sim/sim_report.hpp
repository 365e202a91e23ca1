// The simulation's report: var/sim/report.md (quotas, completes per day, dispositions and AAPOR rates,
// the sample's release in replicates with per replicate attempts and rates, interviewer productivity, the
// journal's proof that no answer was lost or doubled, and each published figure beside its simulated
// weighted and unweighted estimates with a 95 % Wilson interval, what the respondents' model expects and
// the chance the figure falls inside), plus the full `cati report` and
// `cati quota` tables (dispositions.txt, quota.txt) and, when this build has `cati export`, the SPSS file.
//
// Everything in report.md comes from the fieldwork file and the simulation's own tallies, in a fixed
// order, with no wall-clock time or path in it: the same seed gives the same bytes.
#pragma once

#include <filesystem>
#include <string>

#include "core/calling/calendar.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "sim/sim_world.hpp"

namespace cati::tool::sim {

struct report_context {
  const core::questionnaire* study = nullptr;
  const core::calendar* cal = nullptr;
  std::filesystem::path study_dir;
  std::filesystem::path db;
  std::filesystem::path out;
  int interviewers = 0;
  int frame_size = 0;
  std::vector<core::time_point> day_starts;  // the first calling moment of each simulated day
};

struct report_summary {
  bool quotas_met = false;
  bool over = false;  // some cell ended above its target
  int lost = 0, doubled = 0;
};

report_summary write_report(const report_context& ctx, const sim_world& world);

}  // namespace cati::tool::sim
