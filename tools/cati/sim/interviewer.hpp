// A simulated interviewer: works shifts (a morning, an afternoon or both, in the study's calling hours),
// logs in at the start of each and out at its end, takes a short break in a long one, asks the server for
// the next firm, dials it (the firm_model decides what happens on the line), codes the outcome or runs
// the interview question by question, and now and then loses the connection mid-interview (the relay is
// cut; the client library's journal carries the answers through).
//
// The driver calls step() when the interviewer's next event is due (next_at()); step() does the one
// action due then (a request or two, each waited for) and sets the next event's time. Everything the
// interviewer decides comes from its own generator and its firms' generators, so the same seed gives the
// same fieldwork.
//
// Thread-safety: none; the driver thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/util/splitmix64.hpp"
#include "sim/link_cutter.hpp"
#include "sim/server_process.hpp"
#include "sim/sim_world.hpp"
#include "sim/terminal.hpp"

namespace cati::tool::sim {

struct work_block {
  core::time_point begin, end;  // logged in from begin to end (a call in progress runs over)
  std::optional<core::time_point> break_begin, break_end;
};

// The shifts of interviewer `index` over the given calling periods, drawn from `seed`.
std::vector<work_block> draw_shifts(int index, std::uint64_t seed, const std::vector<core::calendar::slot>& slots);

class interviewer {
 public:
  interviewer(int index, sim_account account, std::vector<work_block> blocks, std::uint16_t server_port,
              const std::filesystem::path& journal_dir, sim_world& world);

  // The time of the next event; nullopt when this interviewer is done.
  std::optional<core::time_point> next_at() const;
  void step(core::time_point now);
  // Logs out if still logged in (the end of the simulation).
  void finish();
  // Logged out between two shifts (or done): a server restart does not touch this interviewer's work.
  bool off() const { return phase_ == phase::off; }
  // A restarted server's port: the next connection of this interviewer's terminal goes there.
  void redirect(std::uint16_t server_port) { link_.redirect(server_port); }

 private:
  enum class phase { off, ready, on_call, interviewing };

  void begin_block(core::time_point now);
  void end_block(core::time_point now);
  void ask_case(core::time_point now);
  void make_call(core::time_point now);
  void interview_step(core::time_point now);
  void after_screen(const v1::ServerMessage& reply, core::time_point now);
  std::string value_for(const v1::Screen& s) const;
  std::string appointment_time(core::time_point now, int minutes_ahead) const;
  core::time_point wrap_up(core::time_point now);

  int index_;
  sim_account account_;
  std::vector<work_block> blocks_;
  std::size_t block_ = 0;
  sim_world& world_;
  core::splitmix64 rng_;
  link_cutter link_;
  terminal terminal_;

  phase phase_ = phase::off;
  std::optional<core::time_point> next_;
  core::time_point logged_in_at_{};
  // The call in progress.
  v1::CaseCard card_;
  firm_model* firm_ = nullptr;
  call_plan plan_;
  v1::Screen screen_;
  std::string s1_value_;
  int asked_ = 0;  // screens answered in this sitting of the interview
};

}  // namespace cati::tool::sim
