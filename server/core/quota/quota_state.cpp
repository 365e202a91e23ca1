#include "core/quota/quota_state.hpp"

#include <cassert>

namespace cati::core {

std::string to_string(const cell_id& cell) {
  std::string out = cell.quota + '[';
  for (std::size_t i = 0; i < cell.values.size(); ++i) {
    if (i > 0) out += ',';
    out += cell.values[i];
  }
  return out + ']';
}

namespace {

cell_record& cell_at(quota_state& state, const cell_id& cell) {
  auto it = state.cells.find(cell);
  assert(it != state.cells.end() && "event names a cell the state does not have");
  return it->second;
}

lease_record& lease_of(quota_state& state, interview_id interview) {
  auto it = state.leases.find(interview);
  assert(it != state.leases.end() && "event names a lease the state does not have");
  return it->second;
}

struct applier {
  quota_state& state;

  void operator()(const lease_taken& e) {
    assert(!state.leases.contains(e.interview));
    state.leases[e.interview] = lease_record{{e.cells.begin(), e.cells.end()}, e.deadline};
  }
  void operator()(const lease_moved& e) {
    auto& lease = lease_of(state, e.interview);
    for (const auto& c : e.dropped) lease.cells.erase(c);
    lease.cells.insert(e.added.begin(), e.added.end());
    lease.deadline = e.deadline;
  }
  void operator()(const lease_renewed& e) { lease_of(state, e.interview).deadline = e.deadline; }
  void operator()(const lease_released& e) { state.leases.erase(e.interview); }
  void operator()(const lease_expired& e) { state.leases.erase(e.interview); }
  void operator()(const lease_completed& e) {
    for (const auto& c : e.cells) ++cell_at(state, c).completes;
    state.leases.erase(e.interview);
  }
  void operator()(const target_changed& e) { cell_at(state, e.cell).target = e.to; }
  void operator()(const cell_closed& e) { cell_at(state, e.cell).closed = true; }
  void operator()(const cell_reopened& e) { cell_at(state, e.cell).closed = false; }
};

}  // namespace

void apply(quota_state& state, const quota_event& event) { std::visit(applier{state}, event); }

}  // namespace cati::core
