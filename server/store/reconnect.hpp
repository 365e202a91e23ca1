// Reconnecting to a PostgreSQL database after its primary failed over (issue 16). The connection string
// may name several hosts with target_session_attrs=read-write: a new connection through the same string
// finds whichever one is the read-write primary now (the promoted replica). Until one is promoted there is
// none, so opening is retried with a growing pause, up to a bound; then the caller fails as it would have
// without reconnecting (cati-server stops with its storage failure, exit 3).
//
// Who reconnects (each its own connections, all in server/store): the writer (writer.hpp: the batch in
// flight is run again, or found committed), the read pool (readers.hpp: a borrowed connection found
// broken is replaced), and the PostgreSQL ownership's lock session (pg_ownership.hpp: the session lock is
// taken again and the epoch checked, or the server stops as fenced).
//
// Thread-safety: the functions are reentrant; `open` and `say` run on the calling thread.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "store/sql/sql.hpp"

namespace cati::store {

struct reconnect_policy {
  std::chrono::milliseconds give_up_after{30000};  // from the first failed attempt
  std::chrono::milliseconds first_pause{100};      // doubled after each failed attempt...
  std::chrono::milliseconds longest_pause{1000};   // ...up to this
};

// Whether `e` says the connection it came from is of no more use (sql::error::connection_lost).
bool is_connection_lost(const std::exception_ptr& e);

// A new connection from `open`, tried until it succeeds or `policy.give_up_after` has passed; `say` (may
// be empty) is told each failed attempt's reason the first time and how long it took once connected.
// Throws the last attempt's error when it gives up.
std::unique_ptr<sql::connection> reconnect(const std::function<std::unique_ptr<sql::connection>()>& open,
                                           const reconnect_policy& policy,
                                           const std::function<void(const std::string&)>& say);

}  // namespace cati::store
