// Conversions between lprendition's property values (strings, GEnum values) and the
// profile fields they set, kept out of the element's file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "profile.h"

namespace lp {

// LP_H264_PROFILE_* (the h264-profile property) to and from the profile's field.
H264Profile to_h264_profile(int value);
int from_h264_profile(H264Profile profile);

// Parses "2.0" / "2" / "intra" / "" into a Gop; nullopt when invalid.
std::optional<Gop> parse_gop(const char* text);
// The gop property's text for `gop`: "intra", "2", or "" when unset.
std::string gop_text(const Gop& gop);

// The profile property takes exactly one preset name or one JSON object.
Result<Profile> parse_one_profile(std::string_view spec);

}  // namespace lp
