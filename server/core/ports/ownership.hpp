// Ownership of a fieldwork: at most one cati-server serves a fieldwork at a time. The holder is named
// by a record kept with the fieldwork's data (who, since when, and an epoch that grows by one on every
// change of holder), tied to something that dies with the holder's process (an OS file lock for SQLite;
// a session-level advisory lock for PostgreSQL). Every write transaction of the holder checks the epoch,
// so a server that lost ownership (a paused process that wakes up after a standby took over) can never
// write again.
//
// server/store implements it on SQLite (store/ownership.hpp); the same contract fits PostgreSQL.
//
// Thread-safety: claim() and take_over() belong to the thread starting the server; announce() and
// current() may be called from any thread once claimed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/ports/clock.hpp"
#include "core/util/result.hpp"

namespace cati::core {

// Who asks for or holds a fieldwork.
struct owner_identity {
  std::string host;     // the machine's host name
  std::int64_t pid = 0;
  std::string address;  // where it serves ("127.0.0.1:8080"); may be refined by announce()
};

struct ownership_record {
  owner_identity holder;
  time_point since{};       // when it took the fieldwork (UTC)
  std::uint64_t epoch = 0;  // 1 for the first holder, +1 on every claim
};

// "host H (pid P, listening on A, since 2025-10-13T07:00:00Z, epoch E)": how messages name a holder.
std::string describe(const ownership_record& r);

// Why a claim was refused: a live server holds the fieldwork. `holder` is its record when one could be
// read (a holder still starting may not have written its own yet).
struct ownership_refused {
  std::optional<ownership_record> holder;
};

class fieldwork_ownership {
 public:
  virtual ~fieldwork_ownership() = default;

  // Takes the fieldwork when no live server holds it: brings its schema up to date, writes the record
  // with the next epoch and returns it. From then on every write transaction of this process checks
  // that epoch. Refused (nothing written) when another live server holds it. Throws on storage errors.
  virtual result<ownership_record, ownership_refused> claim(const owner_identity& me) = 0;

  // Waits until the holder is gone (its process ended, or it has been silent for `silent_for`: hung or
  // paused), then claims as above. `waiting` is called once when the wait begins, with the holder.
  virtual ownership_record take_over(const owner_identity& me, std::chrono::milliseconds silent_for,
                                     const std::function<void(const ownership_refused&)>& waiting) = 0;

  // The holder's real address once known (after binding port 0), in the same epoch.
  virtual void announce(const std::string& address) = 0;

  // The record as stored now (nullopt before the first claim ever).
  virtual std::optional<ownership_record> current() = 0;
};

}  // namespace cati::core
