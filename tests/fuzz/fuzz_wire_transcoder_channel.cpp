// A message on the transcoder channel (wire::parse_channel_message): what an orchestrator reads
// from any transcoder that connects, and a transcoder from its orchestrator. A parsed message
// must be written back as JSON that parses again, as the same type.
#include <cstring>

#include "fuzz_common.h"
#include "wire/transcoder_channel.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = lp::fuzz::text(data, size);
  (void)lp::wire::bearer_matches(text, "fuzz-secret");
  auto message = lp::wire::parse_channel_message(text);
  if (!message) return 0;
  auto again = lp::wire::parse_channel_message(lp::wire::to_json(*message));
  if (!again) lp::fuzz::fail("channel message: to_json output does not parse");
  if (std::strcmp(lp::wire::message_type(*again), lp::wire::message_type(*message)) != 0)
    lp::fuzz::fail("channel message: to_json round trip changed the type");
  return 0;
}
