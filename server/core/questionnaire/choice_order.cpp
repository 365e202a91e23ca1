#include "core/questionnaire/choice_order.hpp"

#include <numeric>
#include <utility>

#include "core/util/splitmix64.hpp"

namespace cati::core {

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool keeps_place(const choice& c) { return c.missing || c.fixed || !c.specify.empty(); }

std::vector<std::size_t> choice_order(const question& q, std::uint64_t case_seed) {
  std::vector<std::size_t> order(q.choices.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (!q.randomize) return order;

  std::vector<std::size_t> slots;  // positions of the movable choices
  for (std::size_t i = 0; i < q.choices.size(); ++i)
    if (!keeps_place(q.choices[i])) slots.push_back(i);
  if (slots.size() < 2) return order;

  // The question name is mixed in so that two randomised questions of one case get different orders.
  splitmix64 rng(case_seed ^ fnv1a64(q.name));
  std::vector<std::size_t> moved = slots;
  for (std::size_t i = moved.size() - 1; i > 0; --i) {
    const auto j = static_cast<std::size_t>(rng.below(i + 1));
    std::swap(moved[i], moved[j]);
  }
  for (std::size_t k = 0; k < slots.size(); ++k) order[slots[k]] = moved[k];
  return order;
}

}  // namespace cati::core
