// go_base64: what Go's base64.StdEncoding.DecodeString accepts, and the byte its
// CorruptInputError names (the offsets below are Go's for the same inputs).
#include "go_base64.h"

#include <gtest/gtest.h>

namespace lp {
namespace {

std::string refusal(std::string_view text) {
  auto decoded = go_base64_decode(text);
  return decoded.ok() ? "" : decoded.error().message;
}

TEST(GoBase64, DecodesPaddedStandardBase64) {
  EXPECT_EQ(*go_base64_decode(""), "");
  EXPECT_EQ(*go_base64_decode("YQ=="), "a");
  EXPECT_EQ(*go_base64_decode("YWI="), "ab");
  EXPECT_EQ(*go_base64_decode("YWJj"), "abc");
  EXPECT_EQ(*go_base64_decode("YW\r\nJj\n"), "abc");  // Go skips \r and \n anywhere
  EXPECT_EQ(*go_base64_decode("+/+/"), "\xfb\xff\xbf");
}

TEST(GoBase64, ErrorsNameTheByteAsGoDoes) {
  EXPECT_EQ(refusal("YWJj!"), "base64 decode error: illegal base64 data at input byte 4");
  EXPECT_EQ(refusal("YQ"), "base64 decode error: illegal base64 data at input byte 0");        // unpadded
  EXPECT_EQ(refusal("YQ=a"), "base64 decode error: illegal base64 data at input byte 2");      // "=" then data
  EXPECT_EQ(refusal("YQ==YQ=="), "base64 decode error: illegal base64 data at input byte 4");  // after padding
  EXPECT_EQ(refusal("Y==="), "base64 decode error: illegal base64 data at input byte 1");
  EXPECT_EQ(refusal("YW-j"), "base64 decode error: illegal base64 data at input byte 2");  // URL alphabet
  EXPECT_EQ(go_base64_decode("YQ==").ok(), true);
}

TEST(GoBase64, EncodingRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    EXPECT_EQ(*go_base64_decode(base64_encode(part)), part) << n;
  }
  EXPECT_EQ(base64_encode("ab"), "YWI=");
}

}  // namespace
}  // namespace lp
