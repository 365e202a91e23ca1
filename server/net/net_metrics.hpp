// The transport's own series in the metrics registry, registered once so the per-frame path only
// touches atomics: connections, HTTP requests, messages in and out by type, errors by code,
// disconnects by reason.
// Thread-safety: all members may be used from any thread. Ownership: the series live in the registry,
// which must outlive this object.
#pragma once

#include <unordered_map>

#include "cati/v1/wire.pb.h"
#include "net/metrics.hpp"
#include "net/session_limits.hpp"

namespace cati::net {

// Why the server cut a connection (the normal close handshake is not counted here).
enum class disconnect_reason { slow_consumer, too_big, timeout, shutdown_timeout };
// What the server refused because a bound (session_limits) was reached.
enum class refusal_reason { max_connections, max_per_address, max_logins };

class net_metrics {
 public:
  explicit net_metrics(metrics_registry& registry);

  gauge& connections;         // cati_connections: open WebSocket sessions
  gauge& tcp_connections;     // cati_tcp_connections: accepted connections open, in any phase
  gauge& logins_in_progress;  // cati_logins_in_progress: login requests not answered yet
  gauge& queued_bytes;        // cati_queued_bytes: bytes waiting in the WebSocket write queues, all together
  counter& http_requests;     // cati_http_requests_total: plain HTTP requests (upgrades included)
  counter& http_refused;      // cati_http_refused_total: requests answered 4xx before routing (too large, bad)

  // cati_messages_in_total{type}: one per decoded ClientMessage.
  void message_in(const cati::v1::ClientMessage& message);
  // cati_messages_out_total{type}, and cati_errors_total{code} for an Error.
  void message_out(const cati::v1::ServerMessage& message);
  // cati_disconnects_total{reason}
  void disconnect(disconnect_reason reason);
  // cati_refused_total{reason}
  void refused(refusal_reason reason);
  // cati_limit{name}: the bounds in force (max_connections as lowered to the open-file limit).
  void show_limits(const session_limits& limits, std::size_t max_connections);

 private:
  counter& error_counter(int code);

  metrics_registry& registry_;
  // Filled in the constructor, read-only afterwards: lock-free lookups from any thread.
  std::unordered_map<int, counter*> in_by_field_;
  std::unordered_map<int, counter*> out_by_field_;
  std::unordered_map<int, counter*> errors_by_code_;
  counter* disconnects_[4];
  counter* refusals_[3];
};

}  // namespace cati::net
