// Fuzz target: the binary wire protocol (subprotocol cati.v1). Bytes -> decode_client_message ->
// the protocol mapping's request side (outcomes, RFC 3339 times, body names), and the reply side:
// the same bytes read as a ServerMessage and encoded in both formats.
//
// Checked besides the sanitizers: a frame decodes or gets an error, never anything else; a decoded
// message encodes and decodes to itself; the wrong frame kind is refused; a time that parses prints
// and parses back to the same instant; a reply decoded from the wire always encodes as JSON.
// The custom mutator mutates decoded messages field by field (support/message_mutator.hpp).
#include <google/protobuf/util/message_differencer.h>

#include <cstdlib>

#include "core/ports/clock_spec.hpp"
#include "net/protocol_mapping.hpp"
#include "net/wire_codec.hpp"
#include "support/message_mutator.hpp"
#include "support/seed_study.hpp"

namespace {

using cati::v1::ClientMessage;
using google::protobuf::util::MessageDifferencer;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "wire_binary: %s\n", what);
    std::abort();
  }
}

void check_time(const std::string& text) {
  auto t = cati::net::parse_wire_time(text);
  if (!t) return;
  auto again = cati::net::parse_wire_time(cati::core::format_instant(*t));
  require(again && *again == *t, "a parsed time does not survive format_instant and parse_wire_time");
}

void check_request(const ClientMessage& m) {
  require(cati::net::wire_type_name(m) == cati::net::body_name(m), "wire_type_name and body_name disagree");
  require(cati::net::wire_type_name(m) != "none", "a decoded request has no body");
  const auto outcome = [](cati::v1::Outcome o) {
    const auto d = cati::net::from_wire(o);
    require(static_cast<int>(d) >= 0 && static_cast<int>(d) < cati::core::outcome_count, "from_wire out of range");
  };
  if (m.has_call_result()) {
    outcome(m.call_result().outcome());
    check_time(m.call_result().appointment_at());
  }
  if (m.has_suspend()) {
    outcome(m.suspend().outcome());
    check_time(m.suspend().appointment_at());
  }
  if (m.has_set_clock()) check_time(m.set_clock().now());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  std::uint64_t request_id = 1;
  auto decoded = cati::net::decode_client_message(frame, false, cati::net::wire_format::binary, request_id);
  if (decoded) {
    require(request_id == decoded->request_id(), "request_id not reported");
    check_request(*decoded);
    std::string bytes;
    require(decoded->SerializeToString(&bytes), "a decoded request does not encode");
    std::uint64_t again_id = 0;
    auto again = cati::net::decode_client_message(bytes, false, cati::net::wire_format::binary, again_id);
    require(again && MessageDifferencer::Equals(*decoded, *again), "a request does not survive encode + decode");
  } else {
    require(!decoded.err().message.empty(), "an error without a message");
  }
  std::uint64_t ignored = 0;
  require(!cati::net::decode_client_message(frame, true, cati::net::wire_format::binary, ignored),
          "a text frame was taken on cati.v1");
  (void)cati::net::choose_subprotocol(frame);

  cati::v1::ServerMessage reply;
  if (reply.ParseFromArray(data, static_cast<int>(size))) {
    (void)cati::net::encode_server_message(reply, cati::net::wire_format::binary);
    const auto json = cati::net::encode_server_message(reply, cati::net::wire_format::json);
    require(json.find("reply could not be encoded as JSON") == std::string::npos,
            "a reply decoded from the wire does not encode as JSON");
  }
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  static cati::fuzz::message_mutator mutator(seed, cati::fuzz::protocol_words());
  mutator.random().seed(seed);
  ClientMessage m;
  std::string out;
  if (mutator.below(4) != 0 && m.ParseFromArray(data, static_cast<int>(size))) {
    mutator.mutate(m);
    if (mutator.below(3) == 0) mutator.mutate(m);
    m.SerializeToString(&out);
  } else {
    out = cati::fuzz::mutate_bytes(std::string(reinterpret_cast<const char*>(data), size), max_size);
  }
  if (out.size() > max_size) return size;
  std::copy(out.begin(), out.end(), data);
  return out.size();
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cati::fuzz::quiet_protobuf_log();
  return 0;
}
