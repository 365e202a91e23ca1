// The published figures of the seed study (F1-F16, /work/shared/seed/README.md) as estimators over the
// completed interviews: each names its base (who it is a share of) and what counts, and is estimated as
// a weighted proportion with its 95 % interval from the Kish effective sample size of the base.
//
// Pure: no I/O.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/results_read.hpp"

namespace cati::tool::sim {

struct figure_estimate {
  std::string id;          // "F5"
  std::string label;       // what it measures
  std::string base;        // who it is a share of
  std::optional<double> published;  // as a share; nullopt where the article gives no number (F16)
  int n = 0;               // respondents in the base
  double effective_n = 0;  // Kish, under the weights
  double estimate = 0;     // weighted share
  double low = 0, high = 0;  // 95 % interval, clamped to 0..1
};

// `weights` has one weight per respondent (same order); all 1 for unweighted estimates.
std::vector<figure_estimate> estimate_figures(std::span<const respondent> completes, std::span<const double> weights);

}  // namespace cati::tool::sim
