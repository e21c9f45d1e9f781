// Rendition profiles in go-livepeer's vocabulary: named presets (P720p30fps16x9, ...) and the
// JSON objects of its -transcodingOptions file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace lp {

enum class H264Profile { Unset, Baseline, Main, High, ConstrainedHigh };
enum class VideoCodec { H264, HEVC, VP8, VP9, AV1 };

struct Gop {
  enum class Kind { Unset, Seconds, Intra };
  Kind kind = Kind::Unset;
  double seconds = 0.0;  // valid when kind == Seconds, > 0
};

// The rendition's container as the profile names it. Unset leaves the choice to the element's
// `container` property (by default: by codec); set, it overrides that property.
enum class ProfileContainer { Unset, MpegTs, Mp4, WebM };

// How width x height turns into the output size.
enum class SizeRule {
  // The source's display rectangle fitted inside the box, square pixels, even sides.
  FitBox,
  // go-livepeer's (lpms) scale filter: the source's longer pixel side (width when square)
  // becomes exactly width (or height), the other keeps the pixel aspect rounded to even;
  // the sample aspect ratio absorbs the difference. Matches go-livepeer's output sizes.
  Lpms,
};

struct Profile {
  std::string name;
  int width = 0;  // box the rendition is fitted into (see size_rule)
  int height = 0;
  int bitrate = 0;  // bit/s; 0 only when quality (CRF) is set
  int fps = 0;      // 0 = keep the source frame rate
  int fps_den = 1;
  H264Profile h264_profile = H264Profile::Unset;
  Gop gop;
  VideoCodec codec = VideoCodec::H264;
  int quality = 0;                                       // CRF, 0 = unset (bitrate mode)
  ProfileContainer container = ProfileContainer::Unset;  // JSON "container"
  SizeRule size_rule = SizeRule::FitBox;                 // JSON "size_rule"
};

// go-livepeer's presets with its figures.
const std::vector<Profile>& preset_profiles();
std::optional<Profile> find_preset(std::string_view name);

// One JSON object in the go-livepeer format. Errors name the field ("bitrate: ...").
Result<Profile> parse_profile_json(std::string_view json_object);

// A profile list as go-livepeer's -transcodingOptions takes it: a comma list of preset names,
// an inline JSON array (or a single object), or the path of a JSON file holding an array.
Result<std::vector<Profile>> parse_profiles(std::string_view spec);

// Where JSON text holds a string with an escaped NUL ("\u0000"), which json-glib would cut
// short at the NUL (a name "P720\u0000junk" would silently become "P720"): the member path
// ("name", "[1].name", or a member name as written), nullopt when there is none. Not a JSON
// validator: text that does not parse is for the parser to refuse.
std::optional<std::string> json_nul_escape_path(std::string_view json);

// Canonical JSON object for one profile (round-trips through parse_profile_json). Fields at
// their defaults that go-livepeer does not know (container, size_rule) are left out, so a
// go-livepeer profile's JSON is the same as before they existed.
std::string profile_to_json(const Profile& profile);

// Names as go-livepeer spells them: "H264High", "H.264", ...
const char* h264_profile_name(H264Profile profile);
const char* video_codec_name(VideoCodec codec);
// JSON spellings: "mpegts", "mp4", "webm" ("auto" for Unset); "fit-box", "lpms".
const char* profile_container_name(ProfileContainer container);
const char* size_rule_name(SizeRule rule);

}  // namespace lp
