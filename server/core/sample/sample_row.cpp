#include "core/sample/sample_row.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/report/csv.hpp"

namespace cati::core {
namespace {

constexpr std::size_t absent = static_cast<std::size_t>(-1);

std::string trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

template <class Range, class Name>
std::string join(const Range& items, Name name) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += name(item);
  }
  return out;
}

// Firm ids end up in file names, logs and exports: keep them to plain characters.
bool valid_firm_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

bool valid_integer(std::string_view s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && end == s.data() + s.size();
}

// Which column holds the firm id and each frame variable.
struct column_plan {
  std::size_t width = 0;
  std::size_t firm_id = absent;
  std::vector<std::pair<const frame_variable*, std::size_t>> variables;
};

std::optional<column_plan> plan_columns(const csv_record& header, const questionnaire& study,
                                        std::vector<sample_problem>& problems) {
  column_plan plan;
  plan.width = header.fields.size();
  std::map<std::string, std::size_t, std::less<>> index;
  std::size_t before = problems.size();
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = trim(header.fields[i]);
    if (name.empty()) {
      problems.push_back({header.line, "column " + std::to_string(i + 1) + " has no name"});
    } else if (!index.emplace(name, i).second) {
      problems.push_back({header.line, "column " + quoted(name) + " appears twice"});
    } else if (name != firm_id_column && !study.find_frame(name)) {
      problems.push_back({header.line, "unknown column " + quoted(name) + " (expected firm_id and " +
                                           join(study.frame, [](auto& v) { return v.name; }) + ")"});
    }
  }
  if (auto it = index.find(firm_id_column); it != index.end())
    plan.firm_id = it->second;
  else
    problems.push_back({header.line, "missing column 'firm_id'"});
  for (const auto& var : study.frame) {
    auto it = index.find(var.name);
    if (it == index.end() && !var.optional)
      problems.push_back({header.line, "missing column " + quoted(var.name)});
    plan.variables.emplace_back(&var, it == index.end() ? absent : it->second);
  }
  if (problems.size() != before) return std::nullopt;
  return plan;
}

// Checks one value of a code, integer or language variable; "" when it is fine.
std::string check_value(const frame_variable& var, const std::string& value, const questionnaire& study) {
  switch (var.type) {
    case variable_type::code:
      if (std::none_of(var.codes.begin(), var.codes.end(), [&](auto& c) { return c.value == value; }))
        return "unknown " + var.name + " code " + quoted(value) + " (expected " +
               join(var.codes, [](auto& c) { return c.value; }) + ")";
      return {};
    case variable_type::integer:
      if (!valid_integer(value)) return var.name + ": " + quoted(value) + " is not a whole number";
      return {};
    case variable_type::language:
      if (std::find(study.languages.begin(), study.languages.end(), value) == study.languages.end())
        return "unknown language " + quoted(value) + " in " + var.name + " (the study has " +
               join(study.languages, [](auto& l) { return l; }) + ")";
      return {};
    case variable_type::text:
    case variable_type::phone:
      return {};
  }
  return {};
}

// The state of a whole-file check: what was seen where, for duplicates.
class frame_checker {
 public:
  frame_checker(const questionnaire& study, const column_plan& plan, sample_frame& out)
      : study_(study), plan_(plan), out_(out) {}

  void row(const csv_record& rec) {
    sample_case c;
    c.line = rec.line;
    bad_ = false;
    check_firm_id(c, trim(rec.fields[plan_.firm_id]));
    for (const auto& [var, column] : plan_.variables)
      check_variable(c, *var, column == absent ? std::string() : trim(rec.fields[column]));
    if (c.language.empty()) c.language = study_.default_language;
    if (!bad_) out_.cases.push_back(std::move(c));
  }

  void problem(int line, std::string message) {
    bad_ = true;
    out_.problems.push_back({line, std::move(message)});
  }

 private:
  void check_firm_id(sample_case& c, std::string id) {
    if (id.empty()) return problem(c.line, "missing firm_id");
    if (!valid_firm_id(id))
      return problem(c.line, "firm_id " + quoted(id) + " may hold only letters, digits and - _ . /");
    if (auto [it, fresh] = firm_lines_.emplace(id, c.line); !fresh)
      return problem(c.line, "duplicate firm id " + quoted(id) + " (also on line " +
                                 std::to_string(it->second) + ")");
    c.firm_id = std::move(id);
  }

  void check_variable(sample_case& c, const frame_variable& var, std::string value) {
    if (value.empty()) {
      if (!var.optional) problem(c.line, "missing " + var.name);
      return;
    }
    if (var.type == variable_type::phone) return check_phones(c, value);
    if (auto message = check_value(var, value, study_); !message.empty()) return problem(c.line, message);
    if (var.type == variable_type::language) c.language = value;
    (var.contact_data ? c.contact : c.frame)[var.name] = std::move(value);
  }

  void check_phones(sample_case& c, std::string_view field) {
    while (true) {
      auto semi = field.find(';');
      std::string number = trim(field.substr(0, semi));
      if (!is_belgian_e164(number)) {
        problem(c.line, "bad phone number " + quoted(number) +
                            ": expected E.164, +32 followed by 8 or 9 digits (several separated by ';')");
      } else if (auto [it, fresh] = phone_lines_.emplace(number, c.line); !fresh) {
        problem(c.line, "duplicate phone number " + number + " (also on line " + std::to_string(it->second) +
                            ")");
      } else {
        c.phones.push_back(std::move(number));
      }
      if (semi == std::string_view::npos) break;
      field.remove_prefix(semi + 1);
    }
  }

  const questionnaire& study_;
  const column_plan& plan_;
  sample_frame& out_;
  bool bad_ = false;
  std::map<std::string, int, std::less<>> firm_lines_;
  std::map<std::string, int, std::less<>> phone_lines_;
};

}  // namespace

std::string sample_problem::to_string(std::string_view file) const {
  return std::string(file) + ":" + std::to_string(line) + ": " + message;
}

bool is_belgian_e164(std::string_view number) {
  if (number.substr(0, 3) != "+32") return false;
  auto digits = number.substr(3);
  return (digits.size() == 8 || digits.size() == 9) && digits.front() != '0' &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void sort_problems(std::vector<sample_problem>& problems) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const sample_problem& a, const sample_problem& b) { return a.line < b.line; });
}

sample_frame parse_sample_frame(std::string_view csv_text, const questionnaire& study) {
  sample_frame out;
  csv_reader reader(csv_text);
  auto header = reader.next();
  if (!header) {
    out.problems.push_back({1, "the file is empty: expected a header line (firm_id, ...)"});
    return out;
  }
  auto plan = plan_columns(*header, study, out.problems);
  if (!plan) return out;  // rows cannot be read against a header that is wrong
  frame_checker checker(study, *plan, out);
  while (auto rec = reader.next()) {
    if (rec->fields.size() == 1 && trim(rec->fields[0]).empty()) continue;  // blank line
    if (!reader.error().empty()) {
      checker.problem(rec->line, reader.error());
    } else if (rec->fields.size() != plan->width) {
      checker.problem(rec->line, "expected " + std::to_string(plan->width) + " fields, found " +
                                     std::to_string(rec->fields.size()));
    } else {
      checker.row(*rec);
    }
  }
  return out;
}

}  // namespace cati::core
