#include "core/report/supervisor_status.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/report/report_breakdown.hpp"

namespace cati::core {

namespace sc = std::chrono;

// --- progress ----------------------------------------------------------------------------------------

std::vector<day_progress> progress_by_day(std::span<const case_record> cases, const calendar& cal, int target,
                                          time_point now) {
  const int days = cal.days();
  std::vector<day_progress> out(static_cast<std::size_t>(std::max(days, 0)));
  if (out.empty()) return out;

  // The plan follows calling time: the cumulative share of the window's calling minutes by each day's end.
  std::vector<double> calling(out.size(), 0.0);
  double total_calling = 0;
  for (const auto& s : cal.slots()) {
    if (s.day < 0 || s.day >= days) continue;
    const double m = sc::duration<double, std::ratio<60>>(s.end - s.begin).count();
    calling[static_cast<std::size_t>(s.day)] += m;
    total_calling += m;
  }

  for (const auto& c : cases)
    for (const auto& call : c.calls)
      if (call.result == outcome::complete && call.at <= now)
        ++out[static_cast<std::size_t>(std::clamp(cal.day_index(call.at), 0, days - 1))].completes;

  const sc::sys_days first{cal.local_date(cal.opens())};
  double planned_minutes = 0;
  int cumulative = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& d = out[i];
    d.date = format_date(sc::year_month_day{first + sc::days{static_cast<int>(i)}});
    planned_minutes += calling[i];
    // No calling time at all: the whole target is due on the last day.
    const double share = total_calling > 0 ? planned_minutes / total_calling : (i + 1 == out.size() ? 1.0 : 0.0);
    d.planned_cumulative = static_cast<int>(std::lround(share * target));
    cumulative += d.completes;
    d.cumulative = cumulative;
  }
  return out;
}

// --- dispositions and rates --------------------------------------------------------------------------

std::vector<rate_group> rates_by(std::span<const case_record> cases, const questionnaire& study,
                                 const calendar& cal, std::string_view by, time_point now) {
  std::vector<rate_group> out;
  auto grouped = make_breakdown(by, study, cal);
  if (!grouped || by == "overall") {
    auto all = tabulate_report(cases, now, make_breakdown("overall", study, cal).value());
    out.push_back({"all", all.total.counts, all.total.rates});
    return out;
  }
  auto report = tabulate_report(cases, now, grouped.value());
  out.push_back({"all", report.total.counts, report.total.rates});
  for (auto& col : report.columns)
    if (!col.group.empty()) out.push_back({std::move(col.group), col.counts, col.rates});
  return out;
}

// --- interviewers ------------------------------------------------------------------------------------

std::string_view to_string(interviewer_activity a) {
  switch (a) {
    case interviewer_activity::idle: return "idle";
    case interviewer_activity::calling: return "calling";
    case interviewer_activity::interviewing: return "interviewing";
  }
  return "idle";
}

namespace {

struct day_work {
  int calls = 0;
  int completes = 0;
  time_point first = time_point::max();
  time_point last = time_point::min();
};

// Below this, a rate per hour says more about the division than about the interviewer.
constexpr sc::minutes shortest_shift{15};

}  // namespace

std::vector<interviewer_row> interviewer_rows(std::span<const case_record> cases,
                                              std::span<const interview_span> interviews,
                                              std::span<const interviewer_presence> presence, const calendar& cal,
                                              time_point now) {
  const int today = cal.day_index(now);
  std::map<std::string, day_work, std::less<>> work;
  for (const auto& c : cases)
    for (const auto& call : c.calls) {
      if (call.at > now || call.interviewer.empty() || cal.day_index(call.at) != today) continue;
      auto& w = work[call.interviewer];
      ++w.calls;
      if (call.result == outcome::complete) ++w.completes;
      w.first = std::min(w.first, call.at);
      w.last = std::max(w.last, call.at);
    }

  std::map<std::string, interviewer_row, std::less<>> rows;
  for (const auto& p : presence) {
    auto& r = rows[p.name];
    r.name = p.name;
    r.online = r.online || p.online;
    if (p.activity != interviewer_activity::idle) r.activity = p.activity;
  }
  for (const auto& [name, w] : work) {
    auto& r = rows[name];
    r.name = name;
    r.calls = w.calls;
    r.completes = w.completes;
    const time_point end = r.online ? std::max(now, w.last) : w.last;
    const auto span = std::max<sc::duration<double>>(end - w.first, shortest_shift);
    const double hours = sc::duration<double, std::ratio<3600>>(span).count();
    r.calls_per_hour = w.calls / hours;
    r.completes_per_hour = w.completes / hours;
  }

  std::map<std::string, std::pair<double, int>, std::less<>> lengths;  // minutes summed, interviews
  for (const auto& iv : interviews) {
    if (!iv.complete || iv.ended < iv.started || iv.ended > now) continue;
    auto& l = lengths[iv.interviewer];
    l.first += sc::duration<double, std::ratio<60>>(iv.ended - iv.started).count();
    ++l.second;
  }
  std::vector<interviewer_row> out;
  out.reserve(rows.size());
  for (auto& [name, r] : rows) {
    if (auto l = lengths.find(name); l != lengths.end()) r.mean_interview_minutes = l->second.first / l->second.second;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cati::core
