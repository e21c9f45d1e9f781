#include "adapter_validation.h"

#include <cstddef>
#include <cstring>
#include <type_traits>

namespace lp {
namespace {

// An enum field as the integer a C adapter stored: reading a value outside the enumerators
// through the enum type is undefined in C++ (UBSan: "not a valid value for type").
template <typename E>
long long raw_value(const E& field) {
  std::underlying_type_t<E> v{};
  std::memcpy(&v, &field, sizeof v);
  return static_cast<long long>(v);
}

constexpr size_t kMaxNameLength = 64;

bool valid_name(const char* name) {
  size_t n = std::strlen(name);
  if (n == 0 || n > kMaxNameLength) return false;
  for (const char* c = name; *c; ++c) {
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '.') return false;
  }
  return true;
}

bool empty(const char* s) { return !s || !*s; }

std::string quoted(const char* s) { return std::string("'") + s + "'"; }

// VP8 has no parser in GStreamer 1.22; every other codec needs one between the encoder
// and the muxers (byte-stream framing and headers, or the fields mp4mux requires).
bool needs_parser(LpVideoCodec codec) { return codec != LP_VIDEO_CODEC_VP8; }

std::optional<std::string> caps_problem(const LpCodecAdapter& a) {
  if (empty(a.output_caps)) return "output_caps is not set";
  g_autoptr(GstCaps) caps = gst_caps_from_string(a.output_caps);
  if (!caps) return "output_caps " + quoted(a.output_caps) + " do not parse as caps";
  const char* expected = codec_media_type(a.codec);
  if (gst_caps_get_size(caps) != 1 || !gst_structure_has_name(gst_caps_get_structure(caps, 0), expected)) {
    return "output_caps " + quoted(a.output_caps) + " are not " + lp_video_codec_name(a.codec) + " (" + expected + ")";
  }
  return std::nullopt;
}

}  // namespace

LpCodecAdapter adapter_fields(const LpCodecAdapter& adapter) {
  // Version 1 ended at user_data; version 2 added device_element.
  const size_t size = adapter.api_version >= 2 ? sizeof(LpCodecAdapter) : offsetof(LpCodecAdapter, device_element);
  LpCodecAdapter copy{};
  std::memcpy(&copy, &adapter, size);
  return copy;
}

const char* codec_media_type(LpVideoCodec codec) {
  switch (codec) {
    case LP_VIDEO_CODEC_H264: return "video/x-h264";
    case LP_VIDEO_CODEC_HEVC: return "video/x-h265";
    case LP_VIDEO_CODEC_VP8: return "video/x-vp8";
    case LP_VIDEO_CODEC_VP9: return "video/x-vp9";
    case LP_VIDEO_CODEC_AV1: return "video/x-av1";
  }
  return "";
}

std::optional<std::string> adapter_problem(const LpCodecAdapter* adapter) {
  if (!adapter) return "no adapter (NULL)";
  const LpCodecAdapter& a = *adapter;
  if (a.api_version == 0 || a.api_version > LP_CODEC_ADAPTER_API_VERSION) {
    return "api_version " + std::to_string(a.api_version) + " is not one this lpgst knows (1 to " +
           std::to_string(LP_CODEC_ADAPTER_API_VERSION) + ")";
  }
  if (empty(a.name)) return "name is empty";
  if (!valid_name(a.name)) {
    return "name " + quoted(a.name) + " must be 1 to " + std::to_string(kMaxNameLength) +
           " letters, digits, '-', '_' or '.'";
  }
  if (g_ascii_strcasecmp(a.name, "auto") == 0) return "name 'auto' is reserved";
  const long long codec = raw_value(a.codec);
  if (codec < LP_VIDEO_CODEC_H264 || codec > LP_VIDEO_CODEC_AV1) {
    return "codec " + std::to_string(codec) + " is not a known LpVideoCodec (H.264, HEVC, VP8, VP9, AV1)";
  }
  if (empty(a.element)) return "element (the encoder's element factory) is not set";
  if (a.rank < 0 || a.rank > LP_CODEC_ADAPTER_RANK_MAX) {
    return "rank " + std::to_string(a.rank) + " is outside 0.." + std::to_string(LP_CODEC_ADAPTER_RANK_MAX);
  }
  const long long memory = raw_value(a.memory);
  if (memory != LP_MEMORY_SYSTEM && memory != LP_MEMORY_CUDA) {
    return "memory " + std::to_string(memory) + " is neither LP_MEMORY_SYSTEM nor LP_MEMORY_CUDA";
  }
  if (auto problem = caps_problem(a)) return problem;
  if (needs_parser(a.codec) && empty(a.parser)) {
    return std::string("parser is not set (") + lp_video_codec_name(a.codec) + " needs one after the encoder, e.g. " +
           (a.codec == LP_VIDEO_CODEC_H264   ? "h264parse"
            : a.codec == LP_VIDEO_CODEC_HEVC ? "h265parse"
            : a.codec == LP_VIDEO_CODEC_VP9  ? "vp9parse"
                                             : "av1parse") +
           ")";
  }
  if (a.parser && !*a.parser) return "parser is an empty string (use NULL for none)";
  if (!a.configure) return "configure is not set";
  return std::nullopt;
}

}  // namespace lp
