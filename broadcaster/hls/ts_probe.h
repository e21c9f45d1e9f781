// What an MPEG-TS segment carries, read from its packets: the stream types of its program and
// the H.264 profile/level of its video, as an HLS master playlist's CODECS attribute spells
// them (RFC 6381: "avc1.64001f", "mp4a.40.2").
#pragma once

#include <glib.h>

#include <string>

namespace lp {

struct TsCodecs {
  std::string video;              // "avc1.64001f", "hvc1.1.6.L93.B0", "mp2v"; "" = none found
  std::string audio;              // "mp4a.40.2", "mp4a.40.34", "ac-3"; "" = none
  std::string attribute() const;  // "avc1.64001f,mp4a.40.2"
};

TsCodecs probe_ts_codecs(GBytes* ts);

}  // namespace lp
