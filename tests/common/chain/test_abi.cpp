// ABI encoding against the Solidity documentation's examples ("Contract ABI Specification"),
// TicketBroker.redeemWinningTicket against ethers 5.4.4's encoder, and the return-data reader.
#include <gtest/gtest.h>

#include "abi.h"
#include "eth_key.h"
#include "hex.h"

namespace lp::chain::abi {
namespace {

std::string hex(std::span<const uint8_t> b) { return eth::to_hex(b); }
Bytes unhex(std::string_view h) { return eth::from_hex(h, "test", ErrorCode::Internal).value(); }
std::string word(std::string_view tail) { return std::string(64 - tail.size(), '0') + std::string(tail); }
eth::Address addr(uint8_t fill) {
  eth::Address a;
  a.bytes.fill(fill);
  return a;
}
Word filled(uint8_t fill) {
  Word w;
  w.fill(fill);
  return w;
}

TEST(Abi, Selectors) {
  EXPECT_EQ(hex(selector("transfer(address,uint256)")), "a9059cbb");
  EXPECT_EQ(hex(selector("baz(uint32,bool)")), "cdcd77c0");
  EXPECT_EQ(hex(selector("bar(bytes3[2])")), "fce353f6");
  EXPECT_EQ(hex(selector("sam(bytes,bool,uint256[])")), "a5643bf2");
  EXPECT_EQ(hex(selector("f(uint256,uint32[],bytes10,bytes)")), "8be65246");
  EXPECT_EQ(hex(selector("g(uint256[][],string[])")), "2289b18c");
}

TEST(Abi, SpecBaz) {
  std::vector<Value> args = {Value::uint_n(32, 69).value(), Value::boolean(true)};
  EXPECT_EQ(signature("baz", args), "baz(uint32,bool)");
  EXPECT_EQ(hex(encode_call("baz", args)), "cdcd77c0" + word("45") + word("1"));
}

TEST(Abi, SpecSam) {
  std::vector<Value> args = {Value::bytes(eth::bytes_of("dave")), Value::boolean(true),
                             Value::array("uint256", {Value::uint256(1), Value::uint256(2), Value::uint256(3)})};
  EXPECT_EQ(signature("sam", args), "sam(bytes,bool,uint256[])");
  EXPECT_EQ(hex(encode_call("sam", args)), "a5643bf2" + word("60") + word("1") + word("a0") + word("4") +
                                               "6461766500000000000000000000000000000000000000000000000000000000" +
                                               word("3") + word("1") + word("2") + word("3"));
}

TEST(Abi, SpecDynamicTypes) {
  std::vector<Value> args = {
      Value::uint256(0x123),
      Value::array("uint32", {Value::uint_n(32, 0x456).value(), Value::uint_n(32, 0x789).value()}),
      Value::fixed_bytes(eth::bytes_of("1234567890")).value(), Value::bytes(eth::bytes_of("Hello, world!"))};
  EXPECT_EQ(hex(encode_call("f", args)), "8be65246" + word("123") + word("80") +
                                             "3132333435363738393000000000000000000000000000000000000000000000" +
                                             word("e0") + word("2") + word("456") + word("789") + word("d") +
                                             "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
}

TEST(Abi, SpecNestedDynamicArrays) {
  Value ints = Value::array("uint256[]", {Value::array("uint256", {Value::uint256(1), Value::uint256(2)}),
                                          Value::array("uint256", {Value::uint256(3)})});
  Value strings = Value::array("string", {Value::string("one"), Value::string("two"), Value::string("three")});
  std::vector<Value> args = {ints, strings};
  EXPECT_EQ(signature("g", args), "g(uint256[][],string[])");
  EXPECT_EQ(hex(encode_call("g", args)),
            "2289b18c" + word("40") + word("140") + word("2") + word("40") + word("a0") + word("2") + word("1") +
                word("2") + word("1") + word("3") + word("3") + word("60") + word("a0") + word("e0") + word("3") +
                "6f6e650000000000000000000000000000000000000000000000000000000000" + word("3") +
                "74776f0000000000000000000000000000000000000000000000000000000000" + word("5") +
                "7468726565000000000000000000000000000000000000000000000000000000");
}

// ethers 5.4.4 Interface.encodeFunctionData("redeemWinningTicket", ...) with the arguments below:
// ticket head (offset 0x60), sig offset, recipientRand, then the ticket (its auxData behind
// offset 0xe0 within it) and the signature.
constexpr const char* kRedeemCallData =
    "ec8b3cb6"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000001a0"
    "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c"
    "0000000000000000000000001111111111111111111111111111111111111111"
    "0000000000000000000000002222222222222222222222222222222222222222"
    "0000000000000000000000000000000000000000000000000de0b6b3a7640000"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "0000000000000000000000000000000000000000000000000000000000000005"
    "abababababababababababababababababababababababababababababababab"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000007"
    "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
    "0000000000000000000000000000000000000000000000000000000000000041"
    "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
    "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
    "5a00000000000000000000000000000000000000000000000000000000000000";

TEST(Abi, RedeemWinningTicket) {
  Bytes aux = unhex(word("7") + "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd");
  Value ticket =
      Value::tuple({Value::address(addr(0x11)), Value::address(addr(0x22)),
                    Value::uint256(U256::from_dec("1000000000000000000").value()), Value::uint256(U256::max()),
                    Value::uint256(5), Value::bytes32(filled(0xab)), Value::bytes(aux)});
  std::vector<Value> args = {ticket, Value::bytes(Bytes(65, 0x5a)), Value::uint256(U256::from_bytes32(filled(0x0c)))};
  // The signature TicketBroker's own MixinWrappers.sol spells out.
  EXPECT_EQ(signature("redeemWinningTicket", args),
            "redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)");
  EXPECT_TRUE(ticket.is_dynamic());
  EXPECT_EQ(hex(encode_call("redeemWinningTicket", args)), kRedeemCallData);
}

TEST(Abi, StaticTupleIsInline) {
  Value t = Value::tuple({Value::uint256(1), Value::address(addr(0x01))});
  EXPECT_FALSE(t.is_dynamic());
  std::vector<Value> args = {t, Value::uint256(2)};
  EXPECT_EQ(hex(encode(args)), word("1") + word("0101010101010101010101010101010101010101") + word("2"));
  EXPECT_EQ(hex(encode(std::vector<Value>{Value::array("address", {})})), word("20") + word("0"));
}

TEST(Abi, BadTypes) {
  EXPECT_FALSE(Value::uint_n(32, U256(1) + U256::from_hex("0xffffffff").value()).ok());
  EXPECT_FALSE(Value::uint_n(7, 1).ok());
  EXPECT_FALSE(Value::fixed_bytes(Bytes(33, 1)).ok());
  EXPECT_FALSE(Value::fixed_bytes(Bytes{}).ok());
}

TEST(Abi, ReaderStaticWords) {
  // getSenderInfo-like return data: (deposit, withdrawRound), (fundsRemaining, claimed), then an
  // address and a bool.
  Bytes data = unhex(word("de0b6b3a7640000") + word("0") + word("2a") + word("1") +
                     word("9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f") + word("1"));
  Reader r(data);
  EXPECT_EQ(r.word_count(), 6u);
  EXPECT_EQ(r.u256(0)->to_dec(), "1000000000000000000");
  EXPECT_EQ(r.u256(1).value(), U256(0));
  EXPECT_EQ(r.uint_n(2, 8).value(), U256(42));
  EXPECT_EQ(r.address(4)->checksummed(), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
  EXPECT_TRUE(r.boolean(5).value());
  EXPECT_TRUE(r.boolean(3).value());
  EXPECT_FALSE(r.boolean(1).value());
}

void expect_error(const auto& result, std::string_view needle) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::BadRequest);
  EXPECT_NE(result.error().message.find(needle), std::string::npos) << result.error().message;
}

TEST(Abi, ReaderRefusesMalformed) {
  Bytes data = unhex(word("2") + "ff" + word("1").substr(2) + word("100") + "12");
  Reader r(data);
  expect_error(r.u256(4), "word 4 asked of 97 bytes");
  expect_error(r.u256(3), "word 3 asked of 97 bytes");  // the trailing partial word is not a word
  expect_error(r.boolean(0), "is not a bool");
  expect_error(r.address(1), "high 12 bytes are not zero");
  expect_error(r.uint_n(2, 8), "is not a uint8");
  expect_error(r.bytes(2), "is not an offset within");
  // A bytes value whose length runs past the data.
  Bytes truncated = unhex(word("20") + word("40") + word("1234"));
  expect_error(Reader(truncated).bytes(0), "bytes of length 64 at offset 32 but only 32 bytes follow");
}

TEST(Abi, ReaderDynamicAndRevert) {
  Bytes data = encode(std::vector<Value>{Value::uint256(7), Value::string("sender is unlocked")});
  Reader r(data);
  EXPECT_EQ(r.u256(0).value(), U256(7));
  EXPECT_EQ(r.string(1).value(), "sender is unlocked");
  // ethers 5.4.4: "0x08c379a0" + defaultAbiCoder.encode(["string"], ["sender is unlocked"]).
  Bytes revert =
      unhex("08c379a0" + word("20") + word("12") + "73656e64657220697320756e6c6f636b65640000000000000000000000000000");
  EXPECT_EQ(revert_reason(revert).value(), "sender is unlocked");
  expect_error(revert_reason(unhex("4e487b71" + word("11"))), "is not Error(string)");  // Panic(uint256)
  expect_error(revert_reason(Bytes{}), "is not Error(string)");
}

}  // namespace
}  // namespace lp::chain::abi
