// The request log: per user, the latest request ids of the requests that changed something, with what
// they did (core::request_logged), so that a repeat after a restart gets the original reply
// (core/fieldwork/fieldwork.hpp, "Idempotent requests").
#pragma once

#include <vector>

#include "core/fieldwork/fieldwork_changes.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

// Logs the request (a repeat of the same id replaces it) and forgets the user's oldest ones beyond
// `keep` (the smallest ids, as the service does in memory).
void log_request(sql::connection& db, const core::request_logged& r, std::size_t keep);

// Every logged request, by user and id.
std::vector<core::request_logged> list_requests(sql::connection& db);

}  // namespace cati::store
