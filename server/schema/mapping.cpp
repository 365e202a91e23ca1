#include "schema/mapping.hpp"

#include <date/date.h>

#include <charconv>

namespace cati::schema {

namespace v1 = cati::v1;

// The domain enum mirrors the wire enum by value; keep them in step.
static_assert(static_cast<int>(core::outcome::technical_problem) == v1::TECHNICAL_PROBLEM);
static_assert(core::outcome_count == v1::Outcome_ARRAYSIZE);
static_assert(static_cast<int>(core::question_measure::scale) == v1::SCALE && static_cast<int>(core::question_measure::ordinal) == v1::ORDINAL);

namespace {

template <class Repeated>
core::localized localize(const Repeated& translations) {
  core::localized out;
  for (const auto& t : translations) out.by_lang[t.lang()] = t.text();
  return out;
}

core::expression parse_expr(const std::string& src) {
  auto parsed = core::expression::parse(src);
  return parsed ? std::move(parsed).value() : core::expression();  // lint already refused bad ones
}

core::question_type map_type(v1::QuestionType t) {
  switch (t) {
    case v1::SINGLE: return core::question_type::single;
    case v1::MULTIPLE: return core::question_type::multiple;
    case v1::INTEGER_NUMBER: return core::question_type::integer;
    case v1::DECIMAL_NUMBER: return core::question_type::decimal;
    case v1::FREE_TEXT: return core::question_type::text;
    default: return core::question_type::note;
  }
}

core::variable_type map_type(v1::VariableType t) {
  switch (t) {
    case v1::CODE: return core::variable_type::code;
    case v1::INTEGER: return core::variable_type::integer;
    case v1::PHONE: return core::variable_type::phone;
    case v1::LANGUAGE: return core::variable_type::language;
    default: return core::variable_type::text;
  }
}

core::cell_policy map_policy(v1::CellPolicy p) {
  switch (p) {
    case v1::ALLOW_OVER: return core::cell_policy::allow_over;
    case v1::COUNT_ONLY: return core::cell_policy::count_only;
    default: return core::cell_policy::normal;
  }
}

core::choice map_choice(const v1::Choice& c) {
  return {c.code(), localize(c.label()), c.missing(), c.specify(), c.fixed()};
}

}  // namespace

int parse_clock_time(std::string_view hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
  int h = 0, m = 0;
  auto r1 = std::from_chars(hhmm.data(), hhmm.data() + 2, h);
  auto r2 = std::from_chars(hhmm.data() + 3, hhmm.data() + 5, m);
  if (r1.ptr != hhmm.data() + 2 || r2.ptr != hhmm.data() + 5) return -1;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

bool is_valid_date(std::string_view ymd) {
  if (ymd.size() != 10 || ymd[4] != '-' || ymd[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  auto p = ymd.data();
  if (std::from_chars(p, p + 4, y).ptr != p + 4) return false;
  if (std::from_chars(p + 5, p + 7, m).ptr != p + 7) return false;
  if (std::from_chars(p + 8, p + 10, d).ptr != p + 10) return false;
  return date::year_month_day(date::year(y), date::month(static_cast<unsigned>(m)),
                              date::day(static_cast<unsigned>(d)))
      .ok();
}

core::questionnaire to_domain(const v1::Questionnaire& q) {
  core::questionnaire out;
  out.id = q.id();
  out.title = q.title();
  out.version = q.version();
  out.languages.assign(q.languages().begin(), q.languages().end());
  out.default_language = q.default_language().empty() && !out.languages.empty() ? out.languages.front()
                                                                                 : q.default_language();
  out.time_zone = q.time_zone();
  out.start_date = q.fieldwork().start_date();
  out.end_date = q.fieldwork().end_date();
  for (const auto& p : q.fieldwork().calling_hours()) {
    core::calling_period cp;
    for (int d : p.days()) cp.weekdays.push_back(d);
    cp.from_minute = parse_clock_time(p.from());
    cp.to_minute = parse_clock_time(p.to());
    cp.name = p.name();
    out.calling_hours.push_back(std::move(cp));
  }

  const auto& cr = q.call_rules();
  for (const auto& r : cr.rules()) {
    core::call_rule rule;
    rule.result = static_cast<core::outcome>(r.outcome());
    rule.retry_after_minutes = r.retry_after_minutes();
    rule.consecutive_per_attempt = r.consecutive_per_attempt() > 0 ? r.consecutive_per_attempt() : 1;
    rule.other_day_part = r.other_day_part();
    rule.max_per_case = r.max_per_case();
    rule.final = r.final();
    rule.by_supervisor_choice = r.by_supervisor_choice();
    out.rules.rules.push_back(rule);
  }
  // Zero means "not set" in proto3: keep the domain defaults (the seed spec's) then.
  if (cr.max_attempts() > 0) out.rules.max_attempts = cr.max_attempts();
  if (cr.min_days() > 0) out.rules.min_days = cr.min_days();
  out.rules.both_day_parts = cr.both_day_parts();
  if (cr.missed_appointment_retry_minutes() > 0)
    out.rules.missed_appointment_retry_minutes = cr.missed_appointment_retry_minutes();
  if (cr.appointment_grace_minutes() > 0) out.rules.appointment_grace_minutes = cr.appointment_grace_minutes();
  if (cr.case_lock_minutes() > 0) out.rules.case_lock_minutes = cr.case_lock_minutes();

  out.target_completes = q.target_completes();
  for (const auto& f : q.frame()) {
    core::frame_variable fv;
    fv.name = f.name();
    fv.type = map_type(f.type());
    fv.contact_data = f.contact_data();
    fv.optional = f.optional();
    for (const auto& c : f.codes()) fv.codes.push_back({c.value(), localize(c.label())});
    fv.label = localize(f.label());
    out.frame.push_back(std::move(fv));
  }

  for (const auto& src : q.questions()) {
    core::question qu;
    qu.name = src.name();
    qu.type = map_type(src.type());
    qu.label = localize(src.label());
    qu.hint = localize(src.hint());
    if (!src.choice_list().empty()) {
      for (const auto& list : q.choice_lists())
        if (list.name() == src.choice_list())
          for (const auto& c : list.choices()) qu.choices.push_back(map_choice(c));
    } else {
      for (const auto& c : src.choices()) qu.choices.push_back(map_choice(c));
    }
    qu.required = src.required();
    qu.relevant = parse_expr(src.relevant());
    qu.constraint = parse_expr(src.constraint());
    qu.constraint_message = localize(src.constraint_message());
    qu.randomize = src.randomize();
    qu.export_label = localize(src.export_label());
    qu.measure = static_cast<core::question_measure>(src.measure());
    qu.max_length = src.max_length();
    for (const auto& so : src.screen_out())
      qu.screen_outs.push_back({parse_expr(so.condition()), static_cast<core::outcome>(so.outcome()),
                                localize(so.message())});
    out.questions.push_back(std::move(qu));
  }
  // Link "other, specify" follow-ups back to the choice that opens them.
  for (const auto& qu : out.questions)
    for (const auto& c : qu.choices)
      if (!c.specify.empty())
        if (auto i = out.question_index(c.specify)) {
          out.questions[*i].specify_of = qu.name;
          out.questions[*i].specify_code = c.code;
        }

  for (const auto& qt : q.quotas()) {
    core::quota quo;
    quo.name = qt.name();
    quo.variables.assign(qt.variables().begin(), qt.variables().end());
    for (const auto& c : qt.cells())
      quo.cells.push_back({{c.values().begin(), c.values().end()}, c.target(), map_policy(c.policy()), c.label()});
    quo.label = localize(qt.label());
    out.quotas.push_back(std::move(quo));
  }
  out.quota_check_after = q.quota_check_after();
  out.partial_after = q.partial_after();
  return out;
}

}  // namespace cati::schema
