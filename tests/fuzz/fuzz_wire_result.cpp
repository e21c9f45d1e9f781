// The orchestrator's signed result (wire::transcode_result_from_json), the first part of its
// multipart answer to POST /v1/segment. A parsed result must survive to_json and back.
#include "fuzz_common.h"
#include "wire/result.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = lp::wire::transcode_result_from_json(lp::fuzz::text(data, size));
  if (!result) return 0;
  auto again = lp::wire::transcode_result_from_json(lp::wire::to_json(*result));
  if (!again) lp::fuzz::fail("result: to_json output does not parse");
  if (!(*again == *result)) lp::fuzz::fail("result: to_json round trip changed the message");
  return 0;
}
