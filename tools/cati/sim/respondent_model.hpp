// How a simulated owner/manager answers the seed study's questionnaire: a model calibrated on the
// published figures F1-F16 (/work/shared/seed/README.md), with the subgroup differences the article gives.
//
// The chain, each step drawn from the respondent's own generator:
//   size (s2_fte, from the register's fte_frame, sometimes off by one or two) and sector (s3_sector, the
//   register's sector most of the time) -> market q1 (B2B 35 %, B2C 40 %, both 25 %)
//   -> use of AI q2: at least monthly 50 % overall, more among firms with several employees and B2B firms
//      (F2, F3), and by sector and region (the assumption below) -> areas q3 (F5-F9) and tasks q4 (F16)
//   -> attitude q6: positive 59 % (12 very, 47 rather; F10), 96 % of monthly users, 32 % of non-users
//      (F12), higher with several employees and B2B (F11)
//   -> potential q5 (60 %, F1), added value for financial institutions q7 (> 60 %, F4) and the bank's use
//      of AI q8 (45 %, 62 % of the AI-positive; F13) follow the attitude
//   -> bank domains q9 (fraud 70 %, marketing 53 %, customer service 40 %; F14, F15).
// The targets are for the population; a simulated sample of 225 lands within sampling error of them.
//
// Pure: no I/O; the same seed gives the same answers.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cati::tool::sim {

struct firm_facts {
  int fte = 1;     // the true size in FTE (s2_fte)
  int sector = 1;  // the true main activity (s3_sector): 1 services, 2 commerce, 3 industry
  std::string region;  // the frame's region: "VLA", "WAL", "BRU" ("" unknown: no effect)
};

// The simulation's own assumption, not a published figure: the article gives AI use by size and market
// only, so use also differs by sector (services +6 points, commerce -3, industry -6) and by region
// (Brussels +8, Flanders +1, Wallonia -4), each centred on the published weighted distribution (43/29/29 %,
// 58/31/11 %) so that the population figures stay those of F2. Respondents then differ across the cells
// the weights are raked to, and a weighting error would move the estimates. In per mille.
long long sector_effect(int sector);
long long region_effect(const std::string& region);

// The answer to every question of the seed study, in the terminal's text form ("2", "1 3", "12", "" for
// a note). Questions off the respondent's route are there too: the server never asks them.
using answer_sheet = std::map<std::string, std::string, std::less<>>;

answer_sheet draw_answers(const firm_facts& facts, std::uint64_t seed);

}  // namespace cati::tool::sim
