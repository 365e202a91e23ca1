#include "store/request_repo.hpp"

#include "store/sql/sql.hpp"

#include "store/sql_detail.hpp"

namespace cati::store {
namespace {

std::string_view kind_name(core::request_kind k) {
  switch (k) {
    case core::request_kind::next_case: return "next_case";
    case core::request_kind::call_result: return "call_result";
    case core::request_kind::start_interview: return "start_interview";
    case core::request_kind::quota_action: return "quota_action";
  }
  return "next_case";
}

std::optional<core::request_kind> kind_from(std::string_view name) {
  for (auto k : {core::request_kind::next_case, core::request_kind::call_result, core::request_kind::start_interview,
                 core::request_kind::quota_action})
    if (kind_name(k) == name) return k;
  return std::nullopt;
}

// Request ids are uint64 on the wire; SQLite integers are int64: the bit pattern is kept. Ordering by
// the stored value would put ids of 2^63 and above first, so pruning sorts in the unsigned order.
std::int64_t stored(std::uint64_t id) { return static_cast<std::int64_t>(id); }

}  // namespace

void log_request(sql::connection& db, const core::request_logged& r, std::size_t keep) {
  sql::statement insert(db,
                           "INSERT INTO request_log (user_id, request_id, kind, case_id, interview_id,"
                           " outcome, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (user_id, request_id) DO UPDATE SET kind = excluded.kind,"
                           " case_id = excluded.case_id, interview_id = excluded.interview_id,"
                           " outcome = excluded.outcome, detail = excluded.detail, at = excluded.at");
  insert.bind(1, r.user);
  insert.bind(2, stored(r.request));
  insert.bind(3, std::string(kind_name(r.kind)));
  insert.bind(4, static_cast<std::int64_t>(r.case_));
  insert.bind(5, static_cast<std::int64_t>(r.interview));
  insert.bind(6, r.result == core::outcome::unspecified ? std::string() : std::string(core::to_string(r.result)));
  insert.bind(7, r.detail);
  insert.bind(8, detail::to_ms(r.at));
  insert.exec();
  // Unsigned order: the stored negatives (ids of 2^63 and above) come after the non-negatives.
  sql::statement prune(db,
                          "DELETE FROM request_log WHERE user_id = ?1 AND request_id IN ("
                          " SELECT request_id FROM request_log WHERE user_id = ?1"
                          " ORDER BY request_id < 0 DESC, request_id DESC LIMIT 9223372036854775807 OFFSET ?2)");
  prune.bind(1, r.user);
  prune.bind(2, static_cast<std::int64_t>(keep));
  prune.exec();
}

std::vector<core::request_logged> list_requests(sql::connection& db) {
  sql::statement q(db,
                      "SELECT user_id, request_id, kind, case_id, interview_id, outcome, detail, at FROM request_log"
                      " ORDER BY user_id, request_id");
  std::vector<core::request_logged> out;
  while (q.executeStep()) {
    auto kind = kind_from(q.getColumn(2).getString());
    if (!kind) continue;  // a kind this version does not know: not replayable
    core::request_logged r;
    r.user = q.getColumn(0).getInt64();
    r.request = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
    r.kind = *kind;
    r.case_ = q.getColumn(3).getInt64();
    r.interview = q.getColumn(4).getInt64();
    r.result = core::outcome_from_string(q.getColumn(5).getString()).value_or(core::outcome::unspecified);
    r.detail = q.getColumn(6).getString();
    r.at = detail::from_ms(q.getColumn(7).getInt64());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cati::store
