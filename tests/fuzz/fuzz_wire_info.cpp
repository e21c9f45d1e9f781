// GET /v1/info's answer (wire::info_from_json), as a broadcaster reads it from any orchestrator.
// A parsed Info must survive to_json and back unchanged.
#include "fuzz_common.h"
#include "wire/info.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto info = lp::wire::info_from_json(lp::fuzz::text(data, size));
  if (!info) return 0;
  (void)lp::wire::info_signing_text(*info);
  auto again = lp::wire::info_from_json(lp::wire::to_json(*info));
  if (!again) lp::fuzz::fail("info: to_json output does not parse");
  if (!(*again == *info)) lp::fuzz::fail("info: to_json round trip changed the message");
  return 0;
}
