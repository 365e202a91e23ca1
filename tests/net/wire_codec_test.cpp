// Frame <-> message mapping, without a socket.
#include "net/wire_codec.hpp"

#include <gtest/gtest.h>

namespace cati::net {
namespace {

TEST(NetWireCodecTest, ChoosesTheFirstKnownSubprotocol) {
  EXPECT_EQ(choose_subprotocol("cati.v1"), wire_format::binary);
  EXPECT_EQ(choose_subprotocol("cati.v1.json"), wire_format::json);
  EXPECT_EQ(choose_subprotocol("chat,  cati.v1.json ,cati.v1"), wire_format::json);
  EXPECT_EQ(choose_subprotocol("cati.v1, cati.v1.json"), wire_format::binary);
  EXPECT_EQ(choose_subprotocol(""), std::nullopt);
  EXPECT_EQ(choose_subprotocol("cati.v1x, cati"), std::nullopt);
}

TEST(NetWireCodecTest, DecodesBinary) {
  cati::v1::ClientMessage in;
  in.set_request_id(77);
  in.mutable_answer()->set_interview_id("i-1");
  in.mutable_answer()->set_seq(3);
  in.mutable_answer()->set_value("1 3");
  const std::string bytes = in.SerializeAsString();
  std::uint64_t id = 0;
  const auto out = decode_client_message(bytes, false, wire_format::binary, id);
  ASSERT_TRUE(out) << out.err().message;
  EXPECT_EQ(id, 77U);
  EXPECT_EQ(out->answer().value(), "1 3");
  EXPECT_EQ(wire_type_name(*out), "answer");
}

TEST(NetWireCodecTest, DecodesJsonInEitherFieldSpelling) {
  std::uint64_t id = 0;
  auto out = decode_client_message(R"({"requestId":"9","nextCase":{}})", true, wire_format::json, id);
  ASSERT_TRUE(out) << out.err().message;
  EXPECT_TRUE(out->has_next_case());
  EXPECT_EQ(id, 9U);
  out = decode_client_message(R"({"request_id":9,"next_case":{}})", true, wire_format::json, id);
  ASSERT_TRUE(out) << out.err().message;
  EXPECT_TRUE(out->has_next_case());
}

TEST(NetWireCodecTest, RefusesWhatIsNotAClientMessage) {
  std::uint64_t id = 0;
  EXPECT_FALSE(decode_client_message("\x0a\xff", false, wire_format::binary, id));
  EXPECT_FALSE(decode_client_message("x", true, wire_format::binary, id));
  EXPECT_FALSE(decode_client_message("{}", false, wire_format::json, id));
  EXPECT_FALSE(decode_client_message(R"({"unknown":1})", true, wire_format::json, id));
  const auto empty = decode_client_message(R"({"requestId":"4"})", true, wire_format::json, id);
  ASSERT_FALSE(empty);
  EXPECT_EQ(id, 4U);  // read, so the error can echo it
  EXPECT_NE(empty.err().message.find("no body"), std::string::npos);
}

// The page's target of 64000000000 does not fit an int32: the frame does not map, but its request id is
// read on its own so that the page's waiting request gets the MALFORMED answer.
TEST(NetWireCodecTest, JsonThatDoesNotMapStillGivesItsRequestId) {
  std::uint64_t id = 0;
  const auto huge = decode_client_message(
      R"({"requestId": "17", "quotaAction": {"kind": "SET_TARGET", "quota": "sector", "values": ["1"], "target": 64000000000}})",
      true, wire_format::json, id);
  ASSERT_FALSE(huge);
  EXPECT_EQ(id, 17U);
  EXPECT_NE(huge.err().message.find("target"), std::string::npos) << huge.err().message;
  EXPECT_FALSE(decode_client_message(R"({"request_id":23,"nextCase":{"x":1}})", true, wire_format::json, id));
  EXPECT_EQ(id, 23U);
  EXPECT_FALSE(decode_client_message(R"({"nextCase":{"x":1}})", true, wire_format::json, id));
  EXPECT_EQ(id, 0U);  // none given: none echoed
}

TEST(NetWireCodecTest, EncodesBothFormats) {
  cati::v1::ServerMessage m;
  m.set_request_id(5);
  m.mutable_answer_ack()->set_interview_id("i-1");
  m.mutable_answer_ack()->set_seq(2);
  cati::v1::ServerMessage back;
  ASSERT_TRUE(back.ParseFromString(encode_server_message(m, wire_format::binary)));
  EXPECT_EQ(back.answer_ack().seq(), 2U);
  EXPECT_EQ(encode_server_message(m, wire_format::json),
            R"({"requestId":"5","answerAck":{"interviewId":"i-1","seq":2}})");
  EXPECT_EQ(wire_type_name(m), "answer_ack");
  EXPECT_EQ(wire_type_name(cati::v1::ServerMessage{}), "none");
}

}  // namespace
}  // namespace cati::net
