// AV1 in ISO BMFF needs an AV1CodecConfigurationRecord (av1C: profile, level, tier, bit depth,
// chroma, then the sequence header OBU). GStreamer 1.22's mp4mux writes an empty one when its
// caps carry no codec_data (av1parse gives none), and browsers refuse such a track. This reads
// the sequence header OBU from a temporal unit and builds the record, and the RFC 6381 codec
// string ("av01.0.04M.08") HLS's CODECS attribute wants.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lp {

struct Av1SequenceInfo {
  int profile = 0;  // seq_profile
  int level = 0;    // seq_level_idx[0]
  int tier = 0;     // seq_tier[0]
  int bit_depth = 8;
  bool monochrome = false;
  int subsampling_x = 1;
  int subsampling_y = 1;
  int chroma_sample_position = 0;
  std::vector<uint8_t> sequence_header_obu;  // the whole OBU, header and size field included

  std::string codec_string() const;            // "av01.0.04M.08"
  std::vector<uint8_t> config_record() const;  // av1C's payload
};

// The first sequence header OBU among the OBUs of `temporal_unit` (low-overhead format, each
// with its size field, as in MP4 samples). nullopt when none is there or it is malformed.
std::optional<Av1SequenceInfo> read_av1_sequence_header(std::span<const uint8_t> temporal_unit);

}  // namespace lp
