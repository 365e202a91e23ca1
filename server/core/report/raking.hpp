// Raking weights (iterative proportional fitting) and what weighting costs in precision.
//
// rake() adjusts one weight per respondent so that the weighted shares of every margin (region, sector,
// ...) equal the margin's target shares. Each pass walks the margins in order and multiplies the weights
// of each category by target share / weighted share; it stops when the largest gap between a weighted
// share and its target is below `tolerance`, or after `max_passes`, and reports which. The weights come
// back scaled to mean 1. With a cap, weights above cap (times the mean) are cut to the cap after every
// pass and the next pass re-rakes, so the result meets both the cap and the targets when it converges
// (and says so when it cannot).
//
// Pure: no I/O. The caller says which category each respondent falls in per margin.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/util/result.hpp"

namespace cati::core {

struct rake_margin {
  std::string name;                     // "region": for messages
  std::vector<std::string> categories;  // "VLA", "WAL", "BRU"
  std::vector<double> targets;          // one per category, >= 0: counts or shares (normalised to shares)
};

struct rake_options {
  double tolerance = 1e-6;     // on shares: 1e-6 is a millionth of the sample
  int max_passes = 1000;
  std::optional<double> cap;   // largest weight allowed, as a multiple of the mean weight (>= 1)
};

struct rake_result {
  std::vector<double> weights;  // one per respondent, in input order, mean 1
  int passes = 0;
  bool converged = false;
  double max_gap = 0;  // the largest |weighted share - target share| at the end
  int capped = 0;      // weights sitting at the cap at the end
};

// `membership[i][m]` is respondent i's category in margins[m]. Refused, with a message naming the margin
// and the category or respondent (by 1-based position): no respondents, a respondent without a category
// of some margin or with one the margin does not list, targets that are negative or all zero, a
// category with a positive target and no respondent (no weight can give it a share), a cap below 1.
result<rake_result> rake(std::span<const std::vector<std::string>> membership, std::span<const rake_margin> margins,
                         const rake_options& options = {});

// The weighted share of each category of `margin` (in its category order) under `weights`.
std::vector<double> weighted_shares(std::span<const std::vector<std::string>> membership, std::size_t margin_index,
                                    const rake_margin& margin, std::span<const double> weights);

// Kish's summary of a set of weights: what the weighting costs in precision.
struct weight_summary {
  std::size_t n = 0;
  double min = 0, max = 0, mean = 0;
  double design_effect = 0;  // n * sum(w^2) / sum(w)^2 (1 for equal weights)
  double effective_n = 0;    // sum(w)^2 / sum(w^2)
  // The 95 % margin of error of a weighted proportion p: 1.96 * sqrt(p (1 - p) / effective_n).
  double margin_of_error(double p = 0.5) const;
};
// An empty span gives all zeros.
weight_summary summarise_weights(std::span<const double> weights);

}  // namespace cati::core
