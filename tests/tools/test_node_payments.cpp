// lpnode's payment flags into the orchestrator's PaymentConfig (tools/node_payments.h):
// -pricePerGateway as go-livepeer reads it, the on-chain settings and the errors naming the flag.
#include "node_payments.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lp {
namespace {

const char* kGateway = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

TEST(PricePerGateway, ReadsGoLivepeersJson) {
  auto prices = parse_price_per_gateway(
      std::string(R"({"gateways":[{"ethaddress":")") + kGateway + R"(","priceperunit":1000,"pixelsperunit":3},)" +
      R"({"ethaddress":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8",)" + R"("priceperunit":"25","currency":"wei"}]})");
  ASSERT_TRUE(prices) << prices.error().message;
  ASSERT_EQ(prices->size(), 2u);
  EXPECT_EQ((*prices)[0].gateway.checksummed(), kGateway);
  EXPECT_EQ((*prices)[0].price_per_unit, 1000);
  EXPECT_EQ((*prices)[0].pixels_per_unit, 3);
  EXPECT_EQ((*prices)[1].price_per_unit, 25);
  EXPECT_EQ((*prices)[1].pixels_per_unit, 1);
  // The old -pricePerBroadcaster spelling.
  auto old = parse_price_per_gateway(std::string(R"({"broadcasters":[{"ethaddress":")") + kGateway +
                                     R"(","priceperunit":5,"pixelsperunit":1}]})");
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->size(), 1u);
}

TEST(PricePerGateway, ReadsAFile) {
  const std::string path = (std::filesystem::temp_directory_path() / "lp-price-per-gateway.json").string();
  std::ofstream(path) << R"({"gateways":[{"ethaddress":")" << kGateway << R"(","priceperunit":7}]})";
  auto prices = parse_price_per_gateway(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(prices) << prices.error().message;
  ASSERT_EQ(prices->size(), 1u);
  EXPECT_EQ((*prices)[0].price_per_unit, 7);
}

TEST(PricePerGateway, RefusalsNameWhatIsWrong) {
  const auto error = [](const std::string& text) {
    auto r = parse_price_per_gateway(text);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_NE(error("not json").find("-pricePerGateway: not JSON"), std::string::npos);
  EXPECT_NE(error("[]").find("expected {\"gateways\""), std::string::npos);
  EXPECT_NE(error(R"({"gateways":[1]})").find("entry 0: not an object"), std::string::npos);
  EXPECT_NE(error(R"({"gateways":[{"ethaddress":"0x12","priceperunit":1}]})").find("ethaddress"), std::string::npos);
  const std::string a = std::string(R"({"gateways":[{"ethaddress":")") + kGateway + "\",";
  EXPECT_NE(error(a + R"("priceperunit":0.5,"currency":"USD"}]})").find("currency USD needs a price feed"),
            std::string::npos);
  EXPECT_NE(error(a + R"("priceperunit":1.5}]})").find("priceperunit: expected a whole number"), std::string::npos);
  EXPECT_NE(error(a + R"("priceperunit":-1}]})").find("priceperunit"), std::string::npos);
  EXPECT_NE(error(a + R"("priceperunit":1,"pixelsperunit":0}]})").find("pixelsperunit"), std::string::npos);
  EXPECT_NE(error(std::string(1000, '[')).find("nested too deep"), std::string::npos);
}

TEST(NodePaymentConfig, OffchainHasNoneAndOnChainNeedsItsNode) {
  auto key = eth::PrivateKey::generate();
  ASSERT_TRUE(key);
  NodeOptions o;
  auto none = node_payment_config(o, *key, "/tmp/x");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  o.network = "devenv";
  auto e = node_payment_config(o, *key, "/tmp/x");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("needs -ethUrl"), std::string::npos);
  o.eth_url = "http://127.0.0.1:8545";
  e = node_payment_config(o, *key, "/tmp/x");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("needs -ethController"), std::string::npos);

  // arbitrum-one-mainnet has a default Controller.
  o.network = "arbitrum-one-mainnet";
  o.price_per_unit = 1200;
  o.pixels_per_unit = 3;
  o.ticket_ev = "2000";
  o.max_face_value = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  o.auto_adjust_price = false;
  o.block_polling_interval_s = 9;
  o.price_per_gateway = std::string(R"({"gateways":[{"ethaddress":")") + kGateway + R"(","priceperunit":1}]})";
  auto c = node_payment_config(o, *key, "/data");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(*c);
  const pm::PaymentConfig& pc = **c;
  EXPECT_EQ(pc.controller.checksummed(), kArbitrumOneController);
  EXPECT_EQ(pc.eth_url, "http://127.0.0.1:8545");
  ASSERT_TRUE(pc.key);
  EXPECT_EQ(pc.key->address(), key->address());
  EXPECT_EQ(pc.data_dir, "/data");
  EXPECT_EQ(pc.price_per_unit, 1200);
  EXPECT_EQ(pc.pixels_per_unit, 3);
  EXPECT_EQ(pc.ticket_ev, pm::U256(2000));
  EXPECT_EQ(pc.max_face_value, chain::U256::max());
  EXPECT_FALSE(pc.auto_adjust_price);
  EXPECT_EQ(pc.block_polling_interval, std::chrono::seconds(9));
  ASSERT_EQ(pc.price_per_gateway.size(), 1u);

  o.max_face_value = "115792089237316195423570985008687907853269984665640564039457584007913129639936";  // 2^256
  e = node_payment_config(o, *key, "/data");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("-maxFaceValue"), std::string::npos);
}

}  // namespace
}  // namespace lp
