// gRPC's message framing and status trailers, byte for byte.
#include <gtest/gtest.h>

#include "http2/grpc_messages.h"

namespace lp::grpc {
namespace {

TEST(GrpcMessages, FrameIsFlagLengthThenBytes) {
  const std::string framed = frame("abc");
  ASSERT_EQ(framed.size(), 8u);
  EXPECT_EQ(framed[0], '\0');
  EXPECT_EQ(framed.substr(1, 4), std::string("\0\0\0\3", 4));
  EXPECT_EQ(framed.substr(5), "abc");
  EXPECT_EQ(frame("").size(), 5u);
}

TEST(GrpcMessages, ReaderSplitsMessagesAcrossArbitraryChunks) {
  const std::string stream = frame("first") + frame("") + frame(std::string(70000, 'x')) + frame("last");
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{4096}, stream.size()}) {
    MessageReader reader;
    std::vector<std::string> got;
    for (size_t i = 0; i < stream.size(); i += chunk) {
      auto e = reader.feed(std::string_view(stream).substr(i, chunk), [&](std::string&& m) { got.push_back(m); });
      ASSERT_TRUE(e.ok()) << e.error().message;
    }
    ASSERT_EQ(got.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(got[0], "first");
    EXPECT_EQ(got[1], "");
    EXPECT_EQ(got[2].size(), 70000u);
    EXPECT_EQ(got[3], "last");
    EXPECT_EQ(reader.pending(), 0u);
  }
}

TEST(GrpcMessages, ReaderRefusesOversizeAndCompressedMessages) {
  MessageReader small(10);
  auto e = small.feed(frame(std::string(11, 'x')).substr(0, 5), [](std::string&&) { FAIL(); });
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::TooLarge);
  EXPECT_NE(e.error().message.find("11 bytes"), std::string::npos);

  MessageReader reader;
  std::string compressed = frame("abc");
  compressed[0] = 1;
  e = reader.feed(compressed, [](std::string&&) { FAIL(); });
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("compressed"), std::string::npos);
}

TEST(GrpcMessages, ReaderKeepsATruncatedMessagePending) {
  MessageReader reader;
  const std::string f = frame("hello");
  ASSERT_TRUE(reader.feed(f.substr(0, 7), [](std::string&&) { FAIL(); }).ok());
  EXPECT_EQ(reader.pending(), 7u);
}

TEST(GrpcMessages, StatusFromTrailers) {
  auto s = status_from({{"grpc-status", "2"}, {"grpc-message", "invalid%20secret%25"}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->code, kUnknown);
  EXPECT_EQ(s->message, "invalid secret%");
  EXPECT_FALSE(status_from({{":status", "200"}, {"content-type", "application/grpc"}}));
  s = status_from({{"grpc-status", "0"}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->code, kOk);
  // A status that is not a number is Unknown, not OK.
  EXPECT_EQ(status_from({{"grpc-status", "x"}})->code, kUnknown);
  EXPECT_EQ(status_from({{"grpc-status", ""}})->code, kUnknown);
}

TEST(GrpcMessages, PercentEncodingRoundTrips) {
  const std::string text = "zero capacity: 100% \xe2\x9c\x93\n";
  const std::string encoded = percent_encode(text);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  EXPECT_EQ(percent_decode(encoded), text);
  EXPECT_EQ(percent_decode("50%"), "50%");  // a stray % stays
}

}  // namespace
}  // namespace lp::grpc
