#include "node_flag_values.h"

#include <algorithm>

#include <glib.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "address.h"
#include "http/tls_trust.h"

namespace lp::flag_values {

Error bad(std::string message) { return Error{ErrorCode::BadRequest, std::move(message)}; }

Error bad_value(const std::string& flag, std::string_view expected, std::string_view got) {
  return bad(flag + ": expected " + std::string(expected) + ", got \"" + std::string(got) + "\"");
}

// Go's strconv.ParseBool, which is what -flag=VALUE goes through for a boolean there.
std::optional<bool> parse_go_bool(std::string_view s) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (s == t) return true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

// host:port, [v6]:port, :port, or a bare host that gets the flag's default port (as
// go-livepeer's defaultAddr does). The port comes back as a plain number ("08935" -> "8935").
Result<std::string> parse_addr(std::string_view v, const std::string& flag, AddrKind kind,
                               std::string_view default_port) {
  constexpr std::string_view kShape = "host:port or :port";
  // No paths or lists: one plain address (schemes are taken off by the flags that allow one).
  if (v.empty() || v.find_first_of(" \t/\\?#@,") != std::string_view::npos) {
    return bad_value(flag, kShape, v);
  }
  std::string_view host = v;
  std::string_view port = default_port;
  if (v.starts_with('[')) {
    const auto close = v.find(']');
    if (close == std::string_view::npos || close < 2) return bad_value(flag, kShape, v);
    host = v.substr(0, close + 1);
    const std::string_view rest = v.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return bad_value(flag, kShape, v);
      port = rest.substr(1);
    }
  } else if (const auto colon = v.rfind(':'); colon != std::string_view::npos) {
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return bad(flag + ": put an IPv6 address in brackets ([::1]:8935), got \"" + std::string(v) + "\"");
    }
  }
  if (host.empty()) {
    if (kind == AddrKind::Dial) return bad(flag + ": needs a host, got \"" + std::string(v) + "\"");
    host = "0.0.0.0";
  }
  const int min_port = kind == AddrKind::Bind ? 0 : 1;
  const auto p = parse_int<int>(port, min_port, 65535);
  if (!p) {
    return bad(flag + ": port must be " + std::to_string(min_port) + "..65535, got \"" + std::string(port) + "\"");
  }
  return std::string(host) + ":" + std::to_string(*p);
}

Result<void> set_addr(std::string& out, std::string_view v, const std::string& flag, AddrKind kind,
                      std::string_view default_port) {
  auto addr = parse_addr(v, flag, kind, default_port);
  if (!addr) return addr.error();
  out = std::move(*addr);
  return {};
}

// The value itself, or the contents of the file it names minus one trailing "\n" or "\r\n"
// (geth's password files; go-livepeer trims all surrounding space, which could eat a secret's
// own spaces).
Result<std::string> secret_or_file(std::string_view v, const std::string& flag) {
  const std::filesystem::path path{std::string(v)};
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (v.empty() || ec || !std::filesystem::exists(status)) {
    // A value that looks like a path but names nothing is a typo, not a secret.
    if (v.find('/') != std::string_view::npos)
      return bad(flag + ": no such file \"" + std::string(v) + "\" (a secret with a '/' must be given in a file)");
    return std::string(v);
  }
  if (!std::filesystem::is_regular_file(status)) {
    return bad(flag + ": \"" + std::string(v) + "\" is not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad(flag + ": cannot read \"" + std::string(v) + "\"");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.ends_with("\r\n")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with('\n')) {
    text.pop_back();
  }
  return text;
}

// One address, or (for a gateway) a comma list; orch_addr keeps the first.
// "http://" or "https://" in front of an address: taken off, and whether it was plain http.
std::pair<std::string_view, bool> strip_scheme(std::string_view v) {
  if (v.starts_with("http://")) return {v.substr(7), true};
  if (v.starts_with("https://")) return {v.substr(8), false};
  return {v, false};
}

// Orchestrator addresses keep an explicit "http://" (plain HTTP); bare ones mean TLS.
Result<void> set_orch_addrs(NodeOptions& o, std::string_view v, const std::string& flag) {
  std::vector<std::string> addrs;
  std::string_view rest = v;
  while (true) {
    const auto comma = rest.find(',');
    std::string one;
    const auto [bare, plain] = strip_scheme(rest.substr(0, comma));
    if (auto e = set_addr(one, bare, flag, AddrKind::Dial, "8935"); !e.ok()) return e;
    if (plain) one = "http://" + one;
    addrs.push_back(std::move(one));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  o.orch_addrs = std::move(addrs);
  o.orch_addr = o.orch_addrs.front();
  return {};
}

// Whole seconds (or a decimal like 0.5) as milliseconds, 0.1 to 3600.
Result<void> set_ms(std::chrono::milliseconds& out, std::string_view v, const std::string& flag) {
  char* end = nullptr;
  const std::string text(v);
  const double s = g_ascii_strtod(text.c_str(), &end);
  if (text.empty() || !end || *end != '\0' || !(s >= 0.1 && s <= 3600))
    return bad_value(flag, "seconds, 0.1 to 3600", v);
  out = std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
  return {};
}

Result<void> set_count(int& out, std::string_view v, const std::string& flag) {
  const auto n = parse_int<int>(v, 1, 1000000);
  if (!n) return bad_value(flag, "1 to 1000000", v);
  out = *n;
  return {};
}

Result<void> set_orch_secret(NodeOptions& o, std::string_view v, const std::string& flag) {
  auto secret = secret_or_file(v, flag);
  if (!secret) return secret.error();
  if (secret->empty()) {
    return bad(flag + (v.empty() ? ": the secret is empty" : ": the secret file is empty"));
  }
  o.orch_secret = std::move(*secret);
  return {};
}

Result<void> set_eth_password(NodeOptions& o, std::string_view v, const std::string& flag) {
  auto password = secret_or_file(v, flag);
  if (!password) return password.error();
  o.eth_password = std::move(*password);
  return {};
}

Result<void> set_max_sessions(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (v == "auto") {
    o.max_sessions_auto = true;
    return {};
  }
  const auto n = parse_int<int>(v, 1, kMaxSessionsLimit);
  if (!n) return bad_value(flag, "a number from 1 to 100000 or auto", v);
  o.max_sessions = *n;
  o.max_sessions_auto = false;  // the last one given wins, as in Go
  return {};
}

Result<void> set_transcoding_options(NodeOptions& o, std::string_view v, const std::string& flag) {
  auto profiles = parse_profiles(v);
  if (!profiles) return bad(flag + ": " + profiles.error().message);
  o.transcoding_options = std::move(*profiles);
  return {};
}

// "0,1" or "all", as go-livepeer takes it; "" turns GPUs off again.
Result<void> set_nvidia(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (!v.empty() && v != "all") {
    std::string_view rest = v;
    for (bool more = true; more;) {
      const auto comma = rest.find(',');
      if (!parse_int<int>(rest.substr(0, comma), 0, 1023)) {
        return bad_value(flag, "GPU ids like 0,1 or all", v);
      }
      more = comma != std::string_view::npos;
      if (more) rest.remove_prefix(comma + 1);
    }
  }
  o.nvidia = std::string(v);
  return {};
}

Result<void> set_price(NodeOptions& o, std::string_view v, const std::string& flag) {
  const auto n = parse_int<int64_t>(v, 0, kInt64Max);
  if (!n) {
    return bad_value(flag,
                     "a whole number of wei (custom currencies like 0.50USD are not "
                     "supported)",
                     v);
  }
  o.price_per_unit = *n;
  return {};
}

Result<void> set_pixels(NodeOptions& o, std::string_view v, const std::string& flag) {
  const auto n = parse_int<int64_t>(v, 1, kInt64Max);
  if (!n) return bad_value(flag, "a whole number of pixels, 1 or more", v);
  o.pixels_per_unit = *n;
  return {};
}

Result<void> set_network(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (v != "offchain" && v != "devenv" && v != "arbitrum-one-mainnet")
    return bad_value(flag, "offchain, devenv or arbitrum-one-mainnet", v);
  o.network = std::string(v);
  return {};
}

Result<void> set_eth_url(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (!v.starts_with("http://") && !v.starts_with("https://")) return bad_value(flag, "an http:// or https:// URL", v);
  o.eth_url = std::string(v);
  return {};
}

Result<void> set_eth_controller(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (!eth::parse_address(v)) return bad_value(flag, "a 0x address", v);
  o.eth_controller = std::string(v);
  return {};
}

Result<void> set_price_per_gateway(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (v.empty()) return bad_value(flag, "JSON or a file holding it", v);
  o.price_per_gateway = std::string(v);
  return {};
}

// Whole wei, as decimal digits (up to 78 of them: a uint256).
static bool whole_wei(std::string_view v) {
  return !v.empty() && v.size() <= 78 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<void> set_ticket_ev(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (!whole_wei(v) || v.find_first_not_of('0') == std::string_view::npos)
    return bad_value(flag, "a whole number of wei, 1 or more", v);
  o.ticket_ev = std::string(v);
  return {};
}

Result<void> set_max_face_value(NodeOptions& o, std::string_view v, const std::string& flag) {
  if (!whole_wei(v)) return bad_value(flag, "a whole number of wei", v);
  o.max_face_value = std::string(v);
  return {};
}

Result<void> set_block_polling_interval(NodeOptions& o, std::string_view v, const std::string& flag) {
  const auto n = parse_int<int>(v, 1, 3600);
  if (!n) return bad_value(flag, "whole seconds, 1 to 3600", v);
  o.block_polling_interval_s = *n;
  return {};
}

Result<void> set_verbosity(NodeOptions& o, std::string_view v, const std::string& flag) {
  const auto n = parse_int<int>(v, 0, 100);
  if (!n) return bad_value(flag, "a level from 0 to 100", v);
  o.verbosity = *n;
  return {};
}

}  // namespace lp::flag_values
