#include "net/wire_codec.hpp"

#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <limits>

namespace cati::net {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <class Message>
std::string_view oneof_name(const Message& message) {
  const auto* field = Message::descriptor()->FindFieldByNumber(static_cast<int>(message.body_case()));
  if (field == nullptr) return "none";
  return field->name();
}

}  // namespace

std::string_view subprotocol_name(wire_format format) {
  return format == wire_format::json ? subprotocol_json : subprotocol_binary;
}

std::optional<wire_format> choose_subprotocol(std::string_view offered) {
  while (!offered.empty()) {
    const auto comma = offered.find(',');
    const auto token = trim(offered.substr(0, comma));
    if (token == subprotocol_binary) return wire_format::binary;
    if (token == subprotocol_json) return wire_format::json;
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

namespace {

// The "requestId" (or "request_id") of a JSON frame that did not map onto a ClientMessage, read without
// the rest of it: a number or a string of digits at the top level, as the page sends it. 0 when absent.
std::uint64_t json_request_id(std::string_view frame) {
  for (std::string_view key : {std::string_view("\"requestId\""), std::string_view("\"request_id\"")}) {
    auto pos = frame.find(key);
    if (pos == std::string_view::npos) continue;
    pos += key.size();
    const auto skip = [&] {
      while (pos < frame.size() && (frame[pos] == ' ' || frame[pos] == '\t' || frame[pos] == '\n' || frame[pos] == '\r')) ++pos;
    };
    skip();
    if (pos >= frame.size() || frame[pos] != ':') continue;
    ++pos;
    skip();
    if (pos < frame.size() && frame[pos] == '"') ++pos;
    std::uint64_t id = 0;
    const auto [end, ec] = std::from_chars(frame.data() + pos, frame.data() + frame.size(), id);
    if (ec == std::errc{} && end != frame.data() + pos) return id;
  }
  return 0;
}

}  // namespace

core::result<cati::v1::ClientMessage> decode_client_message(std::string_view frame, bool is_text,
                                                            wire_format format, std::uint64_t& request_id) {
  request_id = 0;
  cati::v1::ClientMessage message;
  if (format == wire_format::binary) {
    if (is_text) return core::error{"text frame on subprotocol cati.v1: send binary Protobuf frames"};
    if (frame.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
        !message.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
      return core::error{"frame of " + std::to_string(frame.size()) + " bytes is not a cati.v1.ClientMessage"};
    }
  } else {
    if (!is_text) return core::error{"binary frame on subprotocol cati.v1.json: send text frames with JSON"};
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;  // a misspelt field is an error the page's author must see
    const auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(frame.data(), frame.size()), &message, options);
    if (!status.ok()) {
      // The reply must reach the request that caused it (a page waits for it): read the id on its own.
      request_id = json_request_id(frame);
      return core::error{"text frame is not a cati.v1.ClientMessage in JSON: " + status.ToString()};
    }
  }
  request_id = message.request_id();
  if (message.body_case() == cati::v1::ClientMessage::BODY_NOT_SET) {
    return core::error{"ClientMessage has no body: set one request (login, next_case, answer, ...)"};
  }
  return message;
}

std::string encode_server_message(const cati::v1::ServerMessage& message, wire_format format) {
  std::string out;
  if (format == wire_format::binary) {
    message.SerializeToString(&out);
    return out;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = false;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  // Printing a well-formed message only fails on invalid UTF-8 in a string field: a server bug; the
  // client still gets a well-formed frame that says so rather than half a message.
  if (!status.ok()) return R"({"error":{"code":"INTERNAL","message":"reply could not be encoded as JSON"}})";
  return out;
}

std::string_view wire_type_name(const cati::v1::ClientMessage& message) { return oneof_name(message); }
std::string_view wire_type_name(const cati::v1::ServerMessage& message) { return oneof_name(message); }

}  // namespace cati::net
