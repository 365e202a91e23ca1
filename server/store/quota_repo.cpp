#include "store/quota_repo.hpp"

#include "core/report/csv.hpp"
#include "store/records.hpp"
#include "store/sql_detail.hpp"
#include "store/statement_cache.hpp"

namespace cati::store {

using namespace detail;

namespace {

// A cell's values as one CSV line ("VLA", "VLA,1"): unambiguous, and readable in the sqlite3 shell.
std::string encode_values(const std::vector<std::string>& values) {
  std::string line = core::csv_line(values);
  line.pop_back();  // the '\n'
  return line;
}

std::vector<std::string> decode_values(const std::string& text) {
  core::csv_reader reader(text);
  auto record = reader.next();
  return record ? record->fields : std::vector<std::string>{""};
}

[[noreturn]] void mismatch(const std::string& what) {
  throw store_error(store_errc::invalid, "the quota state on disk does not match: " + what);
}

std::string lease_name(core::interview_id id) { return "interview " + std::to_string(id); }

class event_writer {
 public:
  explicit event_writer(sql::connection& db) : db_(db) {}

  void operator()(const core::lease_taken& e) {
    sql::statement insert(db_, "INSERT INTO quota_leases (interview_id, deadline) VALUES (?, ?) ON CONFLICT DO NOTHING");
    insert.bind(1, e.interview);
    insert.bind(2, to_ms(e.deadline));
    if (insert.exec() == 0) mismatch(lease_name(e.interview) + " holds a lease already");
    add_cells(e.interview, e.cells);
  }
  void operator()(const core::lease_moved& e) {
    require_lease(e.interview);
    for (const auto& c : e.dropped) {
      sql::statement drop(db_, "DELETE FROM quota_lease_cells WHERE interview_id = ? AND cell_id = ?");
      drop.bind(1, e.interview);
      drop.bind(2, cell_row(c));
      drop.exec();
    }
    add_cells(e.interview, e.added);
    set_deadline(e.interview, e.deadline);
  }
  void operator()(const core::lease_renewed& e) { set_deadline(e.interview, e.deadline); }
  void operator()(const core::lease_released& e) { drop_lease(e.interview); }
  void operator()(const core::lease_expired& e) { drop_lease(e.interview); }
  void operator()(const core::lease_completed& e) {
    for (const auto& c : e.cells) {
      sql::statement count(db_, "UPDATE quota_cells SET completes = completes + 1 WHERE id = ?");
      count.bind(1, cell_row(c));
      count.exec();
    }
    drop_lease(e.interview);
  }
  void operator()(const core::target_changed& e) { set_cell(e.cell, "target", e.to); }
  void operator()(const core::cell_closed& e) { set_cell(e.cell, "closed", 1); }
  void operator()(const core::cell_reopened& e) { set_cell(e.cell, "closed", 0); }

 private:
  row_id cell_row(const core::cell_id& cell) {
    sql::statement q(db_, "SELECT id FROM quota_cells WHERE quota = ? AND cell_values = ?");
    q.bind(1, cell.quota);
    q.bind(2, encode_values(cell.values));
    if (!q.executeStep()) mismatch("no quota cell " + core::to_string(cell));
    return q.getColumn(0).getInt64();
  }
  void add_cells(core::interview_id interview, const std::vector<core::cell_id>& cells) {
    sql::statement insert(db_, "INSERT INTO quota_lease_cells (interview_id, cell_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
    for (const auto& c : cells) {
      insert.bind(1, interview);
      insert.bind(2, cell_row(c));
      insert.exec();
      insert.reset();
    }
  }
  void require_lease(core::interview_id interview) {
    sql::statement q(db_, "SELECT 1 FROM quota_leases WHERE interview_id = ?");
    q.bind(1, interview);
    if (!q.executeStep()) mismatch(lease_name(interview) + " holds no lease");
  }
  void set_deadline(core::interview_id interview, core::time_point deadline) {
    // Every request past the quota point renews its lease: kept prepared.
    detail::statement prepared(db_, "UPDATE quota_leases SET deadline = ? WHERE interview_id = ?");
    auto& update = *prepared;
    update.bind(1, to_ms(deadline));
    update.bind(2, interview);
    if (update.exec() == 0) mismatch(lease_name(interview) + " holds no lease");
  }
  void drop_lease(core::interview_id interview) {
    sql::statement cells(db_, "DELETE FROM quota_lease_cells WHERE interview_id = ?");
    cells.bind(1, interview);
    cells.exec();
    sql::statement lease(db_, "DELETE FROM quota_leases WHERE interview_id = ?");
    lease.bind(1, interview);
    if (lease.exec() == 0) mismatch(lease_name(interview) + " holds no lease");
  }
  void set_cell(const core::cell_id& cell, const char* column, int value) {
    sql::statement update(db_, std::string("UPDATE quota_cells SET ") + column + " = ? WHERE id = ?");
    update.bind(1, value);
    update.bind(2, cell_row(cell));
    update.exec();
  }

  sql::connection& db_;
};

}  // namespace

void ensure_quota_cells(sql::connection& db, const core::quota_state& fresh) {
  sql::statement insert(db,
                           "INSERT INTO quota_cells (quota, cell_values, target, completes, closed)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  for (const auto& [cell, record] : fresh.cells) {
    insert.bind(1, cell.quota);
    insert.bind(2, encode_values(cell.values));
    insert.bind(3, record.target);
    insert.bind(4, record.completes);
    insert.bind(5, record.closed ? 1 : 0);
    insert.exec();
    insert.reset();
  }
}

void apply_quota_events(sql::connection& db, const core::quota_events& events) {
  event_writer write(db);
  for (const auto& e : events) std::visit(write, e);
}

core::quota_state load_quota_state(sql::connection& db) {
  core::quota_state state;
  std::map<row_id, core::cell_id> by_row;
  sql::statement cells(db, "SELECT id, quota, cell_values, target, completes, closed FROM quota_cells");
  while (cells.executeStep()) {
    core::cell_id cell{cells.getColumn(1).getString(), decode_values(cells.getColumn(2).getString())};
    state.cells[cell] = {cells.getColumn(3).getInt(), cells.getColumn(4).getInt(), cells.getColumn(5).getInt() != 0};
    by_row.emplace(cells.getColumn(0).getInt64(), std::move(cell));
  }
  sql::statement leases(db, "SELECT interview_id, deadline FROM quota_leases");
  while (leases.executeStep())
    state.leases[leases.getColumn(0).getInt64()].deadline = from_ms(leases.getColumn(1).getInt64());
  sql::statement held(db, "SELECT interview_id, cell_id FROM quota_lease_cells");
  while (held.executeStep())
    state.leases[held.getColumn(0).getInt64()].cells.insert(by_row.at(held.getColumn(1).getInt64()));
  return state;
}

}  // namespace cati::store
