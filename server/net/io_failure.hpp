// Reporting I/O failures of one connection: one place decides what is worth a log line.
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <string_view>

#include "net/beast_types.hpp"

namespace cati::net {

// True for the ways a connection normally ends: our own cancellation (operation_aborted, on shutdown
// or abort), a WebSocket close handshake, the peer closing the TCP connection or TLS stream.
bool is_normal_end(const beast::error_code& ec);

// Logs "<who>: <what>: <message>": at debug for a normal end, at warn for anything else.
void fail(const beast::error_code& ec, std::string_view what, std::string_view who);

}  // namespace cati::net
