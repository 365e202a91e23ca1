#include "net/net_metrics.hpp"

namespace cati::net {
namespace {

constexpr const char* in_help = "ClientMessages received, by body type.";
constexpr const char* out_help = "ServerMessages queued for sending, by body type.";
constexpr const char* errors_help = "Error replies sent, by code.";
constexpr const char* disconnects_help = "Connections the server cut, by reason.";

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
      http_requests(registry.add_counter("cati_http_requests_total", "HTTP requests received.")),
      registry_(registry),
      in_by_field_(per_body_type<cati::v1::ClientMessage>(registry, "cati_messages_in_total", in_help)),
      out_by_field_(per_body_type<cati::v1::ServerMessage>(registry, "cati_messages_out_total", out_help)),
      disconnects_{&registry.add_counter("cati_disconnects_total", disconnects_help, {{"reason", "slow_consumer"}}),
                   &registry.add_counter("cati_disconnects_total", disconnects_help, {{"reason", "too_big"}}),
                   &registry.add_counter("cati_disconnects_total", disconnects_help, {{"reason", "timeout"}}),
                   &registry.add_counter("cati_disconnects_total", disconnects_help,
                                         {{"reason", "shutdown_timeout"}})} {
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

}  // namespace cati::net
