#include "livepeer/livepeer_capabilities.h"

#include <gst/gst.h>

#include <algorithm>
#include <array>

namespace lp::livepeer {
namespace {

bool has_element(const char* factory) {
  g_autoptr(GstElementFactory) f = gst_element_factory_find(factory);
  return f != nullptr;
}

bool any_element(std::initializer_list<const char*> factories) {
  return std::any_of(factories.begin(), factories.end(), [](const char* f) { return has_element(f); });
}

bool encodes(const wire::Capabilities& node, VideoCodec codec) {
  const std::string name = video_codec_name(codec);
  return std::find(node.codecs.begin(), node.codecs.end(), name) != node.codecs.end();
}

void set_bit(std::vector<uint64_t>& words, int capability) {
  const size_t word = static_cast<size_t>(capability) / 64;
  if (words.size() <= word) words.resize(word + 1, 0);
  words[word] |= uint64_t{1} << (capability % 64);
}

std::vector<uint64_t> words_of(const google::protobuf::RepeatedField<uint64_t>& field) {
  return std::vector<uint64_t>(field.begin(), field.end());
}

std::vector<int> bits_of(const std::vector<uint64_t>& words) {
  std::vector<int> out;
  for (size_t w = 0; w < words.size(); ++w)
    for (int b = 0; b < 64; ++b)
      if (words[w] & (uint64_t{1} << b)) out.push_back(static_cast<int>(w * 64 + static_cast<size_t>(b)));
  return out;
}

}  // namespace

std::vector<int> transcoder_capabilities(const wire::Capabilities& node) {
  std::vector<int> caps;
  const bool h264_decode = any_element({"avdec_h264", "nvh264dec", "openh264dec"});
  if (h264_decode && encodes(node, VideoCodec::H264)) caps.push_back(kH264);
  if (has_element("tsdemux")) caps.push_back(kMpegTs);
  if (has_element("qtdemux") && has_element("mp4mux")) caps.push_back(kMp4);
  // fpsDen is honoured (lprendition's framerate is a fraction).
  caps.push_back(kFractionalFramerates);
  // Storage is the orchestrator's business: it strips it before notifying a transcoder, and
  // go-livepeer transcoders announce these three by default, so segments that name them match.
  caps.insert(caps.end(), {kStorageDirect, kStorageS3, kStorageGcs});
  if (encodes(node, VideoCodec::H264)) {
    caps.insert(caps.end(), {kProfileH264Baseline, kProfileH264Main, kProfileH264High, kProfileH264ConstrainedHigh});
  }
  caps.push_back(kGop);
  caps.push_back(kAuthToken);
  // Not announced: SceneClassification (deprecated), MPEG7VideoSignature (lpgst computes no
  // perceptual hash), SegmentSlicing (segment_parameters clips are not applied), and the
  // 4:2:2 / 4:4:4 / 10-bit H.264 decode bits (renditions are 8-bit 4:2:0 and those inputs are
  // not tested here yet).
  if (any_element({"avdec_h265", "nvh265dec"})) caps.push_back(kHevcDecode);
  if (encodes(node, VideoCodec::HEVC)) caps.push_back(kHevcEncode);
  if (any_element({"avdec_vp8", "vp8dec"})) caps.push_back(kVp8Decode);
  if (any_element({"avdec_vp9", "vp9dec", "nvvp9dec"})) caps.push_back(kVp9Decode);
  if (encodes(node, VideoCodec::VP8)) caps.push_back(kVp8Encode);
  if (encodes(node, VideoCodec::VP9)) caps.push_back(kVp9Encode);
  std::sort(caps.begin(), caps.end());
  caps.erase(std::unique(caps.begin(), caps.end()), caps.end());
  return caps;
}

wire::Capabilities wire_capabilities_from(const std::vector<int>& capabilities) {
  wire::Capabilities out;
  auto has = [&](int c) { return std::find(capabilities.begin(), capabilities.end(), c) != capabilities.end(); };
  const std::pair<int, VideoCodec> encoders[] = {{kH264, VideoCodec::H264},
                                                 {kHevcEncode, VideoCodec::HEVC},
                                                 {kVp8Encode, VideoCodec::VP8},
                                                 {kVp9Encode, VideoCodec::VP9}};
  for (const auto& [bit, codec] : encoders)
    if (has(bit)) out.codecs.push_back(video_codec_name(codec));
  for (const auto& p : preset_profiles()) out.presets.push_back(p.name);
  return out;
}

net::Capabilities to_net_capabilities(const std::vector<int>& capabilities, const std::string& version) {
  std::vector<uint64_t> words;
  for (int c : capabilities) set_bit(words, c);
  net::Capabilities out;
  for (uint64_t w : words) out.add_bitstring(w);
  out.set_version(version);
  return out;
}

std::vector<int> capabilities_in(const net::Capabilities& caps) { return bits_of(words_of(caps.bitstring())); }

std::optional<std::string> incompatible(const net::Capabilities& required, const net::Capabilities& ours) {
  const auto need = words_of(required.bitstring());
  const auto have = words_of(ours.bitstring());
  const auto mandatory = words_of(ours.mandatories());
  std::vector<uint64_t> missing(std::max(need.size(), mandatory.size()), 0);
  for (size_t i = 0; i < need.size(); ++i) missing[i] |= need[i] & ~(i < have.size() ? have[i] : 0);
  for (size_t i = 0; i < mandatory.size(); ++i) missing[i] |= mandatory[i] & ~(i < need.size() ? need[i] : 0);
  const auto bits = bits_of(missing);
  if (bits.empty()) return std::nullopt;
  std::string names;
  for (int b : bits) names += (names.empty() ? "" : ", ") + capability_name(b);
  return names;
}

std::string capability_name(int capability) {
  static constexpr std::array<const char*, 27> kNames = {"H264",
                                                         "MPEGTS",
                                                         "MP4",
                                                         "FractionalFramerates",
                                                         "StorageDirect",
                                                         "StorageS3",
                                                         "StorageGCS",
                                                         "ProfileH264Baseline",
                                                         "ProfileH264Main",
                                                         "ProfileH264High",
                                                         "ProfileH264ConstrainedHigh",
                                                         "GOP",
                                                         "AuthToken",
                                                         "SceneClassification",
                                                         "MPEG7VideoSignature",
                                                         "HEVC_Decode",
                                                         "HEVC_Encode",
                                                         "VP8_Decode",
                                                         "VP9_Decode",
                                                         "VP8_Encode",
                                                         "VP9_Encode",
                                                         "H264_Decode_444_8bit",
                                                         "H264_Decode_422_8bit",
                                                         "H264_Decode_444_10bit",
                                                         "H264_Decode_422_10bit",
                                                         "H264_Decode_420_10bit",
                                                         "SegmentSlicing"};
  if (capability >= 0 && static_cast<size_t>(capability) < kNames.size())
    return kNames[static_cast<size_t>(capability)];
  return "capability " + std::to_string(capability);
}

}  // namespace lp::livepeer
