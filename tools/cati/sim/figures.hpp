// The published figures of the seed study (F1-F16, /work/shared/seed/README.md) as estimators over the
// completed interviews: each names its base (who it is a share of) and what counts, and is estimated as
// a weighted proportion with its 95 % Wilson (score) interval at the Kish effective sample size of the
// base. The Wilson interval holds its coverage near 0 and 1 and for small bases, where the Wald interval
// (estimate +- 1.96 standard errors) is too narrow or leaves 0..1.
//
// Pure: no I/O.
#pragma once

#include <optional>
#include <utility>
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
  double low = 0, high = 0;  // 95 % Wilson interval (within 0..1 by construction)
};

// The 95 % Wilson interval of a share `p` observed at (effective) sample size `n` > 0.
std::pair<double, double> wilson_interval(double p, double n);

// The chance that the 95 % Wilson interval of an estimate at effective size `n` holds `published`, when
// the estimate is drawn around `expected` (normal approximation, variance expected x (1 - expected) / n).
// The Wilson interval holds p0 exactly when |estimate - p0| <= 1.96 sqrt(p0 (1 - p0) / n), so this is
// the chance of that. With expected = published it is about 0.95; the further the respondents' model
// is from the published figure, the lower.
double chance_inside(double published, double expected, double n);

// `weights` has one weight per respondent (same order); all 1 for unweighted estimates.
std::vector<figure_estimate> estimate_figures(std::span<const respondent> completes, std::span<const double> weights);

}  // namespace cati::tool::sim
