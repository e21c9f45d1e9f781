// The values of lpnode's flags: parsing and checking each kind (addresses, secrets or the
// files holding them, counts, durations, prices, GPU lists, go-livepeer's booleans) into
// NodeOptions. node_options.cpp's flag table names one of these per flag.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "error.h"
#include "node_options.h"

namespace lp::flag_values {

inline constexpr std::string_view kDefaultProfiles = "P240p30fps16x9,P360p30fps16x9";  // go-livepeer's
inline constexpr int kMaxSessionsLimit = 100000;
inline constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

using Apply = Result<void> (*)(NodeOptions& o, std::string_view value, const std::string& flag);

// Bind: a listen address, where an empty host means all interfaces and port 0 "pick one".
// Dial: an address others connect to, so it needs a host and a real port.
enum class AddrKind { Bind, Dial };

// The whole string as a decimal in [min, max]: "4x", " 4" and "" are refused.
template <typename T>
std::optional<T> parse_int(std::string_view s, T min, T max) {
  T v{};
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end || v < min || v > max) return std::nullopt;
  return v;
}

Error bad(std::string message);

Error bad_value(const std::string& flag, std::string_view expected, std::string_view got);

// Go's strconv.ParseBool, which is what -flag=VALUE goes through for a boolean there.
std::optional<bool> parse_go_bool(std::string_view s);

// host:port, [v6]:port, :port, or a bare host that gets the flag's default port (as
// go-livepeer's defaultAddr does). The port comes back as a plain number ("08935" -> "8935").
Result<std::string> parse_addr(std::string_view v, const std::string& flag, AddrKind kind,
                               std::string_view default_port);

Result<void> set_addr(std::string& out, std::string_view v, const std::string& flag, AddrKind kind,
                      std::string_view default_port);

// The value itself, or the contents of the file it names minus one trailing "\n" or "\r\n"
// (geth's password files; go-livepeer trims all surrounding space, which could eat a secret's
// own spaces).
Result<std::string> secret_or_file(std::string_view v, const std::string& flag);

// One address, or (for a gateway) a comma list; orch_addr keeps the first.
// "http://" or "https://" in front of an address: taken off, and whether it was plain http.
std::pair<std::string_view, bool> strip_scheme(std::string_view v);

// Orchestrator addresses keep an explicit "http://" (plain HTTP); bare ones mean TLS.
Result<void> set_orch_addrs(NodeOptions& o, std::string_view v, const std::string& flag);

// Whole seconds (or a decimal like 0.5) as milliseconds, 0.1 to 3600.
Result<void> set_ms(std::chrono::milliseconds& out, std::string_view v, const std::string& flag);

Result<void> set_count(int& out, std::string_view v, const std::string& flag);

Result<void> set_orch_secret(NodeOptions& o, std::string_view v, const std::string& flag);

Result<void> set_eth_password(NodeOptions& o, std::string_view v, const std::string& flag);

Result<void> set_max_sessions(NodeOptions& o, std::string_view v, const std::string& flag);

Result<void> set_transcoding_options(NodeOptions& o, std::string_view v, const std::string& flag);

// "0,1" or "all", as go-livepeer takes it; "" turns GPUs off again.
Result<void> set_nvidia(NodeOptions& o, std::string_view v, const std::string& flag);

Result<void> set_price(NodeOptions& o, std::string_view v, const std::string& flag);

Result<void> set_pixels(NodeOptions& o, std::string_view v, const std::string& flag);

// Payments: -network offchain|devenv|arbitrum-one-mainnet, -ethUrl (http or https), -ethController
// (a 0x address), -pricePerGateway (checked when the node starts: it may name a file), -ticketEV
// and -maxFaceValue (whole wei), -blockPollingInterval (whole seconds, 1 to 3600).
Result<void> set_network(NodeOptions& o, std::string_view v, const std::string& flag);
Result<void> set_eth_url(NodeOptions& o, std::string_view v, const std::string& flag);
Result<void> set_eth_controller(NodeOptions& o, std::string_view v, const std::string& flag);
Result<void> set_price_per_gateway(NodeOptions& o, std::string_view v, const std::string& flag);
Result<void> set_ticket_ev(NodeOptions& o, std::string_view v, const std::string& flag);
Result<void> set_max_face_value(NodeOptions& o, std::string_view v, const std::string& flag);
Result<void> set_block_polling_interval(NodeOptions& o, std::string_view v, const std::string& flag);

Result<void> set_verbosity(NodeOptions& o, std::string_view v, const std::string& flag);

}  // namespace lp::flag_values
