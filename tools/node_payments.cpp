#include "node_payments.h"

#include <json-glib/json-glib.h>

#include <fstream>
#include <sstream>

#include "json_text.h"

namespace lp {
namespace {

Error bad(const std::string& text) { return Error{ErrorCode::BadRequest, text}; }

// A whole number of wei or pixels, written as a JSON number or string (go-livepeer takes both).
std::optional<int64_t> whole_number(JsonNode* node, int64_t min) {
  if (!node || JSON_NODE_TYPE(node) != JSON_NODE_VALUE) return std::nullopt;
  int64_t n = 0;
  if (json_node_get_value_type(node) == G_TYPE_INT64) {
    n = json_node_get_int(node);
  } else if (json_node_get_value_type(node) == G_TYPE_STRING) {
    const char* s = json_node_get_string(node);
    char* end = nullptr;
    errno = 0;
    n = g_ascii_strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (n < min) return std::nullopt;
  return n;
}

}  // namespace

Result<std::vector<pm::GatewayPrice>> parse_price_per_gateway(std::string_view text_or_file) {
  std::string text(text_or_file);
  // common.ReadFromFile: a path that names a file is read; anything else is the JSON itself.
  if (!text.empty() && text.front() != '{' && g_file_test(text.c_str(), G_FILE_TEST_IS_REGULAR)) {
    std::ifstream in(text);
    std::stringstream all;
    all << in.rdbuf();
    if (!in) return bad("-pricePerGateway: cannot read " + text);
    text = all.str();
  }
  if (auto why = json_text_problem(text)) return bad("-pricePerGateway: " + *why);
  if (json_nested_deeper_than(text, 16)) return bad("-pricePerGateway: JSON nested too deep");
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_data(parser, text.data(), static_cast<gssize>(text.size()), &error))
    return bad(std::string("-pricePerGateway: not JSON: ") + error->message);
  JsonNode* root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) return bad("-pricePerGateway: expected {\"gateways\": [...]}");
  JsonObject* object = json_node_get_object(root);
  JsonNode* list = json_object_get_member(object, "gateways");
  if (!list) list = json_object_get_member(object, "broadcasters");
  if (!list || !JSON_NODE_HOLDS_ARRAY(list)) return bad("-pricePerGateway: expected {\"gateways\": [...]}");
  std::vector<pm::GatewayPrice> prices;
  JsonArray* array = json_node_get_array(list);
  for (guint i = 0; i < json_array_get_length(array); ++i) {
    const std::string where = "-pricePerGateway: entry " + std::to_string(i) + ": ";
    JsonNode* entry = json_array_get_element(array, i);
    if (!JSON_NODE_HOLDS_OBJECT(entry)) return bad(where + "not an object");
    JsonObject* e = json_node_get_object(entry);
    const char* address =
        json_object_has_member(e, "ethaddress") ? json_object_get_string_member(e, "ethaddress") : nullptr;
    auto parsed = address ? eth::parse_address(address) : Result<eth::Address>(bad("missing"));
    if (!parsed) return bad(where + "ethaddress: expected a 0x address");
    if (json_object_has_member(e, "currency")) {
      const char* currency = json_object_get_string_member(e, "currency");
      if (!currency || g_ascii_strcasecmp(currency, "WEI") != 0)
        return bad(where + "currency " + (currency ? currency : "?") +
                   " needs a price feed; give priceperunit in wei (no currency, or WEI)");
    }
    auto price = whole_number(json_object_get_member(e, "priceperunit"), 0);
    if (!price) return bad(where + "priceperunit: expected a whole number of wei");
    auto pixels = json_object_has_member(e, "pixelsperunit")
                      ? whole_number(json_object_get_member(e, "pixelsperunit"), 1)
                      : std::optional<int64_t>(1);
    if (!pixels) return bad(where + "pixelsperunit: expected a whole number, 1 or more");
    prices.push_back({*parsed, *price, *pixels});
  }
  return prices;
}

Result<std::optional<pm::PaymentConfig>> node_payment_config(const NodeOptions& o, const eth::PrivateKey& key,
                                                             const std::string& data_dir) {
  if (o.network == "offchain") return std::optional<pm::PaymentConfig>();
  pm::PaymentConfig c;
  if (o.eth_url.empty()) return bad("-network " + o.network + " needs -ethUrl (the chain node's JSON-RPC URL)");
  c.eth_url = o.eth_url;
  std::string controller = o.eth_controller;
  if (controller.empty() && o.network == "arbitrum-one-mainnet") controller = kArbitrumOneController;
  if (controller.empty()) return bad("-network " + o.network + " needs -ethController (the Controller's address)");
  auto address = eth::parse_address(controller);
  if (!address) return bad("-ethController: expected a 0x address, got " + controller);
  c.controller = *address;
  auto signer = eth::PrivateKey::from_bytes(key.secret());  // the service keeps its own copy
  if (!signer) return signer.error();
  c.key = std::move(*signer);
  c.data_dir = data_dir;
  c.price_per_unit = o.price_per_unit;
  c.pixels_per_unit = o.pixels_per_unit;
  if (!o.price_per_gateway.empty()) {
    auto prices = parse_price_per_gateway(o.price_per_gateway);
    if (!prices) return prices.error();
    c.price_per_gateway = std::move(*prices);
  }
  if (!o.ticket_ev.empty()) {
    auto ev = pm::U256::from_dec(o.ticket_ev);
    if (!ev || ev->is_zero()) return bad("-ticketEV: expected a whole number of wei, 1 or more");
    c.ticket_ev = *ev;
  }
  if (!o.max_face_value.empty()) {
    auto cap = pm::U256::from_dec(o.max_face_value);
    if (!cap) return bad("-maxFaceValue: expected a whole number of wei");
    c.max_face_value = *cap;
  }
  c.auto_adjust_price = o.auto_adjust_price;
  c.block_polling_interval = std::chrono::seconds(o.block_polling_interval_s);
  c.reward = o.reward;
  c.initialize_round = o.initialize_round;
  return std::optional<pm::PaymentConfig>(std::move(c));
}

}  // namespace lp
