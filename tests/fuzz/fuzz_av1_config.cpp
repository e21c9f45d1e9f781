// The AV1 sequence header reader (broadcaster/hls/av1_config.h): the first sample of an AV1
// rendition, from which the av1C record and the CODECS string are built.
#include <vector>

#include "av1_config.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> copy(data, data + size);  // exact size, for ASan
  auto info = lp::read_av1_sequence_header(copy);
  if (!info) return 0;
  (void)info->codec_string();
  const auto record = info->config_record();
  if (record.size() != 4 + info->sequence_header_obu.size()) lp::fuzz::fail("av1C: wrong record size");
  // The OBU kept is a sequence header OBU: reading it alone must give the same header.
  auto again = lp::read_av1_sequence_header(info->sequence_header_obu);
  if (!again || again->profile != info->profile || again->level != info->level || again->tier != info->tier ||
      again->bit_depth != info->bit_depth || again->sequence_header_obu != info->sequence_header_obu)
    lp::fuzz::fail("av1C: the kept sequence header OBU does not read back the same");
  return 0;
}
