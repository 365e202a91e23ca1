// Fuzz target: the JSON mapping the supervisor page speaks (subprotocol cati.v1.json). Text ->
// decode_client_message(json); a request that decodes is printed as JSON again (as the page would
// write it) and must decode to the same message, and its binary form too. The reply side: the text read
// as a ServerMessage in JSON encodes in both formats. The custom mutator edits decoded requests field by
// field and prints them as JSON, so deep fields (quota actions, suspends with times) are reached.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstdlib>

#include "net/wire_codec.hpp"
#include "support/message_mutator.hpp"
#include "support/seed_study.hpp"

namespace {

using cati::v1::ClientMessage;
using google::protobuf::util::MessageDifferencer;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "wire_json: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  std::uint64_t request_id = 0;
  auto decoded = cati::net::decode_client_message(frame, true, cati::net::wire_format::json, request_id);
  if (decoded) {
    require(request_id == decoded->request_id(), "request_id not reported");
    std::string json;
    require(google::protobuf::util::MessageToJsonString(*decoded, &json).ok(), "a decoded request does not print");
    std::uint64_t again_id = 0;
    auto again = cati::net::decode_client_message(json, true, cati::net::wire_format::json, again_id);
    require(again && MessageDifferencer::Equals(*decoded, *again), "a request does not survive JSON print + decode");
    std::string bytes;
    require(decoded->SerializeToString(&bytes), "a decoded request does not encode");
    auto binary = cati::net::decode_client_message(bytes, false, cati::net::wire_format::binary, again_id);
    require(binary && MessageDifferencer::Equals(*decoded, *binary), "JSON and binary disagree");
  } else {
    require(!decoded.err().message.empty(), "an error without a message");
  }
  std::uint64_t ignored = 0;
  require(!cati::net::decode_client_message(frame, false, cati::net::wire_format::json, ignored),
          "a binary frame was taken on cati.v1.json");

  cati::v1::ServerMessage reply;
  if (google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(frame.data(), frame.size()), &reply)
          .ok()) {
    (void)cati::net::encode_server_message(reply, cati::net::wire_format::binary);
    (void)cati::net::encode_server_message(reply, cati::net::wire_format::json);
  }
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  static cati::fuzz::message_mutator mutator(seed, cati::fuzz::protocol_words());
  mutator.random().seed(seed);
  ClientMessage m;
  std::string out;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (mutator.below(4) != 0 &&
      google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(text.data(), text.size()), &m).ok()) {
    mutator.mutate(m);
    if (mutator.below(3) == 0) mutator.mutate(m);
    if (!google::protobuf::util::MessageToJsonString(m, &out).ok()) out = std::string(text);
  } else {
    out = cati::fuzz::mutate_bytes(std::string(text), max_size);
  }
  if (out.size() > max_size) return size;
  std::copy(out.begin(), out.end(), data);
  return out.size();
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cati::fuzz::quiet_protobuf_log();
  return 0;
}
