#include "core/report/raking.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace cati::core {
namespace {

// Category index per respondent for one margin, checked.
result<std::vector<std::size_t>> categories_of(std::span<const std::vector<std::string>> membership, std::size_t m,
                                               const rake_margin& margin) {
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t c = 0; c < margin.categories.size(); ++c) index.emplace(margin.categories[c], c);
  std::vector<std::size_t> out;
  out.reserve(membership.size());
  for (std::size_t i = 0; i < membership.size(); ++i) {
    if (membership[i].size() <= m)
      return error{"respondent " + std::to_string(i + 1) + " has no category of margin '" + margin.name + "'"};
    auto it = index.find(membership[i][m]);
    if (it == index.end())
      return error{"respondent " + std::to_string(i + 1) + ": margin '" + margin.name + "' has no category '" +
                   membership[i][m] + "'"};
    out.push_back(it->second);
  }
  return out;
}

// The margin's targets as shares summing to 1, checked.
result<std::vector<double>> target_shares(const rake_margin& margin) {
  if (margin.targets.size() != margin.categories.size())
    return error{"margin '" + margin.name + "': " + std::to_string(margin.categories.size()) + " categories but " +
                 std::to_string(margin.targets.size()) + " targets"};
  double total = 0;
  for (std::size_t c = 0; c < margin.targets.size(); ++c) {
    if (!(margin.targets[c] >= 0) || !std::isfinite(margin.targets[c]))
      return error{"margin '" + margin.name + "', category '" + margin.categories[c] + "': the target must be >= 0"};
    total += margin.targets[c];
  }
  if (total <= 0) return error{"margin '" + margin.name + "': the targets add up to 0"};
  std::vector<double> shares;
  for (double t : margin.targets) shares.push_back(t / total);
  return shares;
}

struct prepared_margin {
  std::vector<std::size_t> category;  // per respondent
  std::vector<double> share;          // per category
};

std::vector<double> totals(const prepared_margin& p, std::span<const double> w) {
  std::vector<double> out(p.share.size(), 0.0);
  for (std::size_t i = 0; i < w.size(); ++i) out[p.category[i]] += w[i];
  return out;
}

double largest_gap(const std::vector<prepared_margin>& margins, std::span<const double> w) {
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  double gap = 0;
  for (const auto& p : margins) {
    auto t = totals(p, w);
    for (std::size_t c = 0; c < t.size(); ++c) gap = std::max(gap, std::abs(t[c] / sum - p.share[c]));
  }
  return gap;
}

void scale_to_mean_one(std::vector<double>& w) {
  const double mean = std::accumulate(w.begin(), w.end(), 0.0) / static_cast<double>(w.size());
  for (double& x : w) x /= mean;
}

}  // namespace

result<rake_result> rake(std::span<const std::vector<std::string>> membership, std::span<const rake_margin> margins,
                         const rake_options& options) {
  if (membership.empty()) return error{"no respondents to weight"};
  if (options.cap && !(*options.cap >= 1))
    return error{"the weight cap must be at least 1 (the mean weight), not " + std::to_string(*options.cap)};
  std::vector<prepared_margin> prepared;
  for (std::size_t m = 0; m < margins.size(); ++m) {
    auto category = categories_of(membership, m, margins[m]);
    if (!category) return category.err();
    auto shares = target_shares(margins[m]);
    if (!shares) return shares.err();
    prepared_margin p{std::move(category).value(), std::move(shares).value()};
    std::vector<int> count(p.share.size(), 0);
    for (auto c : p.category) ++count[c];
    for (std::size_t c = 0; c < count.size(); ++c)
      if (count[c] == 0 && p.share[c] > 0)
        return error{"margin '" + margins[m].name + "', category '" + margins[m].categories[c] +
                     "': a target but no respondent, so no weighting can reach it"};
    prepared.push_back(std::move(p));
  }

  rake_result r;
  r.weights.assign(membership.size(), 1.0);
  auto& w = r.weights;
  for (r.passes = 1; r.passes <= options.max_passes; ++r.passes) {
    for (const auto& p : prepared) {
      const auto t = totals(p, w);
      const double sum = std::accumulate(t.begin(), t.end(), 0.0);
      for (std::size_t i = 0; i < w.size(); ++i) {
        const double have = t[p.category[i]];
        w[i] = have > 0 ? w[i] * p.share[p.category[i]] * sum / have : 0.0;
      }
    }
    scale_to_mean_one(w);
    if (options.cap)
      for (double& x : w) x = std::min(x, *options.cap);
    r.max_gap = largest_gap(prepared, w);
    if (r.max_gap < options.tolerance) {
      r.converged = true;
      break;
    }
  }
  r.passes = std::min(r.passes, options.max_passes);
  // Mean 1 and the cap both hold at the end: the excess cut from capped weights is spread over the
  // others, which may push some of them to the cap in turn (a few rounds; a cap >= 1 always fits).
  scale_to_mean_one(w);
  for (int round = 0; options.cap && round < 100; ++round) {
    if (*std::max_element(w.begin(), w.end()) <= *options.cap * (1 + 1e-12)) break;
    for (double& x : w) x = std::min(x, *options.cap);
    scale_to_mean_one(w);
  }
  if (options.cap)
    r.capped = static_cast<int>(
        std::count_if(w.begin(), w.end(), [&](double x) { return x >= *options.cap - options.tolerance; }));
  return r;
}

std::vector<double> weighted_shares(std::span<const std::vector<std::string>> membership, std::size_t margin_index,
                                    const rake_margin& margin, std::span<const double> weights) {
  std::vector<double> out(margin.categories.size(), 0.0);
  double sum = 0;
  for (std::size_t i = 0; i < membership.size() && i < weights.size(); ++i) {
    sum += weights[i];
    const auto& cat = membership[i].at(margin_index);
    auto it = std::find(margin.categories.begin(), margin.categories.end(), cat);
    if (it != margin.categories.end()) out[static_cast<std::size_t>(it - margin.categories.begin())] += weights[i];
  }
  if (sum > 0)
    for (double& x : out) x /= sum;
  return out;
}

double weight_summary::margin_of_error(double p) const {
  if (effective_n <= 0) return 0;
  return 1.96 * std::sqrt(p * (1 - p) / effective_n);
}

weight_summary summarise_weights(std::span<const double> weights) {
  weight_summary s;
  if (weights.empty()) return s;
  s.n = weights.size();
  double sum = 0, sum2 = 0;
  s.min = s.max = weights.front();
  for (double w : weights) {
    sum += w;
    sum2 += w * w;
    s.min = std::min(s.min, w);
    s.max = std::max(s.max, w);
  }
  s.mean = sum / static_cast<double>(s.n);
  if (sum2 > 0) {
    s.design_effect = static_cast<double>(s.n) * sum2 / (sum * sum);
    s.effective_n = sum * sum / sum2;
  }
  return s;
}

}  // namespace cati::core
