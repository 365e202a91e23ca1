#include "sim/respondent_model.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "core/util/splitmix64.hpp"

namespace cati::tool::sim {
namespace {

// Probabilities in per mille: splitmix64::chance_permille draws them the same on every platform.
using permille = std::uint64_t;

std::string codes_text(const std::vector<int>& codes) {
  std::string out;
  for (int c : codes) out += (out.empty() ? "" : " ") + std::to_string(c);
  return out;
}

// A multiple-choice answer: each code picked with its own chance; at least one (the likeliest) when none
// was, since the questions are required and a respondent who uses AI names a use.
std::string pick_several(core::splitmix64& rng, const std::vector<std::pair<int, permille>>& chances) {
  std::vector<int> picked;
  for (const auto& [code, p] : chances)
    if (rng.chance_permille(p)) picked.push_back(code);
  if (picked.empty()) {
    // At least one is named: draw it in proportion to the chances, so that no single code (the most
    // likely one, as before) gets all of the respondents who named none, which put it 7 points too high.
    std::vector<std::uint32_t> weights;
    for (const auto& c : chances) weights.push_back(static_cast<std::uint32_t>(c.second));
    picked.push_back(chances[rng.weighted(weights)].first);
  }
  return codes_text(picked);
}

permille clamp_permille(long long p) { return static_cast<permille>(std::clamp(p, 0LL, 1000LL)); }

}  // namespace

long long sector_effect(int sector) { return sector == 1 ? 60 : sector == 2 ? -30 : sector == 3 ? -60 : 0; }
long long region_effect(const std::string& region) {
  return region == "BRU" ? 80 : region == "VLA" ? 10 : region == "WAL" ? -40 : 0;
}

answer_sheet draw_answers(const firm_facts& facts, std::uint64_t seed) {
  core::splitmix64 rng(seed);
  answer_sheet a;
  a["intro"] = "";
  a["s1_decider"] = "1";
  a["s2_fte"] = std::to_string(facts.fte);
  a["s3_sector"] = std::to_string(facts.sector);
  a["end"] = "";

  const std::array<std::uint32_t, 3> market_weights = {35, 40, 25};
  const int market = static_cast<int>(rng.weighted(market_weights)) + 1;
  a["q1_market"] = std::to_string(market);
  const bool several = facts.fte > 1;
  const bool b2b = market == 1;

  // q2: at least monthly 50 % overall (F2); several employees and B2B firms use it more (F3, F11).
  long long monthly = 460 + (several ? 100 : -150) + (b2b ? 80 : -30) + sector_effect(facts.sector) +
                      region_effect(facts.region);
  const bool user_monthly = rng.chance_permille(clamp_permille(monthly));
  int use = 0;
  if (user_monthly) {
    const std::array<std::uint32_t, 3> w = {40, 35, 25};  // daily, weekly, monthly
    use = static_cast<int>(rng.weighted(w)) + 1;
  } else {
    const std::array<std::uint32_t, 3> w = {30, 66, 4};  // less than monthly, never, don't know
    const int pick = static_cast<int>(rng.weighted(w));
    use = pick == 0 ? 4 : pick == 1 ? 5 : 98;
  }
  a["q2_ai_use"] = std::to_string(use);

  // q3 (monthly users): F5-F9, "other" rarely, with its specification.
  a["q3_ai_areas"] = pick_several(rng, {{1, 620}, {2, 460}, {3, 370}, {4, 310}, {5, 280}, {6, 40}});
  a["q3_other"] = "planning en roosters";
  // q4 (any use): the typical uses of F16.
  a["q4_ai_tasks"] = pick_several(rng, {{1, 560}, {2, 470}, {3, 310}, {4, 330}, {5, 90}});

  // q6: positive (1-2) 96 % of monthly users, 32 % of non-users (F12), shifted by size and market (F11).
  // With half the firms monthly users, those two already make 59 % of the 60 % positive overall (F10),
  // so the occasional users can be positive only rarely.
  long long positive = use <= 3 ? 930 : use == 4 ? 100 : use == 5 ? 330 : 200;
  positive += (several ? 30 : -60) + (b2b ? 40 : -10);
  int attitude = 0;
  if (rng.chance_permille(clamp_permille(positive))) {
    attitude = rng.chance_permille(200) ? 1 : 2;  // 12 of 59 positive are very positive (F10)
  } else {
    const std::array<std::uint32_t, 4> w = {60, 25, 10, 5};  // neutral, rather negative, very negative, dk
    const int pick = static_cast<int>(rng.weighted(w));
    attitude = pick == 3 ? 98 : pick + 3;
  }
  a["q6_attitude"] = std::to_string(attitude);
  const bool pos = attitude <= 2;
  const bool neutral = attitude == 3 || attitude == 98;

  // q5 potential: 60 % yes (F1), mostly the AI-positive.
  {
    const permille yes = pos ? 850 : neutral ? 250 : 60;
    a["q5_potential"] = rng.chance_permille(yes) ? "1" : rng.chance_permille(700) ? "2" : "98";
  }
  // q7: more than 60 % agree that AI is an added value for financial institutions (F4).
  {
    const permille agree = pos ? 800 : neutral ? 470 : 250;
    a["q7_fin_value"] = rng.chance_permille(agree) ? "1" : rng.chance_permille(800) ? "2" : "98";
  }
  // q8: 45 % positive about their bank using AI, 62 % of the firms open to AI (F13).
  {
    const permille yes = pos ? 620 : 200;
    if (rng.chance_permille(yes)) {
      a["q8_bank_ai"] = "1";
    } else {
      const std::array<std::uint32_t, 3> w = {55, 35, 10};  // neutral, negative, don't know
      const int pick = static_cast<int>(rng.weighted(w));
      a["q8_bank_ai"] = pick == 2 ? "98" : std::to_string(pick + 2);
    }
  }
  // q9: fraud prevention 70 %, personalised marketing 53 %, customer service 40 % (F14, F15).
  a["q9_bank_domains"] = pick_several(rng, {{1, 680}, {2, 510}, {3, 380}, {4, 220}, {5, 260}, {6, 30}});
  return a;
}

}  // namespace cati::tool::sim
