#include "sim/figures.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <tuple>

namespace cati::tool::sim {
namespace {

// The answer to a single-choice or number question as a number; -1 when not asked or not a number.
int code(const respondent& r, const char* question) {
  auto it = r.answers.find(question);
  if (it == r.answers.end() || it->second.empty()) return -1;
  try {
    return std::stoi(it->second);
  } catch (const std::exception&) {
    return -1;
  }
}

// Whether a multiple-choice answer ("1 3 5") holds `c`.
bool picked(const respondent& r, const char* question, int c) {
  auto it = r.answers.find(question);
  if (it == r.answers.end()) return false;
  std::istringstream in(it->second);
  int x = 0;
  while (in >> x)
    if (x == c) return true;
  return false;
}

using predicate = std::function<bool(const respondent&)>;

bool everyone(const respondent&) { return true; }
bool monthly_user(const respondent& r) { return code(r, "q2_ai_use") >= 1 && code(r, "q2_ai_use") <= 3; }
bool any_user(const respondent& r) { return code(r, "q2_ai_use") >= 1 && code(r, "q2_ai_use") <= 4; }
bool never_user(const respondent& r) { return code(r, "q2_ai_use") == 5; }
bool several_employees(const respondent& r) { return code(r, "s2_fte") > 1; }
bool b2b(const respondent& r) { return code(r, "q1_market") == 1; }
bool positive(const respondent& r) { return code(r, "q6_attitude") == 1 || code(r, "q6_attitude") == 2; }

struct figure {
  const char* id;
  const char* label;
  const char* base;
  std::optional<double> published;
  predicate in_base;
  predicate counts;
};

std::vector<figure> figures() {
  auto single = [](const char* q, int c) { return [q, c](const respondent& r) { return code(r, q) == c; }; };
  auto multi = [](const char* q, int c) { return [q, c](const respondent& r) { return picked(r, q, c); }; };
  return {
      {"F1", "positive potential of AI for the business (q5 = yes)", "all", 0.60, everyone, single("q5_potential", 1)},
      {"F2", "uses AI at least monthly (q2 = 1-3)", "all", 0.50, everyone, monthly_user},
      {"F3", "uses AI at least monthly (article: growth, figure as printed)", "more than one employee", 0.40,
       several_employees, monthly_user},
      {"F3", "uses AI at least monthly (article: growth, figure as printed)", "B2B firms", 0.45, b2b, monthly_user},
      {"F4", "AI is an added value for financial institutions (q7 = agree)", "all", 0.60, everyone,
       single("q7_fin_value", 1)},
      {"F5", "area: business-process optimisation, automation", "monthly users", 0.62, monthly_user, multi("q3_ai_areas", 1)},
      {"F6", "area: marketing and communication", "monthly users", 0.46, monthly_user, multi("q3_ai_areas", 2)},
      {"F7", "area: innovation and product development", "monthly users", 0.37, monthly_user, multi("q3_ai_areas", 3)},
      {"F8", "area: customer service", "monthly users", 0.31, monthly_user, multi("q3_ai_areas", 4)},
      {"F9", "area: data analysis", "monthly users", 0.28, monthly_user, multi("q3_ai_areas", 5)},
      {"F10", "positive towards AI (q6 = 1-2)", "all", 0.60, everyone, positive},
      {"F10", "very positive (q6 = 1)", "all", 0.12, everyone, single("q6_attitude", 1)},
      {"F10", "rather positive (q6 = 2)", "all", 0.47, everyone, single("q6_attitude", 2)},
      {"F11", "positive towards AI", "more than one employee", 0.70, several_employees, positive},
      {"F11", "positive towards AI", "B2B firms", 0.75, b2b, positive},
      {"F12", "positive towards AI", "monthly users", 0.96, monthly_user, positive},
      {"F12", "positive towards AI", "never use AI", 0.32, never_user, positive},
      {"F13", "positive about their bank using AI (q8 = 1)", "all", 0.45, everyone, single("q8_bank_ai", 1)},
      {"F13", "positive about their bank using AI", "positive towards AI", 0.62, positive, single("q8_bank_ai", 1)},
      {"F14", "bank domain: fraud prevention", "all", 0.70, everyone, multi("q9_bank_domains", 1)},
      {"F15", "bank domain: personalised marketing and communication", "all", 0.53, everyone, multi("q9_bank_domains", 2)},
      {"F15", "bank domain: customer service and support", "all", 0.40, everyone, multi("q9_bank_domains", 3)},
      {"F16", "task: writing commercial e-mails", "AI users", std::nullopt, any_user, multi("q4_ai_tasks", 1)},
      {"F16", "task: social-media posts", "AI users", std::nullopt, any_user, multi("q4_ai_tasks", 2)},
      {"F16", "task: automating invoicing", "AI users", std::nullopt, any_user, multi("q4_ai_tasks", 3)},
  };
}

constexpr double z95 = 1.959963984540054;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

std::pair<double, double> wilson_interval(double p, double n) {
  const double z2 = z95 * z95;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z95 / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double chance_inside(double published, double expected, double n) {
  const double h = z95 * std::sqrt(published * (1 - published) / n);
  const double s = std::sqrt(expected * (1 - expected) / n);
  if (s == 0) return std::abs(expected - published) <= h ? 1.0 : 0.0;
  return normal_cdf((published + h - expected) / s) - normal_cdf((published - h - expected) / s);
}

std::vector<figure_estimate> estimate_figures(std::span<const respondent> completes, std::span<const double> weights) {
  std::vector<figure_estimate> out;
  for (const auto& f : figures()) {
    figure_estimate e{f.id, f.label, f.base, f.published};
    double sw = 0, sw2 = 0, swy = 0;
    // Sums in respondent order (by interview id): the same order every run, so the same digits.
    for (std::size_t i = 0; i < completes.size(); ++i) {
      if (!f.in_base(completes[i])) continue;
      const double w = weights[i];
      ++e.n;
      sw += w;
      sw2 += w * w;
      if (f.counts(completes[i])) swy += w;
    }
    if (sw > 0) {
      e.estimate = swy / sw;
      e.effective_n = sw * sw / sw2;
      std::tie(e.low, e.high) = wilson_interval(e.estimate, e.effective_n);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace cati::tool::sim
