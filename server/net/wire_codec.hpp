// The frame <-> message mapping of subprotocols "cati.v1" (one binary Protobuf ClientMessage or
// ServerMessage per binary frame) and "cati.v1.json" (the same messages in Protobuf's JSON mapping, one
// per text frame). Pure functions, no I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cati/v1/wire.pb.h"
#include "core/util/result.hpp"
#include "net/session.hpp"

namespace cati::net {

inline constexpr std::string_view subprotocol_binary = "cati.v1";
inline constexpr std::string_view subprotocol_json = "cati.v1.json";

std::string_view subprotocol_name(wire_format format);

// Picks the first subprotocol the client offers that the server speaks, from the value of the
// Sec-WebSocket-Protocol request header ("cati.v1.json, cati.v1"); nullopt when there is none.
std::optional<wire_format> choose_subprotocol(std::string_view offered);

// Decodes one frame. An error message says what was wrong: a frame of the wrong kind (text on
// cati.v1, binary on cati.v1.json), bytes that are not a ClientMessage, JSON that does not map onto
// one (unknown fields included), or a message with no body (maybe a request type this server does not
// know). `request_id` receives the request id whenever it could be read, so the error can echo it: from
// a JSON frame that does not map (a target out of the int32 range, say), it is read on its own.
core::result<cati::v1::ClientMessage> decode_client_message(std::string_view frame, bool is_text,
                                                            wire_format format, std::uint64_t& request_id);

// Encodes one message for the wire. Never fails for a message built by the server.
std::string encode_server_message(const cati::v1::ServerMessage& message, wire_format format);

// The body's field name ("login", "next_case", "pong", ...) for logs and metrics; "none" when unset.
std::string_view wire_type_name(const cati::v1::ClientMessage& message);
std::string_view wire_type_name(const cati::v1::ServerMessage& message);

}  // namespace cati::net
