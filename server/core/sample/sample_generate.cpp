#include "core/sample/sample_generate.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <unordered_set>

#include "core/report/csv.hpp"
#include "core/sample/sample_row.hpp"
#include "core/sample/sample_names.hpp"
#include "core/util/splitmix64.hpp"

namespace cati::core {
namespace {

struct area_code {
  std::string_view code;
  int subscriber_digits;  // the national number is 8 digits: zone + subscriber
  std::uint32_t weight;   // roughly by the number of firms in the zone
  // Highest first digit of a subscriber number: in the one-digit zones some leading digits would make
  // the number look like another range (04 7x... is a mobile prefix, 09 0x... premium).
  char first_digit_max = '9';
};

constexpr std::array<area_code, 19> flanders_areas = {{
    {"3", 7, 25, '8'}, {"9", 7, 18, '3'}, {"50", 6, 6},  {"51", 6, 3}, {"52", 6, 3}, {"53", 6, 4}, {"54", 6, 2},
    {"55", 6, 2}, {"56", 6, 5}, {"57", 6, 2},  {"58", 6, 2}, {"59", 6, 3}, {"11", 6, 5}, {"12", 6, 2},
    {"13", 6, 2}, {"14", 6, 5}, {"15", 6, 5},  {"16", 6, 5}, {"89", 6, 3},
}};
constexpr std::array<area_code, 20> wallonia_areas = {{
    {"4", 7, 20, '3'}, {"10", 6, 6}, {"19", 6, 2}, {"60", 6, 2}, {"61", 6, 2}, {"63", 6, 2}, {"64", 6, 4},
    {"65", 6, 5}, {"67", 6, 5}, {"68", 6, 2}, {"69", 6, 4}, {"71", 6, 10}, {"80", 6, 1}, {"81", 6, 6},
    {"82", 6, 2}, {"83", 6, 1}, {"84", 6, 2}, {"85", 6, 3}, {"86", 6, 1}, {"87", 6, 4},
}};
constexpr std::array<area_code, 1> brussels_areas = {{{"2", 7, 1, '7'}}};

constexpr std::array<std::string_view, 3> regions = {"VLA", "WAL", "BRU"};
constexpr std::array<std::uint32_t, 3> region_weights = {58, 31, 11};
constexpr std::array<std::string_view, 3> sectors = {"services", "commerce", "industry"};
constexpr std::array<std::uint32_t, 3> sector_weights = {45, 28, 27};

std::span<const area_code> areas_of(std::string_view region) {
  if (region == "VLA") return flanders_areas;
  if (region == "WAL") return wallonia_areas;
  return brussels_areas;
}

std::string digits(splitmix64& rng, int n, char first_max = '9') {
  std::string out;
  // A subscriber number does not start with 0 or 1 (those lead to the trunk and special services).
  out += static_cast<char>('2' + rng.below(static_cast<std::uint64_t>(first_max - '2' + 1)));
  for (int i = 1; i < n; ++i) out += static_cast<char>('0' + rng.below(10));
  return out;
}

std::string landline(splitmix64& rng, std::string_view region) {
  auto areas = areas_of(region);
  std::vector<std::uint32_t> weights;
  for (const auto& a : areas) weights.push_back(a.weight);
  const area_code& a = areas[rng.weighted(weights)];
  return "+32" + std::string(a.code) + digits(rng, a.subscriber_digits, a.first_digit_max);
}

std::string mobile(splitmix64& rng) {
  return "+3247" + std::string(1, static_cast<char>('0' + rng.below(10))) + digits(rng, 6);
}

// Firm size: mostly 1-20 FTE, falling off with size; about 8 % above 20 (up to 150), who are screened
// out by s2_fte. Weights are integers so that the result does not depend on the maths library.
int firm_size(splitmix64& rng) {
  if (rng.chance_permille(80)) {
    std::vector<std::uint32_t> large;
    for (int fte = 21; fte <= 150; ++fte) large.push_back(static_cast<std::uint32_t>(10000 / fte));
    return 21 + static_cast<int>(rng.weighted(large));
  }
  std::vector<std::uint32_t> small;
  for (int fte = 1; fte <= 20; ++fte) small.push_back(static_cast<std::uint32_t>(1000 / fte));
  return 1 + static_cast<int>(rng.weighted(small));
}

class phone_book {
 public:
  // A number not given out before in this frame.
  template <class Make>
  std::string fresh(Make make) {
    while (true) {
      std::string n = make();
      if (used_.insert(n).second) return n;
    }
  }

 private:
  std::unordered_set<std::string> used_;
};

generated_firm make_firm(splitmix64& rng, phone_book& phones, const generate_options& options, int index) {
  generated_firm f;
  char id[32];
  std::snprintf(id, sizeof id, "%06d", options.first_number + index);
  f.firm_id = options.id_prefix + id;
  f.region = std::string(regions[rng.weighted(region_weights)]);
  f.sector = std::string(sectors[rng.weighted(sector_weights)]);
  f.fte = firm_size(rng);
  if (f.region == "VLA")
    f.language = "nl";
  else if (f.region == "WAL")
    f.language = "fr";
  else
    f.language = rng.chance_permille(700) ? "fr" : "nl";
  f.company = synthetic::company_name(rng, f.sector, f.language);
  if (!rng.chance_permille(100)) f.contact_name = synthetic::person_name(rng, f.language);
  // Small firms often give a mobile number; a second number is usually the other kind.
  bool first_mobile = rng.chance_permille(250);
  f.phones.push_back(phones.fresh([&] { return first_mobile ? mobile(rng) : landline(rng, f.region); }));
  if (rng.chance_permille(150)) {
    bool second_mobile = first_mobile ? rng.chance_permille(300) : rng.chance_permille(600);
    f.phones.push_back(phones.fresh([&] { return second_mobile ? mobile(rng) : landline(rng, f.region); }));
  }
  return f;
}

std::string join_phones(const std::vector<std::string>& phones) {
  std::string out;
  for (const auto& p : phones) out += (out.empty() ? "" : ";") + p;
  return out;
}

// The value of frame variable `name` for firm `f`; nullopt for a variable the generator does not know.
std::optional<std::string> value_of(const generated_firm& f, std::string_view name) {
  if (name == "company") return f.company;
  if (name == "phone") return join_phones(f.phones);
  if (name == "contact_name") return f.contact_name;
  if (name == "region") return f.region;
  if (name == "sector_frame") return f.sector;
  if (name == "fte_frame") return std::to_string(f.fte);
  if (name == "language") return f.language;
  return std::nullopt;
}

// The study must accept every value the generator makes.
std::optional<error> check_study(const questionnaire& study) {
  auto needs_codes = [&](std::string_view var, std::span<const std::string_view> codes) -> std::optional<error> {
    const frame_variable* v = study.find_frame(var);
    if (!v) return error{"the study has no frame variable '" + std::string(var) + "'"};
    for (auto code : codes)
      if (std::none_of(v->codes.begin(), v->codes.end(), [&](auto& c) { return c.value == code; }))
        return error{"frame variable '" + std::string(var) + "' has no code '" + std::string(code) + "'"};
    return std::nullopt;
  };
  if (auto e = needs_codes("region", regions)) return e;
  if (auto e = needs_codes("sector_frame", sectors)) return e;
  for (std::string_view lang : {"nl", "fr"})
    if (std::find(study.languages.begin(), study.languages.end(), lang) == study.languages.end())
      return error{"the study has no language '" + std::string(lang) + "'"};
  generated_firm probe;
  for (const auto& v : study.frame)
    if (!value_of(probe, v.name) && !v.optional)
      return error{"the generator cannot fill frame variable '" + v.name + "'"};
  return std::nullopt;
}

}  // namespace

std::vector<generated_firm> generate_firms(const generate_options& options) {
  splitmix64 rng(options.seed);
  phone_book phones;
  std::vector<generated_firm> firms;
  firms.reserve(static_cast<std::size_t>(std::max(options.count, 0)));
  for (int i = 0; i < options.count; ++i) firms.push_back(make_firm(rng, phones, options, i));
  return firms;
}

result<std::string> generate_sample_csv(const questionnaire& study, const generate_options& options) {
  if (options.count < 0) return error{"--count must not be negative"};
  if (auto e = check_study(study)) return *e;
  std::vector<std::string> header{std::string(firm_id_column)};
  for (const auto& v : study.frame) header.push_back(v.name);
  std::string out = csv_line(header);
  for (const auto& f : generate_firms(options)) {
    std::vector<std::string> row{f.firm_id};
    for (const auto& v : study.frame) row.push_back(value_of(f, v.name).value_or(""));
    out += csv_line(row);
  }
  return out;
}

}  // namespace cati::core
