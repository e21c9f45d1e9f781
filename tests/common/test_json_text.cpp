// json_text_problem: what json-glib would take but JSON does not allow.
#include <gtest/gtest.h>

#include "json_text.h"

namespace lp {
namespace {

TEST(JsonText, ValidJsonPasses) {
  for (const char* text : {R"({"a":"b"})", R"(["\"\\\/\b\f\n\r\t"])", R"(["\u00e9\uD83D\uDE00"])", "[\"caf\xC3\xA9\"]",
                           R"({"k\\":"\\"})", "[1, 2.5, true, null]", ""}) {
    EXPECT_EQ(json_text_problem(text), std::nullopt) << text;
  }
}

// Found by fuzz_profile: json-glib reads "\216" as the octal byte 0x8E, which is not UTF-8,
// and a name holding it is written back as text that no longer parses.
TEST(JsonText, EscapesJsonDoesNotHaveAreNamed) {
  EXPECT_EQ(json_text_problem(R"({"name":"hbbb,\216x9"})"), "invalid escape \\2 at offset 14");
  EXPECT_EQ(json_text_problem(R"(["\T"])"), "invalid escape \\T at offset 2");
  EXPECT_EQ(json_text_problem(R"(["\x41"])"), "invalid escape \\x at offset 2");
  EXPECT_EQ(json_text_problem(R"(["\u12G4"])"), "invalid escape \\u at offset 2");
  EXPECT_EQ(json_text_problem(R"(["\u12)"), "invalid escape \\u at offset 2");
  EXPECT_EQ(json_text_problem("[\"\\"), "invalid escape \\ at offset 2");
  EXPECT_EQ(json_text_problem("[\"\\\x01\"]"), "invalid escape \\x01 at offset 2");
}

// Found by fuzz_wire_error_body: json-glib turns a lone UTF-16 surrogate into bytes that are
// not UTF-8. Pairs are fine; a lone high or low half is refused.
TEST(JsonText, LoneSurrogatesAreRefused) {
  EXPECT_EQ(json_text_problem(R"(["\ud83d\ude00"])"), std::nullopt);
  EXPECT_EQ(json_text_problem(R"(["a\udddddnd"])"), "invalid escape \\u at offset 3");
  EXPECT_EQ(json_text_problem(R"(["\ud800x"])"), "invalid escape \\u at offset 2");
  EXPECT_EQ(json_text_problem(R"(["\ud800\u0041"])"), "invalid escape \\u at offset 2");
  EXPECT_EQ(json_text_problem(R"(["\ud800\"])"), "invalid escape \\u at offset 2");
}

TEST(JsonText, BackslashesOutsideStringsAreLeftToTheParser) {
  EXPECT_EQ(json_text_problem(R"([1] \2)"), std::nullopt);
  EXPECT_EQ(json_text_problem(R"(["a\\"] \2)"), std::nullopt);
}

TEST(JsonText, BytesThatAreNotUtf8AreNamed) {
  EXPECT_EQ(json_text_problem("[\"ab\xF0\"]"), "not UTF-8 text (byte 0xF0 at offset 4)");
  EXPECT_EQ(json_text_problem("[\"\xC3\"]"), "not UTF-8 text (byte 0xC3 at offset 2)");
}

TEST(JsonText, NestingDepthCountsOnlyBracketsOutsideStrings) {
  EXPECT_FALSE(json_nested_deeper_than("[[{}]]", 3));
  EXPECT_TRUE(json_nested_deeper_than("[[{}]]", 2));
  EXPECT_FALSE(json_nested_deeper_than(R"(["[[[[", "\"[[[["])", 1));
  EXPECT_TRUE(json_nested_deeper_than(std::string(100000, '['), 64));
  EXPECT_FALSE(json_nested_deeper_than("[] [] [] []", 1));
}

}  // namespace
}  // namespace lp
