// The MPEG-TS probe (broadcaster/hls/ts_probe.h): the codecs of a segment, read from its PAT, PMT
// and first H.264/HEVC parameter sets. Its input is a rendition an orchestrator returned, or a
// live MPEG-TS feed.
#include "fuzz_common.h"
#include "ts_probe.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size copy, so ASan sees a read one byte past the input.
  g_autoptr(GBytes) bytes = g_bytes_new(data, size);
  const lp::TsCodecs codecs = lp::probe_ts_codecs(bytes);
  (void)codecs.attribute();
  return 0;
}
