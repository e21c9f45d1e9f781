// How lpgst's clients (transcoders, lpctl, the gateway) reach an orchestrator's public port.
// Like go-livepeer they do not verify its certificate against a CA (orchestrators use
// self-signed ones): what they verify is the Ethereum address that signs /v1/info and the
// results. A transcoder can pin the certificate instead (--orch-cert-sha256).
#pragma once

#include <libsoup/soup.h>

#include <string>

namespace lp {

// "host:port" (TLS, the default), "https://host:port" or "http://host:port" (plain, for
// loopback and tests) -> "https://host:port" / "http://host:port".
std::string orchestrator_base_url(const std::string& addr);

// Lets `msg` accept the orchestrator's certificate: any certificate when `pin_sha256` is "",
// else only the one whose DER hashes to it (64 hex digits, case and ':' ignored).
void accept_orchestrator_certificate(SoupMessage* msg, const std::string& pin_sha256);

// A pin as 64 lower-case hex digits; "" when `text` is not one.
std::string normalize_certificate_pin(const std::string& text);

}  // namespace lp
