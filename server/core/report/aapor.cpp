#include "core/report/aapor.hpp"

#include <cmath>
#include <cstdio>

namespace cati::core {
namespace {

rate ratio(double num, double den) {
  if (den <= 0.0) return std::nullopt;
  return num / den;
}

// e(UH+UO): zero when there is nothing unknown to weigh, whatever e is; n/a when e is.
std::optional<double> weighted_unknown(rate e, double unknown) {
  if (unknown == 0.0) return 0.0;
  if (!e) return std::nullopt;
  return *e * unknown;
}

rate ratio(double num, double known_den, std::optional<double> weighted) {
  if (!weighted) return std::nullopt;
  return ratio(num, known_den + *weighted);
}

}  // namespace

long disposition_counts::group(aapor_group g) const {
  long sum = 0;
  for (int c = 0; c < aapor_code_count; ++c)
    if (group_of(static_cast<aapor_code>(c), rules_) == g) sum += by_code_[static_cast<std::size_t>(c)];
  return sum;
}

long disposition_counts::total() const {
  long sum = 0;
  for (long n : by_code_) sum += n;
  return sum;
}

disposition_counts& disposition_counts::operator+=(const disposition_counts& o) {
  for (std::size_t i = 0; i < by_code_.size(); ++i) by_code_[i] += o.by_code_[i];
  return *this;
}

rate estimate_e(const disposition_counts& n) {
  auto g = [&](aapor_group x) { return static_cast<double>(n.group(x)); };
  const double eligible = g(aapor_group::interview) + g(aapor_group::partial) + g(aapor_group::refusal) +
                          g(aapor_group::non_contact) + g(aapor_group::other);
  return ratio(eligible, eligible + g(aapor_group::not_eligible));
}

aapor_rates compute_rates(const disposition_counts& n, std::optional<double> given_e) {
  auto g = [&](aapor_group x) { return static_cast<double>(n.group(x)); };
  const double I = g(aapor_group::interview), P = g(aapor_group::partial), R = g(aapor_group::refusal),
               NC = g(aapor_group::non_contact), O = g(aapor_group::other);
  const double U = g(aapor_group::unknown_household) + g(aapor_group::unknown_other);

  aapor_rates r;
  r.e_estimated = !given_e;
  if (given_e)
    r.e = std::isfinite(*given_e) && *given_e >= 0.0 && *given_e <= 1.0 ? given_e : std::nullopt;
  else
    r.e = estimate_e(n);

  const double interviews = I + P, known = I + P + R + NC + O, contacted = I + P + R + O;
  const auto eu = weighted_unknown(r.e, U);
  r.rr1 = ratio(I, known + U);
  r.rr2 = ratio(interviews, known + U);
  r.rr3 = ratio(I, known, eu);
  r.rr4 = ratio(interviews, known, eu);
  r.rr5 = ratio(I, known);
  r.rr6 = ratio(interviews, known);
  r.coop1 = ratio(I, contacted);
  r.coop2 = ratio(interviews, contacted);
  r.coop3 = ratio(I, interviews + R);
  r.coop4 = ratio(interviews, interviews + R);
  r.ref1 = ratio(R, known + U);
  r.ref2 = ratio(R, known, eu);
  r.ref3 = ratio(R, known);
  r.con1 = ratio(contacted, known + U);
  r.con2 = ratio(contacted, known, eu);
  r.con3 = ratio(contacted, known);
  return r;
}

std::string format_rate(rate r, int digits) {
  if (!r || !std::isfinite(*r)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, *r);
  return buf;
}

std::vector<disposition_row> disposition_table(const disposition_counts& n) {
  std::vector<disposition_row> rows;
  rows.reserve(aapor_code_count);
  for (int i = 0; i < aapor_code_count; ++i) {
    auto c = static_cast<aapor_code>(i);
    rows.push_back({c, code_text(c), describe(c), group_of(c, n.rules()), n[c]});
  }
  return rows;
}

group_key overall() {
  return [](const case_record&, const disposition&) { return std::string(); };
}

group_key by_frame(std::string variable) {
  return [variable = std::move(variable)](const case_record& c, const disposition&) {
    auto it = c.frame.find(variable);
    return it == c.frame.end() ? std::string() : it->second;
  };
}

group_key by_interviewer() {
  return [](const case_record& c, const disposition& d) {
    return d.decisive ? c.calls[*d.decisive].interviewer : std::string();
  };
}

group_key by_day(const calendar& cal) {
  return [&cal](const case_record& c, const disposition& d) {
    return d.decisive ? format_date(cal.local_date(c.calls[*d.decisive].at)) : std::string();
  };
}

std::map<std::string, disposition_counts> tabulate(std::span<const case_record> cases, time_point at,
                                                   const group_key& key, eligibility_rules rules) {
  std::map<std::string, disposition_counts> groups;
  for (const auto& c : cases) {
    const auto d = final_disposition(c, at);
    groups.try_emplace(key(c, d), rules).first->second.add(d.code);
  }
  return groups;
}

}  // namespace cati::core
