// Auth tokens as a client presents them: the Lp-Auth-Token header value
// (<session_id>.<expiry>.<hmac>) and the JSON object of /v1/info, then verified against a
// secret as the orchestrator does. A parsed token must survive both encodings.
#include "fuzz_common.h"
#include "wire/auth_token.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

namespace {

void check(const lp::wire::AuthToken& token) {
  (void)lp::wire::verify_token("fuzz-secret", token, 1'700'000'000);
  auto header = lp::wire::auth_token_from_header_value(lp::wire::to_header_value(token));
  if (!header || !(*header == token)) lp::fuzz::fail("auth token: header round trip");
  auto json = lp::wire::auth_token_from_json(lp::wire::to_json(token));
  if (!json || !(*json == token)) lp::fuzz::fail("auth token: JSON round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = lp::fuzz::text(data, size);
  if (auto token = lp::wire::auth_token_from_header_value(text)) check(*token);
  if (auto token = lp::wire::auth_token_from_json(text)) check(*token);
  // A token issued for a fuzzed session id (issue_token validates it) must verify.
  if (size <= 80) {
    if (auto issued = lp::wire::issue_token("fuzz-secret", text, 1'800'000'000)) {
      if (!lp::wire::verify_token("fuzz-secret", *issued, 1'700'000'000).ok())
        lp::fuzz::fail("auth token: an issued token does not verify");
      (void)lp::wire::constant_time_equal(issued->hmac, text);
    }
  }
  return 0;
}
