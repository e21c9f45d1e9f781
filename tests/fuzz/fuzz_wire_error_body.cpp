// An error answer's body (wire::error_body_from_json), read from orchestrators and transcoders,
// and turned into an Error (to_error) as the client does.
#include "fuzz_common.h"
#include "wire/error_body.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = lp::fuzz::text(data, size);
  (void)lp::wire::error_code_from_name(text);
  auto body = lp::wire::error_body_from_json(text);
  if (!body) return 0;
  const lp::Error e = lp::wire::to_error(*body);
  (void)lp::wire::http_status(e.code);
  auto again = lp::wire::error_body_from_json(lp::wire::to_json(*body));
  if (!again) lp::fuzz::fail("error body: to_json output does not parse");
  if (!(*again == *body)) lp::fuzz::fail("error body: to_json round trip changed the message");
  return 0;
}
