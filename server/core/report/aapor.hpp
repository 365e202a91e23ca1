// AAPOR outcome rates (Standard Definitions) over final dispositions, and the disposition table, overall
// or per group (region, day, interviewer: the caller says how to group).
//
//   RR1 = I / ((I+P) + (R+NC+O) + (UH+UO))         RR2 = (I+P) / (same)
//   RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))        RR4 = (I+P) / (same)
//   RR5 = I / ((I+P) + (R+NC+O))                   RR6 = (I+P) / (same)
//   COOP1 = I / ((I+P)+R+O)   COOP2 = (I+P) / ((I+P)+R+O)   COOP3 = I / ((I+P)+R)   COOP4 = (I+P) / ((I+P)+R)
//   REF1 = R / ((I+P)+(R+NC+O)+(UH+UO))   REF2 = R / ((I+P)+(R+NC+O)+e(UH+UO))   REF3 = R / ((I+P)+(R+NC+O))
//   CON1 = ((I+P)+R+O) / ((I+P)+R+O+NC+(UH+UO))   CON2 = same / ((I+P)+R+O+NC+e(UH+UO))
//   CON3 = ((I+P)+R+O) / ((I+P)+R+O+NC)
// e, the share of unknown-eligibility cases assumed eligible, is estimated as AAPOR's calculator does,
// e = (I+P+R+NC+O) / (I+P+R+NC+O+NE), unless the caller sets it.
// A rate whose denominator is zero is "n/a" (nullopt), never NaN or infinity; so is an e-based rate when
// e is n/a (or a given e is outside 0..1) and there are unknown-eligibility cases to weigh.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/calling/calendar.hpp"
#include "core/calling/case_record.hpp"
#include "core/calling/disposition.hpp"

namespace cati::core {

// Cases per final code, grouped into AAPOR's groups by the study's eligibility rules (default: 4.80 not
// eligible, a firm with every number dead of unknown eligibility; see disposition.hpp).
class disposition_counts {
 public:
  disposition_counts() = default;
  explicit disposition_counts(eligibility_rules rules) : rules_(rules) {}
  const eligibility_rules& rules() const { return rules_; }
  void add(aapor_code c, long n = 1) { by_code_[static_cast<std::size_t>(c)] += n; }
  long operator[](aapor_code c) const { return by_code_[static_cast<std::size_t>(c)]; }
  long group(aapor_group g) const;
  long total() const;
  disposition_counts& operator+=(const disposition_counts& o);

 private:
  eligibility_rules rules_;
  std::array<long, aapor_code_count> by_code_{};
};

using rate = std::optional<double>;  // nullopt: n/a

struct aapor_rates {
  rate e;
  bool e_estimated = true;  // false when the caller set it
  rate rr1, rr2, rr3, rr4, rr5, rr6;
  rate coop1, coop2, coop3, coop4;
  rate ref1, ref2, ref3;
  rate con1, con2, con3;
};

// e as AAPOR's calculator estimates it; n/a when no case has a known eligibility.
rate estimate_e(const disposition_counts& n);
// All rates; `e` overrides the estimate when given.
aapor_rates compute_rates(const disposition_counts& n, std::optional<double> e = std::nullopt);
// "0.4286" (`digits` decimals), or "n/a".
std::string format_rate(rate r, int digits = 4);

// One line of the disposition table: every code, zero counts included, in code order.
struct disposition_row {
  aapor_code code;
  std::string_view text;         // "2.111"
  std::string_view description;
  aapor_group group;  // under the counts' eligibility rules
  long count = 0;
};
std::vector<disposition_row> disposition_table(const disposition_counts& n);

// Grouping: the group a case falls in, from the case and its disposition.
using group_key = std::function<std::string(const case_record&, const disposition&)>;
group_key overall();                          // one group, ""
group_key by_frame(std::string variable);     // e.g. "region"; "" when the case has no value
// The interviewer of the call that decided the case; "" when never attempted.
group_key by_interviewer();
// The local date ("2025-10-14") of the call that decided the case; "" when never attempted. `cal` must
// outlive the key.
group_key by_day(const calendar& cal);

// Dispositions of every case as of `at`, counted per group (std::map: groups in key order) under `rules`.
std::map<std::string, disposition_counts> tabulate(std::span<const case_record> cases, time_point at,
                                                   const group_key& key, eligibility_rules rules = {});

}  // namespace cati::core
