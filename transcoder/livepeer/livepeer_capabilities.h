// go-livepeer's capabilities (core/capabilities.go): what a transcoder announces when it
// registers, as bits of Capabilities.bitstring, and the check a transcoder makes of each
// segment's required capabilities against its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lp_rpc.pb.h"
#include "wire/capabilities.h"

namespace lp::livepeer {

// go-livepeer's numbering (a protocol fact: these travel as bit positions).
enum Capability : int {
  kH264 = 0,
  kMpegTs = 1,
  kMp4 = 2,
  kFractionalFramerates = 3,
  kStorageDirect = 4,
  kStorageS3 = 5,
  kStorageGcs = 6,
  kProfileH264Baseline = 7,
  kProfileH264Main = 8,
  kProfileH264High = 9,
  kProfileH264ConstrainedHigh = 10,
  kGop = 11,
  kAuthToken = 12,
  kSceneClassification = 13,
  kMpeg7VideoSignature = 14,
  kHevcDecode = 15,
  kHevcEncode = 16,
  kVp8Decode = 17,
  kVp9Decode = 18,
  kVp8Encode = 19,
  kVp9Encode = 20,
  kH264Decode444_8bit = 21,
  kH264Decode422_8bit = 22,
  kH264Decode444_10bit = 23,
  kH264Decode422_10bit = 24,
  kH264Decode420_10bit = 25,
  kSegmentSlicing = 26,
};

// The version lpgst announces in Capabilities.version: go-livepeer orchestrators and
// gateways compare it by semver against their minimum (-orchMinLivepeerVersion). It names
// the go-livepeer release whose transcoder protocol lpgst follows.
inline constexpr const char* kAnnouncedVersion = "0.8.9";

// What this transcoder can do, in go-livepeer's terms: from the encoders it has
// (node_capabilities) and the decoders and demuxers GStreamer has installed. Needs gst_init.
// Sorted, no duplicates.
std::vector<int> transcoder_capabilities(const wire::Capabilities& node);

// What a go-livepeer transcoder's bits mean in lpgst's terms, for matching profiles: the
// codecs it encodes (H264, HEVC_Encode, VP8_Encode, VP9_Encode) and every preset.
wire::Capabilities wire_capabilities_from(const std::vector<int>& capabilities);

// The message a transcoder registers with.
net::Capabilities to_net_capabilities(const std::vector<int>& capabilities, const std::string& version);

// The capabilities in a bitstring, sorted.
std::vector<int> capabilities_in(const net::Capabilities& caps);

// go-livepeer's CompatibleWith for a segment's `required` against a node's `ours`: every
// required bit is ours and every mandatory of ours is required. nullopt when compatible,
// else the names of what is missing ("HEVC_Encode, VP9_Decode").
std::optional<std::string> incompatible(const net::Capabilities& required, const net::Capabilities& ours);

// go-livepeer's name of a capability ("H264", "MPEGTS", ...), or its number as text.
std::string capability_name(int capability);

}  // namespace lp::livepeer
