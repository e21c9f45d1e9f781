// The fragmented-MP4 splitter (broadcaster/hls/fmp4_split.h, over mp4_boxes.h and av1_config.h):
// a VP9 or AV1 rendition as an orchestrator returns it, cut into an HLS init section and media
// segment. What it writes must itself be readable: the init splits again (as an MP4 with the
// media after it) without a crash.
#include <vector>

#include "fmp4_split.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> copy(data, data + size);  // exact size, for ASan
  const std::span<const uint8_t> in(copy);
  (void)lp::looks_like_mp4(in);
  auto out = lp::split_fmp4(in, 10 * GST_SECOND);
  if (!out) return 0;
  std::vector<uint8_t> joined = out->init;
  joined.insert(joined.end(), out->media.begin(), out->media.end());
  (void)lp::split_fmp4(joined, 20 * GST_SECOND);
  return 0;
}
