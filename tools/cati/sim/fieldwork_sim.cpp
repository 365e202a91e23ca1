#include "sim/fieldwork_sim.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "core/ports/clock_spec.hpp"
#include "schema/loader.hpp"
#include "sample_release.hpp"
#include "sim/interviewer.hpp"
#include "sim/interrupt.hpp"
#include "sim/release_manager.hpp"
#include "sim/server_process.hpp"
#include "sim/sim_report.hpp"

namespace cati::tool::sim {
namespace {

namespace fs = std::filesystem;

// Interviewer i's account: Belgian call centres staff Dutch and French lines, some people do both.
std::vector<sim_account> accounts(int count, std::uint64_t seed) {
  std::vector<sim_account> out;
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "sim%02d", i + 1);
    std::vector<std::string> languages;
    switch (i % 4) {
      case 0: languages = {"nl", "fr"}; break;
      case 3: languages = {"fr"}; break;
      default: languages = {"nl"}; break;
    }
    out.push_back({name, "sim-" + std::to_string(seed) + "-" + name + "-secret", languages});
  }
  return out;
}

// "ws://127.0.0.1:8080" -> 8080. The relays connect to the loopback address only.
std::uint16_t loopback_port(const std::string& url) {
  for (const std::string prefix : {"ws://127.0.0.1:", "ws://localhost:"}) {
    if (url.rfind(prefix, 0) != 0) continue;
    try {
      const int port = std::stoi(url.substr(prefix.size()));
      if (port > 0 && port < 65536) return static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
    }
  }
  throw std::runtime_error("--server: expected ws://127.0.0.1:PORT (a server on this machine), got '" + url + "'");
}

// The calling periods simulated: those of the first `days` fieldwork days.
std::vector<core::calendar::slot> simulated_slots(const core::calendar& cal, std::optional<int> days) {
  std::vector<core::calendar::slot> out;
  int seen = 0, last_day = -1;
  for (const auto& s : cal.slots()) {
    if (s.day != last_day) {
      if (days && seen == *days) break;
      ++seen;
      last_day = s.day;
    }
    out.push_back(s);
  }
  return out;
}

void remove_previous_run(const fs::path& out) {
  for (const char* f : {"fieldwork.db", "fieldwork.db-wal", "fieldwork.db-shm", "report.md", "server.log"})
    fs::remove(out / f);
  fs::remove_all(out / "journals");
  for (int n = 1; fs::exists(out / ("server-" + std::to_string(n) + ".log")); ++n)
    fs::remove(out / ("server-" + std::to_string(n) + ".log"));
}

// The manager's look at the released sample: releases what decide_release says, at `at`. Returns the
// replicates released.
std::vector<int> manage_release(const fs::path& db, const core::questionnaire& study, sim_world& world,
                                core::time_point at, int days_left) {
  std::vector<replicate_state> states;
  for (const auto& r : replicate_progress_of(db, study))
    if (r.replicate > 0) states.push_back({r.replicate, r.cases, r.released, r.worked_out, r.callable, r.completes});
  const auto decision = decide_release(states, world.total_target, world.completes, days_left);
  for (const int k : decision.release) release_replicate(db, k, at);
  if (!decision.release.empty()) world.releases.push_back({at, decision.release, decision.why});
  return decision.release;
}

}  // namespace

int run_simulation(const sim_options& o) {
  if (o.interviewers < 1) throw std::runtime_error("--interviewers: at least 1");
  auto study = schema::load_study_or_throw(o.study.string());
  auto cal = core::calendar::make(*study);
  if (!cal) throw std::runtime_error(o.study.string() + ": calendar: " + cal.err().message);
  const auto slots = simulated_slots(*cal, o.days);
  if (slots.empty()) throw std::runtime_error("the fieldwork window has no calling time to simulate");

  fs::create_directories(o.out);
  // SIGINT/SIGTERM: stop at the next step, the server stopped by its destructor, then end by the signal.
  const interrupt_guard interrupt_handling;
  const auto people = accounts(o.interviewers, o.seed);
  // The clock's driver logs in (the server refuses SetClock before a login) as a supervisor of its own.
  const sim_account driver{"sim-clock", "sim-" + std::to_string(o.seed) + "-clock-secret", {"nl"}, true};
  auto everyone = people;
  everyone.push_back(driver);
  fs::path db = o.out / "fieldwork.db";
  sim_world world;
  world.cal = &*cal;
  world.seed = o.seed;
  world.total_target = study->target_completes;
  world.end = slots.back().end;
  for (const auto& p : people) world.tallies.push_back({p.name});
  // The simulated days left from the day of `t` on, that day included.
  std::vector<int> day_indexes;
  for (const auto& sl : slots)
    if (day_indexes.empty() || day_indexes.back() != sl.day) day_indexes.push_back(sl.day);
  const auto days_left = [&](core::time_point t) {
    const int today = cal->day_index(t);
    return static_cast<int>(std::count_if(day_indexes.begin(), day_indexes.end(), [&](int d) { return d >= today; }));
  };
  if (o.release != "replicates" && o.release != "all") throw std::runtime_error("--release: replicates or all");
  const bool managing = o.server_url.empty() && o.release == "replicates";
  std::unique_ptr<server_process> server;
  std::uint16_t port = 0;
  if (o.server_url.empty()) {
    remove_previous_run(o.out);
    prepare_fieldwork(db, o.study, o.frame_size, everyone);
    if (managing) {
      world.release_mode = "replicates";
      world.replicate_count = o.replicates;
      split_replicates(db, *study, o.replicates, o.seed);
      manage_release(db, *study, world, slots.front().begin, days_left(slots.front().begin));
    }
    server = std::make_unique<server_process>(server_binary(), o.study, db,
                                              "manual:" + core::format_instant(slots.front().begin), o.out / "server.log");
    port = server->port();
  } else {
    if (o.server_db.empty()) throw std::runtime_error("--server needs --db: the server's fieldwork file, for accounts and the report");
    db = o.server_db;
    ensure_accounts(db, everyone);
    port = loopback_port(o.server_url);
  }


  const fs::path journals = o.out / "journals";
  std::vector<std::unique_ptr<interviewer>> staff;
  for (int i = 0; i < o.interviewers; ++i)
    staff.push_back(std::make_unique<interviewer>(i, people[static_cast<std::size_t>(i)], draw_shifts(i, o.seed, slots),
                                                  port, journals, world));
  auto clock = std::make_unique<terminal>("clock", "ws://127.0.0.1:" + std::to_string(port), fs::path{}, o.seed);
  clock->login(driver.name, driver.password);

  std::optional<core::time_point> server_now;
  int restarts = 0;  // each restart's log: server-N.log
  std::optional<int> last_day;
  while (true) {
    throw_if_interrupted();
    std::size_t next = staff.size();
    for (std::size_t i = 0; i < staff.size(); ++i) {
      const auto t = staff[i]->next_at();
      if (t && (next == staff.size() || *t < *staff[next]->next_at())) next = i;
    }
    if (next == staff.size()) break;
    const auto now = *staff[next]->next_at();
    // Overnight, with every interviewer logged out: the manager looks at the released sample, and a
    // release is taken up by restarting the server on it (a running server keeps the cases it loaded).
    const bool everyone_off = std::all_of(staff.begin(), staff.end(), [](const auto& s) { return s->off(); });
    if (managing && last_day && cal->day_index(now) != *last_day && everyone_off && !world.quotas_filled()) {
      if (!manage_release(db, *study, world, now, days_left(now)).empty()) {
        clock.reset();
        server->stop();
        server = std::make_unique<server_process>(server_binary(), o.study, db, "manual:" + core::format_instant(now),
                                                  o.out / ("server-" + std::to_string(++restarts) + ".log"));
        port = server->port();
        for (auto& s : staff) s->redirect(port);
        clock = std::make_unique<terminal>("clock", "ws://127.0.0.1:" + std::to_string(port), fs::path{}, o.seed);
        clock->login(driver.name, driver.password);
        server_now = now;
      }
    }
    if (!server_now || now > *server_now) {
      clock->set_clock(core::format_instant(now));
      server_now = now;
    }
    if (const int day = cal->day_index(now); !last_day || day != *last_day) {
      last_day = day;
      std::cerr << "cati sim: " << core::format_date(cal->local_date(now)) << ", " << world.completes << " completes so far\n";
    }
    staff[next]->step(now);
  }
  for (auto& s : staff) s->finish();
  staff.clear();
  clock.reset();
  if (server) server->stop();

  std::vector<core::time_point> day_starts;
  for (const auto& s : slots)
    if (day_starts.empty() || cal->day_index(day_starts.back()) != s.day) day_starts.push_back(s.begin);
  report_context ctx{&*study, &*cal, o.study, db, o.out, o.interviewers, o.frame_size, day_starts};
  const auto summary = write_report(ctx, world);
  // Which day the quotas were met on, when they were: the days after it were simulated with nothing
  // left to do, and "simulated 9 days" alone would hide it.
  std::string met = ", quotas not filled";
  if (world.filled_at) {
    const int day = cal->day_index(*world.filled_at);
    int nth = 0;
    for (const auto& d : day_starts)
      if (cal->day_index(d) <= day) ++nth;
    met = ", every quota met on fieldwork day " + std::to_string(nth) + " (" + core::format_date(cal->local_date(*world.filled_at)) + ")";
  } else if (o.days) {
    met = ", quotas not filled in the " + std::to_string(*o.days) + " day(s) asked for";
  }
  std::cout << "simulated " << day_starts.size() << " fieldwork day(s): " << world.completes << " completes" << met
            << "; answers lost " << summary.lost << ", doubled " << summary.doubled
            << "; report: " << (o.out / "report.md").string() << "\n";
  // With --days the run stops early on purpose: unfilled quotas are what was asked, not a failure.
  const bool quotas_ok = summary.quotas_met || (o.days && !world.filled_at && !summary.over);
  return quotas_ok && summary.lost == 0 && summary.doubled == 0 ? 0 : 1;
}

}  // namespace cati::tool::sim
