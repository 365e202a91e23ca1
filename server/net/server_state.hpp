// What every connection of one server shares: limits, the handler, metrics, the session registry, the
// static files. Held by shared_ptr from the listener and every session (chat-multi's shared_state),
// so it outlives the last connection.
// Thread-safety: the members are immutable or thread-safe themselves.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <memory>
#include <utility>

#include "net/message_handler.hpp"
#include "net/metrics.hpp"
#include "net/net_metrics.hpp"
#include "net/session_limits.hpp"
#include "net/session_registry.hpp"
#include "net/static_files.hpp"

namespace cati::net {

// What GET /healthz answers (server.hpp has the contract).
struct health_report {
  bool serving = true;
  std::string body = "ok\n";
};

struct server_state {
  server_state(session_limits l, message_handler& h, std::shared_ptr<metrics_registry> registry,
               static_files f, std::function<health_report()> health_check = {})
      : limits(l),
        handler(h),
        all_metrics(std::move(registry)),
        metrics(*all_metrics),
        files(std::move(f)),
        health(std::move(health_check)) {}

  session::id_type next_session_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  const session_limits limits;
  message_handler& handler;  // outlives the server (the service owns itself)
  const std::shared_ptr<metrics_registry> all_metrics;  // the registry /metrics renders
  net_metrics metrics;                                   // the transport's series in it
  session_registry sessions;
  const static_files files;
  const std::function<health_report()> health;  // GET /healthz; empty: 200 "ok"

 private:
  std::atomic<session::id_type> next_id_{1};
};

}  // namespace cati::net
