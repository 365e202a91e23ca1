#include "core/report/export_calls.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "core/calling/case_record.hpp"
#include "core/calling/disposition.hpp"

namespace cati::core {
namespace {

export_variable variable(std::string name, std::string label, storage_type type,
                         display_format format = display_format::integer,
                         measure_level measure = measure_level::scale) {
  export_variable v;
  v.name = std::move(name);
  v.label = std::move(label);
  v.type = type;
  v.format = type == storage_type::text ? display_format::text : format;
  v.measure = type == storage_type::text ? measure_level::nominal : measure;
  v.width = type == storage_type::text ? 0 : format == display_format::datetime ? 20 : 8;
  v.decimals = format == display_format::decimal ? 2 : 0;
  v.base = "every call attempt";
  return v;
}

export_cell text(std::string t) { return {absence::none, std::nullopt, std::move(t)}; }
export_cell number(std::optional<double> n) { return {absence::none, n, {}}; }

std::string pseudonym(const char* prefix, std::size_t n, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%0*zu", prefix, digits, n);
  return buf;
}

}  // namespace

result<export_dataset> calls_dataset(const questionnaire& study, const export_settings& settings,
                                     std::span<const logged_call> calls) {
  export_dataset data;
  data.label = study.id + " " + study.version + " call attempts";
  auto& vars = data.variables;
  if (settings.include_contact) {
    vars.push_back(variable("case_id", "Case number (sample order)", storage_type::number));
    vars.push_back(variable("firm_id", builtin_label("firm_id", settings.lang), storage_type::text));
  }
  vars.push_back(variable("case_ref", "Case pseudonym (this file only)", storage_type::text));
  vars.push_back(variable("respondent_id", builtin_label("respondent_id", settings.lang), storage_type::text));
  vars.push_back(variable("call", "Call attempt number within the case", storage_type::number));
  vars.push_back(variable("time", "Time of the call (UTC)", storage_type::number, display_format::datetime));
  vars.push_back(variable("number", "Number dialled (1 = first of the firm; 0 = not logged)", storage_type::number,
                          display_format::integer, measure_level::nominal));
  vars.push_back(variable("outcome", "Outcome of the call", storage_type::text));
  vars.push_back(variable("aapor_code", "AAPOR code of the call", storage_type::text));
  vars.push_back(variable("interviewer_id", builtin_label("interviewer_id", settings.lang), storage_type::number,
                          display_format::integer, measure_level::nominal));
  vars.push_back(variable("duration", "Interview minutes carried by the call (suspensions left out)",
                          storage_type::number, display_format::decimal));
  if (auto st = check_names(vars); !st) return st.err();

  // Pseudonyms in order of first call, so that the sample order (case_id) does not show through.
  std::map<std::int64_t, std::pair<time_point, std::int64_t>> first_call;  // case -> (first call, case)
  for (const auto& c : calls) {
    auto [it, fresh] = first_call.try_emplace(c.case_id, c.at, c.case_id);
    if (!fresh && c.at < it->second.first) it->second.first = c.at;
  }
  std::set<std::pair<time_point, std::int64_t>> order;
  for (const auto& [id, first] : first_call) order.insert(first);
  std::map<std::int64_t, std::string> refs;
  for (const auto& [at, id] : order) refs[id] = pseudonym("C", refs.size() + 1, 4);

  std::set<std::int64_t> interviewers;
  std::int64_t current = -1;
  bool eligible = false, message = false;
  int seq = 0;
  for (const auto& c : calls) {
    if (c.case_id != current) {
      current = c.case_id;
      eligible = message = false;
      seq = 0;
    }
    eligible = eligible || contact_of(c.result) == contact_kind::human;
    message = message || c.result == outcome::answering_machine_message;
    std::vector<export_cell> row;
    if (settings.include_contact) {
      row.push_back(number(static_cast<double>(c.case_id)));
      row.push_back(text(c.firm_id));
    }
    row.push_back(text(refs[c.case_id]));
    row.push_back(text(c.respondent_id));
    row.push_back(number(++seq));
    row.push_back(number(static_cast<double>(c.at.time_since_epoch().count()) / 1000.0));
    row.push_back(number(c.number + 1));
    row.push_back(text(std::string(to_string(c.result))));
    call_attempt attempt;
    attempt.result = c.result;
    attempt.partial = c.partial;
    row.push_back(text(std::string(code_text(code_of(attempt, eligible, message)))));
    row.push_back(number(static_cast<double>(c.interviewer_id)));
    row.push_back(number(c.duration_minutes));
    interviewers.insert(c.interviewer_id);
    data.rows.push_back(std::move(row));
  }
  if (auto i = data.find("interviewer_id"))
    for (auto id : interviewers)
      data.variables[*i].values.push_back({static_cast<double>(id), interviewer_pseudonym(id)});
  fit_text_widths(data);
  return data;
}

}  // namespace cati::core
