#include "profile_object.h"

#include <glib.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <iterator>
#include <optional>
#include <utility>

namespace lp::profile_json {

Error invalid(std::string message) { return Error{ErrorCode::InvalidProfile, std::move(message)}; }

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  const auto begin = s.find_first_not_of(ws);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(ws) - begin + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (g_ascii_tolower(a[i]) != g_ascii_tolower(b[i])) return false;
  }
  return true;
}

// The node as the user wrote it (re-serialised), for "got ..." in messages.
std::string node_text(JsonNode* node) {
  g_autofree char* text = json_to_string(node, FALSE);
  return text ? text : "null";
}

namespace {

constexpr int kMaxDimension = 8192;
constexpr int kMaxQuality = 51;  // x264/x265 CRF range

Error field_error(const std::string& field, std::string_view expected, JsonNode* got) {
  return invalid(field + ": " + std::string(expected) + ", got " + node_text(got));
}

// Only scalar value nodes may be read with json_node_get_*; anything else would log a
// critical (fatal under the tests' G_DEBUG=fatal-criticals).
GType value_type(JsonNode* node) {
  return JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;
}

std::optional<std::string> as_string(JsonNode* node) {
  if (value_type(node) != G_TYPE_STRING) return std::nullopt;
  return std::string(json_node_get_string(node));
}

std::optional<double> as_number(JsonNode* node) {
  switch (value_type(node)) {
    case G_TYPE_INT64: return static_cast<double>(json_node_get_int(node));
    case G_TYPE_DOUBLE: return json_node_get_double(node);
    default: return std::nullopt;
  }
}

// An integral JSON number that fits an int. "4e6" is accepted: json-glib hands it over as a
// double but it is still a whole number.
std::optional<int> as_int(JsonNode* node) {
  if (value_type(node) == G_TYPE_INT64) {
    const gint64 v = json_node_get_int(node);
    if (v < INT_MIN || v > INT_MAX) return std::nullopt;
    return static_cast<int>(v);
  }
  const auto d = as_number(node);
  if (!d || !std::isfinite(*d) || std::trunc(*d) != *d || *d < INT_MIN || *d > INT_MAX) {
    return std::nullopt;
  }
  return static_cast<int>(*d);
}

// A finite number from a string such as "2.0", the whole string consumed.
std::optional<double> parse_double(std::string_view text) {
  const std::string s(trim(text));
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = g_ascii_strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<H264Profile> h264_profile_from_name(std::string_view name) {
  static constexpr std::pair<const char*, H264Profile> kNames[] = {
      {"", H264Profile::Unset},
      {"none", H264Profile::Unset},
      {"H264Baseline", H264Profile::Baseline},
      {"H264Main", H264Profile::Main},
      {"H264High", H264Profile::High},
      {"H264ConstrainedHigh", H264Profile::ConstrainedHigh},
  };
  for (const auto& [n, p] : kNames) {
    if (iequals(name, n)) return p;
  }
  return std::nullopt;
}

std::optional<VideoCodec> codec_from_name(std::string_view name) {
  // go-livepeer's spellings plus the usual aliases (ffmpeg/GStreamer names); "" is go-livepeer's
  // default, H.264.
  static constexpr std::pair<const char*, VideoCodec> kNames[] = {
      {"", VideoCodec::H264},     {"H.264", VideoCodec::H264}, {"H264", VideoCodec::H264}, {"AVC", VideoCodec::H264},
      {"HEVC", VideoCodec::HEVC}, {"H.265", VideoCodec::HEVC}, {"H265", VideoCodec::HEVC}, {"VP8", VideoCodec::VP8},
      {"VP9", VideoCodec::VP9},   {"AV1", VideoCodec::AV1},
  };
  for (const auto& [n, c] : kNames) {
    if (iequals(name, n)) return c;
  }
  return std::nullopt;
}

// lpgst's own fields: "" and "auto" are the defaults, like go-livepeer's "" for encoder.
std::optional<ProfileContainer> container_from_name(std::string_view name) {
  static constexpr std::pair<const char*, ProfileContainer> kNames[] = {
      {"", ProfileContainer::Unset},  {"auto", ProfileContainer::Unset}, {"mpegts", ProfileContainer::MpegTs},
      {"mp4", ProfileContainer::Mp4}, {"webm", ProfileContainer::WebM},
  };
  for (const auto& [n, c] : kNames) {
    if (iequals(name, n)) return c;
  }
  return std::nullopt;
}

std::optional<SizeRule> size_rule_from_name(std::string_view name) {
  if (name.empty() || iequals(name, "fit-box")) return SizeRule::FitBox;
  if (iequals(name, "lpms")) return SizeRule::Lpms;
  return std::nullopt;
}

// Names end up in output file names and playlists: keep them free of path separators and
// control characters, since profiles can arrive from the network.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

// Fields seen so far; validation that spans fields (bitrate vs quality) runs at the end.
struct Seen {
  bool width = false;
  bool height = false;
  bool bitrate = false;
};

// Reads one member into `p`; `field` is its prefixed go-livepeer key, for messages.
using FieldReader = Result<void> (*)(const std::string& field, JsonNode* node, Profile& p, Seen& seen);

Result<void> read_name(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto s = as_string(node);
  if (!s) return field_error(field, "expected a string", node);
  if (!s->empty() && !valid_name(*s))
    return field_error(field, "expected a name without '/', '\\' or control characters", node);
  p.name = *s;
  return {};
}

std::optional<int> dimension(JsonNode* node) {
  const auto v = as_int(node);
  if (!v || *v <= 0 || *v > kMaxDimension) return std::nullopt;
  return v;
}

Result<void> read_width(const std::string& field, JsonNode* node, Profile& p, Seen& seen) {
  const auto v = dimension(node);
  if (!v) return field_error(field, "expected an integer from 1 to 8192", node);
  p.width = *v;
  seen.width = true;
  return {};
}

Result<void> read_height(const std::string& field, JsonNode* node, Profile& p, Seen& seen) {
  const auto v = dimension(node);
  if (!v) return field_error(field, "expected an integer from 1 to 8192", node);
  p.height = *v;
  seen.height = true;
  return {};
}

Result<void> read_bitrate(const std::string& field, JsonNode* node, Profile& p, Seen& seen) {
  // 0 passes here; whether it is allowed depends on quality, checked at the end.
  const auto v = as_int(node);
  if (!v || *v < 0) return field_error(field, "expected a positive integer in bit/s", node);
  p.bitrate = *v;
  seen.bitrate = true;
  return {};
}

Result<void> read_fps(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto v = as_int(node);
  if (!v || *v < 0) return field_error(field, "expected an integer >= 0 (0 keeps the source rate)", node);
  p.fps = *v;
  return {};
}

Result<void> read_fps_den(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto v = as_int(node);
  if (!v || *v < 1) return field_error(field, "expected an integer >= 1", node);
  p.fps_den = *v;
  return {};
}

Result<void> read_profile(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto s = as_string(node);
  const auto v = s ? h264_profile_from_name(trim(*s)) : std::nullopt;
  if (!v) return field_error(field, "expected H264Baseline, H264Main, H264High, H264ConstrainedHigh or none", node);
  p.h264_profile = *v;
  return {};
}

Result<void> read_gop(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  // go-livepeer writes a string ("2.0" or "intra"); a bare number of seconds is accepted too
  // since hand-written files often use one.
  const char* expected = "expected \"intra\" or a number of seconds > 0";
  if (const auto s = as_string(node)) {
    const std::string_view text = trim(*s);
    if (text.empty()) {
      p.gop = Gop{};
    } else if (iequals(text, "intra")) {
      p.gop = Gop{Gop::Kind::Intra, 0.0};
    } else if (const auto v = parse_double(text); v && *v > 0) {
      p.gop = Gop{Gop::Kind::Seconds, *v};
    } else {
      return field_error(field, expected, node);
    }
    return {};
  }
  const auto v = as_number(node);
  if (!v || !std::isfinite(*v) || *v <= 0) return field_error(field, expected, node);
  p.gop = Gop{Gop::Kind::Seconds, *v};
  return {};
}

Result<void> read_encoder(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto s = as_string(node);
  const auto v = s ? codec_from_name(trim(*s)) : std::nullopt;
  if (!v) return field_error(field, "expected H.264, HEVC, VP8, VP9 or AV1", node);
  p.codec = *v;
  return {};
}

Result<void> read_quality(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto v = as_int(node);
  if (!v || *v < 0 || *v > kMaxQuality) return field_error(field, "expected an integer CRF from 0 to 51", node);
  p.quality = *v;
  return {};
}

Result<void> read_color_depth(const std::string& field, JsonNode* node, Profile&, Seen&) {
  // go-livepeer: 0 means the default, 8 bits. Higher depths need encoders we do not drive.
  const auto v = as_int(node);
  if (!v) return field_error(field, "expected a number of bits", node);
  if (*v != 0 && *v != 8) return field_error(field, "unsupported colour depth (only 8-bit is supported)", node);
  return {};
}

Result<void> read_chroma_format(const std::string& field, JsonNode* node, Profile&, Seen&) {
  // go-livepeer's ChromaSubsampling: 0 is 4:2:0, the only one our pipelines produce.
  const auto s = as_string(node);
  const auto v = as_int(node);
  if (!s && !v) return field_error(field, "expected 0 or \"4:2:0\"", node);
  if ((s && trim(*s) != "4:2:0") || (v && *v != 0))
    return field_error(field, "unsupported chroma format (only 4:2:0 is supported)", node);
  return {};
}

Result<void> read_container(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto s = as_string(node);
  const auto v = s ? container_from_name(trim(*s)) : std::nullopt;
  if (!v) return field_error(field, "expected \"mpegts\", \"mp4\" or \"webm\"", node);
  p.container = *v;
  return {};
}

Result<void> read_size_rule(const std::string& field, JsonNode* node, Profile& p, Seen&) {
  const auto s = as_string(node);
  const auto v = s ? size_rule_from_name(trim(*s)) : std::nullopt;
  if (!v) return field_error(field, "expected \"fit-box\" or \"lpms\"", node);
  p.size_rule = *v;
  return {};
}

// Every field a profile object may have, as go-livepeer spells it (matched ignoring case).
constexpr std::pair<const char*, FieldReader> kProfileFields[] = {
    {"name", read_name},
    {"width", read_width},
    {"height", read_height},
    {"bitrate", read_bitrate},
    {"fps", read_fps},
    {"fpsDen", read_fps_den},
    {"profile", read_profile},
    {"gop", read_gop},
    {"encoder", read_encoder},
    {"quality", read_quality},
    {"colorDepth", read_color_depth},
    {"chromaFormat", read_chroma_format},
    {"container", read_container},
    {"size_rule", read_size_rule},
};

std::string known_fields() {
  std::string out;
  for (const auto& [name, read] : kProfileFields) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace

Result<Profile> read_object(JsonObject* object, const std::string& prefix) {
  Profile p;
  Seen seen;
  // Members in document order, so a key repeated with other casing wins last, as in Go.
  g_autoptr(GList) members = json_object_get_members(object);
  for (GList* l = members; l != nullptr; l = l->next) {
    const char* key = static_cast<const char*>(l->data);
    JsonNode* node = json_object_get_member(object, key);
    const auto known = std::find_if(std::begin(kProfileFields), std::end(kProfileFields),
                                    [key](const auto& f) { return iequals(key, f.first); });
    if (known == std::end(kProfileFields))
      return invalid(prefix + key + ": unknown field (known: " + known_fields() + ")");
    if (JSON_NODE_HOLDS_NULL(node)) continue;  // Go's encoding/json: null leaves the default
    if (auto err = known->second(prefix + known->first, node, p, seen); !err.ok()) return std::move(err.error());
  }
  if (!seen.width) return invalid(prefix + "width: required");
  if (!seen.height) return invalid(prefix + "height: required");
  if (p.quality == 0 && p.bitrate == 0) {
    return invalid(prefix + (seen.bitrate ? "bitrate: expected a positive integer in bit/s, got 0"
                                          : "bitrate: required unless quality (CRF) is set"));
  }
  if (p.name.empty()) p.name = std::to_string(p.width) + "x" + std::to_string(p.height);
  return p;
}

}  // namespace lp::profile_json
