#include "net/net_metrics.hpp"

#include "net/log.hpp"

namespace cati::net {
namespace {

constexpr const char* in_help = "ClientMessages received, by body type.";
constexpr const char* out_help = "ServerMessages queued for sending, by body type.";
constexpr const char* errors_help = "Error replies sent, by code.";
constexpr const char* disconnects_help = "Connections the server cut, by reason.";
constexpr const char* refused_help = "Connections and logins refused because a bound was reached, by bound.";
constexpr const char* limit_help = "The bounds in force (README, Limits).";

// One series per body type of the envelope, so /metrics shows every type (at 0) from the start.
template <class Message>
std::unordered_map<int, counter*> per_body_type(metrics_registry& registry, const char* name, const char* help) {
  std::unordered_map<int, counter*> out;
  const auto* oneof = Message::descriptor()->FindOneofByName("body");
  for (int i = 0; oneof != nullptr && i < oneof->field_count(); ++i) {
    const auto* field = oneof->field(i);
    out.emplace(field->number(), &registry.add_counter(name, help, {{"type", field->name()}}));
  }
  return out;
}

}  // namespace

net_metrics::net_metrics(metrics_registry& registry)
    : connections(registry.add_gauge("cati_connections", "Open WebSocket connections.")),
      tcp_connections(registry.add_gauge("cati_tcp_connections", "Accepted connections open, in any phase.")),
      logins_in_progress(registry.add_gauge("cati_logins_in_progress", "Login requests not answered yet.")),
      queued_bytes(registry.add_gauge("cati_queued_bytes",
                                      "Bytes waiting in the WebSocket write queues (each bounded by max_queue_bytes).")),
      http_requests(registry.add_counter("cati_http_requests_total", "HTTP requests received.")),
      http_refused(registry.add_counter("cati_http_refused_total",
                                        "HTTP requests refused before routing (headers too large, malformed).")),
      registry_(registry),
      in_by_field_(per_body_type<cati::v1::ClientMessage>(registry, "cati_messages_in_total", in_help)),
      out_by_field_(per_body_type<cati::v1::ServerMessage>(registry, "cati_messages_out_total", out_help)),
      disconnects_{&registry.add_counter("cati_disconnects_total", disconnects_help, {{"reason", "slow_consumer"}}),
                   &registry.add_counter("cati_disconnects_total", disconnects_help, {{"reason", "too_big"}}),
                   &registry.add_counter("cati_disconnects_total", disconnects_help, {{"reason", "timeout"}}),
                   &registry.add_counter("cati_disconnects_total", disconnects_help,
                                         {{"reason", "shutdown_timeout"}})},
      refusals_{&registry.add_counter("cati_refused_total", refused_help, {{"reason", "max_connections"}}),
                &registry.add_counter("cati_refused_total", refused_help, {{"reason", "max_per_address"}}),
                &registry.add_counter("cati_refused_total", refused_help, {{"reason", "max_logins"}})} {
  // Log lines that peers can cause at will are rate-limited (log.hpp); what was not written is counted.
  registry.add_collector([](std::string& out) {
    out += "# HELP cati_log_lines_suppressed_total Log lines not written by the rate limit, by kind.\n"
           "# TYPE cati_log_lines_suppressed_total counter\n";
    for (auto kind : {log_flood::connection, log_flood::malformed}) {
      out += "cati_log_lines_suppressed_total{kind=\"" + std::string(to_string(kind)) + "\"} " +
             std::to_string(log_suppressed(kind)) + "\n";
    }
  });
  const auto* codes = cati::v1::Error::Code_descriptor();
  for (int i = 0; i < codes->value_count(); ++i) {
    const auto* value = codes->value(i);
    if (value->number() == 0) continue;
    errors_by_code_.emplace(value->number(),
                            &registry.add_counter("cati_errors_total", errors_help, {{"code", value->name()}}));
  }
}

void net_metrics::message_in(const cati::v1::ClientMessage& message) {
  const auto it = in_by_field_.find(static_cast<int>(message.body_case()));
  if (it != in_by_field_.end()) it->second->inc();
}

void net_metrics::message_out(const cati::v1::ServerMessage& message) {
  const auto it = out_by_field_.find(static_cast<int>(message.body_case()));
  if (it != out_by_field_.end()) it->second->inc();
  if (message.has_error()) error_counter(message.error().code()).inc();
}

counter& net_metrics::error_counter(int code) {
  const auto it = errors_by_code_.find(code);
  if (it != errors_by_code_.end()) return *it->second;
  // A code this build does not name (0, or newer than the .proto): registered on first use.
  return registry_.add_counter("cati_errors_total", errors_help, {{"code", std::to_string(code)}});
}

void net_metrics::disconnect(disconnect_reason reason) { disconnects_[static_cast<int>(reason)]->inc(); }

void net_metrics::refused(refusal_reason reason) { refusals_[static_cast<int>(reason)]->inc(); }

void net_metrics::show_limits(const session_limits& limits, std::size_t max_connections) {
  auto show = [&](const char* name, double value) { registry_.add_gauge("cati_limit", limit_help, {{"name", name}}).set(value); };
  show("max_connections", static_cast<double>(max_connections));
  show("max_connections_per_address", static_cast<double>(limits.max_connections_per_address));
  show("max_logins_in_progress", static_cast<double>(limits.max_logins_in_progress));
  show("max_frame_bytes", static_cast<double>(limits.max_frame_bytes));
  show("max_queue_messages", static_cast<double>(limits.max_queue_messages));
  show("max_queue_bytes", static_cast<double>(limits.max_queue_bytes));
  show("max_http_header_bytes", static_cast<double>(limits.max_http_header_bytes));
  show("max_http_body_bytes", static_cast<double>(limits.max_http_body_bytes));
  show("handshake_timeout_seconds", std::chrono::duration<double>(limits.handshake_timeout).count());
  show("idle_timeout_seconds", std::chrono::duration<double>(limits.idle_timeout).count());
}

}  // namespace cati::net
