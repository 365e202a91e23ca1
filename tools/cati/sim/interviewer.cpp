#include "sim/interviewer.hpp"

#include <array>

#include "core/ports/clock_spec.hpp"

namespace cati::tool::sim {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

core::time_point plus(core::time_point t, std::chrono::seconds s) {
  return t + std::chrono::duration_cast<core::milliseconds>(s);
}

int sector_code(const std::string& frame_value) {
  if (frame_value == "commerce") return 2;
  if (frame_value == "industry") return 3;
  return 1;
}

int int_or(const std::string& text, int fallback) {
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace

std::vector<work_block> draw_shifts(int index, std::uint64_t seed, const std::vector<core::calendar::slot>& slots) {
  core::splitmix64 rng(seed ^ (0x5157'0000ULL + static_cast<std::uint64_t>(index)));
  std::vector<work_block> out;
  // Per day: the morning only, the afternoon only, both, or a day off.
  const std::array<std::uint32_t, 4> pattern_weights = {30, 35, 25, 10};
  std::size_t i = 0;
  while (i < slots.size()) {
    const int day = slots[i].day;
    const auto pattern = rng.weighted(pattern_weights);
    int part = 0;
    for (; i < slots.size() && slots[i].day == day; ++i, ++part) {
      const bool works = pattern == 2 || (pattern == 0 && part == 0) || (pattern == 1 && part == 1);
      if (!works) continue;
      work_block b;
      b.begin = slots[i].begin + minutes(rng.below(10));
      b.end = slots[i].end - minutes(rng.below(6));
      // A break of a quarter of an hour halfway through a long block, ten minutes in a short one now and then.
      const auto length = b.end - b.begin;
      if (length >= std::chrono::hours(3) + minutes(30) || rng.chance_permille(500)) {
        b.break_begin = b.begin + std::chrono::duration_cast<core::milliseconds>(length / 2);
        b.break_end = *b.break_begin + minutes(length >= std::chrono::hours(3) + minutes(30) ? 15 : 10);
      }
      out.push_back(b);
    }
  }
  return out;
}

interviewer::interviewer(int index, sim_account account, std::vector<work_block> blocks, std::uint16_t server_port,
                         const std::filesystem::path& journal_dir, sim_world& world)
    : index_(index),
      account_(std::move(account)),
      blocks_(std::move(blocks)),
      world_(world),
      rng_(world.seed ^ (0x1a7e'0000ULL + static_cast<std::uint64_t>(index))),
      link_(server_port),
      terminal_(account_.name, link_.url(), journal_dir, world.seed + static_cast<std::uint64_t>(index) + 1) {
  if (!blocks_.empty()) next_ = blocks_.front().begin;
}

std::optional<core::time_point> interviewer::next_at() const { return next_; }

void interviewer::step(core::time_point now) {
  switch (phase_) {
    case phase::off: begin_block(now); return;
    case phase::ready: ask_case(now); return;
    case phase::on_call: make_call(now); return;
    case phase::interviewing: interview_step(now); return;
  }
}

void interviewer::finish() {
  if (phase_ != phase::off) end_block(world_.end);
  world_.tallies[static_cast<std::size_t>(index_)].reconnects = terminal_.reconnects();
}

void interviewer::begin_block(core::time_point now) {
  if (world_.quotas_filled()) {
    next_.reset();
    return;
  }
  auto reply = terminal_.login(account_.name, account_.password);
  if (!reply.has_login_ok()) throw terminal_error(account_.name + ": Login answered with " + reply.DebugString());
  ++world_.tallies[static_cast<std::size_t>(index_)].shifts;
  logged_in_at_ = now;
  phase_ = phase::ready;
  next_ = plus(now, seconds(rng_.below(60)));  // settling in: coffee, headset
}

void interviewer::end_block(core::time_point now) {
  terminal_.logout();
  world_.tallies[static_cast<std::size_t>(index_)].minutes_logged_in +=
      std::chrono::duration<double, std::ratio<60>>(now - logged_in_at_).count();
  phase_ = phase::off;
  ++block_;
  if (block_ < blocks_.size() && !world_.quotas_filled()) {
    next_ = std::max(blocks_[block_].begin, now);
  } else {
    next_.reset();
  }
}

core::time_point interviewer::wrap_up(core::time_point now) { return plus(now, seconds(15 + rng_.below(31))); }

void interviewer::ask_case(core::time_point now) {
  const auto& block = blocks_[block_];
  if (world_.quotas_filled() || now >= block.end) {
    end_block(now);
    return;
  }
  if (block.break_begin && now >= *block.break_begin && now < *block.break_end) {
    next_ = *block.break_end;
    return;
  }
  auto reply = terminal_.next_case();
  if (reply.has_case_card()) {
    card_ = reply.case_card();
    const auto& frame = card_.frame();
    const auto fte = frame.find("fte_frame");
    const auto sector = frame.find("sector_frame");
    const auto region = frame.find("region");
    firm_ = &world_.firm(card_.firm_id(), fte == frame.end() ? 1 : int_or(fte->second, 1),
                         sector_code(sector == frame.end() ? std::string() : sector->second),
                         region == frame.end() ? std::string() : region->second);
    plan_ = firm_->dial({!card_.appointment_at().empty(), !card_.interview_id().empty()});
    phase_ = phase::on_call;
    // Reading the card and dialling come before the line does anything.
    next_ = plus(now, seconds(20 + rng_.below(21)) + plan_.duration);
    return;
  }
  if (!reply.has_no_case()) throw terminal_error(account_.name + ": NextCase answered with " + reply.DebugString());
  // Nothing to call now: wait until the server says something may be due (at least a couple of
  // minutes: the interviewer does something else meanwhile), or the end of the block.
  auto later = now + minutes(2);
  const auto& no_case = reply.no_case();
  if (no_case.reason() == v1::NoCase::ALL_FINISHED || no_case.reason() == v1::NoCase::WINDOW_CLOSED) {
    later = block.end;
  } else if (auto t = core::parse_instant(no_case.next_at()); !no_case.next_at().empty() && t) {
    later = std::max(later, *t);
  } else {
    later = now + minutes(10);
  }
  next_ = std::min(later, block.end);
}

std::string interviewer::appointment_time(core::time_point now, int minutes_ahead) const {
  auto t = now + minutes(minutes_ahead);
  t = std::chrono::ceil<minutes>(t);
  t += minutes((5 - std::chrono::floor<minutes>(t).time_since_epoch().count() % 5) % 5);
  auto at = world_.cal->next_calling_time(t);
  if (!at || *at >= world_.end) return {};
  // Not in the last minutes of a calling period: the interview would not fit.
  if (const auto* slot = world_.cal->slot_at(*at); slot && slot->end - *at < minutes(15)) {
    at = world_.cal->next_calling_time(slot->end);
    if (!at || *at >= world_.end) return {};
  }
  return core::format_instant(*at);
}

void interviewer::make_call(core::time_point now) {
  if (plan_.interview) {
    s1_value_ = card_.interview_id().empty() ? firm_->decider_answer() : "1";
    asked_ = 0;
    after_screen(terminal_.start_interview(card_.language()), now);
    return;
  }
  client::call_report report;
  report.outcome = plan_.outcome;
  report.number = card_.number_to_dial();
  if (plan_.outcome == v1::APPOINTMENT) {
    report.appointment_at = appointment_time(now, plan_.appointment_after_minutes);
    report.personal_appointment = plan_.personal;
    // No calling time left in the fieldwork for it: the firm is told "we will try again".
    if (report.appointment_at.empty()) report.outcome = v1::CALLBACK;
  }
  terminal_.record_call(std::move(report));
  phase_ = phase::ready;
  next_ = wrap_up(now);
}

std::string interviewer::value_for(const v1::Screen& s) const {
  if (s.question() == "s1_decider") return s1_value_;
  const auto& sheet = firm_->answers();
  if (auto it = sheet.find(s.question()); it != sheet.end()) return it->second;
  // A question the model does not know (another study): the first real choice, a number, some text.
  switch (s.type()) {
    case v1::NOTE: return "";
    case v1::SINGLE:
    case v1::MULTIPLE:
      for (const auto& c : s.choices())
        if (!c.missing()) return std::to_string(c.code());
      return "";
    case v1::INTEGER_NUMBER:
    case v1::DECIMAL_NUMBER: return "1";
    default: return "no comment";
  }
}

void interviewer::interview_step(core::time_point now) {
  if (firm_->breaks_off_at(asked_)) {
    client::suspend_report r;
    r.outcome = v1::BREAK_OFF;
    r.note = "respondent called away";
    after_screen(terminal_.suspend(std::move(r)), now);
    return;
  }
  const std::string value = value_for(screen_);
  // Now and then the office network drops, right after an answer went out: the journal resends it.
  const bool cut = rng_.chance_permille(4);
  auto reply = terminal_.answer(value, cut ? std::function<void()>([this] { link_.cut(); }) : nullptr);
  if (cut) ++world_.tallies[static_cast<std::size_t>(index_)].cuts;
  // A note is acknowledged but stores no answer row (nothing was answered), so it is not counted.
  if (screen_.type() != v1::NOTE) world_.sent[screen_.interview_id()].answers.emplace_back(screen_.question(), value);
  ++asked_;
  after_screen(reply, now);
}

void interviewer::after_screen(const v1::ServerMessage& reply, core::time_point now) {
  if (reply.has_screen()) {
    screen_ = reply.screen();
    phase_ = phase::interviewing;
    next_ = plus(now, seconds(firm_->seconds_for(screen_.type(), screen_.choices_size())));
    return;
  }
  if (!reply.has_interview_end()) throw terminal_error(account_.name + ": unexpected reply " + reply.DebugString());
  if (reply.interview_end().outcome() == v1::COMPLETE) {
    ++world_.completes;
    if (world_.quotas_filled() && !world_.filled_at) world_.filled_at = now;
  }
  phase_ = phase::ready;
  next_ = wrap_up(now);
}

}  // namespace cati::tool::sim
