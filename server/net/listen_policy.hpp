// Where the server may listen. Without TLS, answers and contact data would cross the network in clear
// text, so only loopback is allowed unless the operator says --insecure-listen.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace cati::net {

struct listen_address {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0", "localhost"
  std::uint16_t port = 0;
};

// Parses --listen: "127.0.0.1:8080", "[::1]:8080", "localhost:0". The error says what was expected.
core::result<listen_address> parse_listen_address(std::string_view text);

// "127.0.0.1:8080", "[::1]:8080".
std::string format_host_port(std::string_view host, std::uint16_t port);

// True for 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z) and "localhost".
bool is_loopback_host(std::string_view host);

// nullopt when the server may listen there; otherwise the message for the operator, e.g.
// "refusing to listen on 0.0.0.0:8080 without TLS: give --tls-cert/--tls-key, or --insecure-listen".
std::optional<std::string> check_listen_address(std::string_view host, std::uint16_t port, bool has_tls,
                                                bool insecure_listen);

}  // namespace cati::net
