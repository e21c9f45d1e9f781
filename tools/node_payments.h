// lpnode's payment flags (go-livepeer's -network, -ethUrl, -ethController, -pricePerUnit,
// -pixelsPerUnit, -pricePerGateway, -ticketEV, -maxFaceValue, -autoAdjustPrice,
// -blockPollingInterval) turned into the orchestrator's PaymentConfig. docs/payments.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "eth_key.h"
#include "node_options.h"
#include "payment_service.h"

namespace lp {

// Livepeer's Controller on Arbitrum One (go-livepeer's default for -network arbitrum-one-mainnet).
inline constexpr char kArbitrumOneController[] = "0xD8E8328501E9645d16Cf49539efC04f734606ee4";

// -pricePerGateway: JSON text, or a file holding it, as go-livepeer reads it:
//   {"gateways":[{"ethaddress":"0x..","priceperunit":1000,"pixelsperunit":1}]}
// ("broadcasters" is taken for the old -pricePerBroadcaster spelling). Prices are whole wei:
// a "currency" other than WEI needs a price feed lpgst does not have, and is refused.
Result<std::vector<pm::GatewayPrice>> parse_price_per_gateway(std::string_view text_or_file);

// The payment settings for an orchestrator started with `o` and signing with `key`; nullopt
// offchain. Errors name the flag: -ethUrl missing on chain, -ethController missing on devenv, a
// -pricePerGateway that does not parse.
Result<std::optional<pm::PaymentConfig>> node_payment_config(const NodeOptions& o, const eth::PrivateKey& key,
                                                             const std::string& data_dir);

}  // namespace lp
