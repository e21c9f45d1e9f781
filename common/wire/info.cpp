#include "wire/info.h"

#include <limits>

#include "wire/json_fields.h"

namespace lp::wire::json {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int kIntMax = std::numeric_limits<int>::max();

template <typename Io, typename Self>
void map_price(Io& io, Self& p) {
  io.integer("price_per_unit", p.price_per_unit, 0, kInt64Max);
  io.integer("pixels_per_unit", p.pixels_per_unit, 1, kInt64Max);
}

template <typename Io, typename Self>
void map_capacity(Io& io, Self& c) {
  io.integer("max", c.max, 0, kIntMax);
  io.integer("in_use", c.in_use, 0, kIntMax);
}

template <typename Io, typename Self>
void map_info(Io& io, Self& info) {
  io.string("service_addr", info.service_addr);
  io.string("version", info.version);
  io.object("capabilities", info.capabilities);
  io.object("price", info.price);
  io.object("capacity", info.capacity);
  io.object("auth_token", info.auth_token);
  io.hex("signer", info.signer, 40, Hex::PrefixedKeepCase, Need::Optional);
  io.hex("signature", info.signature, 130, Hex::Prefixed, Need::Optional);
}

}  // namespace

// Found by argument-dependent lookup from Reader/Writer, hence here and not file-local.
void describe(Reader& io, Price& p) { map_price(io, p); }
void describe(Writer& io, const Price& p) { map_price(io, p); }
void describe(Reader& io, Capacity& c) { map_capacity(io, c); }
void describe(Writer& io, const Capacity& c) { map_capacity(io, c); }
void describe(Reader& io, Info& info) { map_info(io, info); }
void describe(Writer& io, const Info& info) { map_info(io, info); }

}  // namespace lp::wire::json

namespace lp::wire {

std::string to_json(const Info& info) { return json::write(info); }

Result<Info> info_from_json(std::string_view text) { return json::parse<Info>(text); }

std::string info_signing_text(const Info& info) {
  return "lpgst-info-v1\n" + info.service_addr + "\n" + info.version + "\n" + info.auth_token.session_id + "\n" +
         std::to_string(info.auth_token.expiry) + "\n" + info.auth_token.hmac + "\n" +
         std::to_string(info.price.price_per_unit) + "\n" + std::to_string(info.price.pixels_per_unit) + "\n" +
         info.signer;
}

}  // namespace lp::wire
