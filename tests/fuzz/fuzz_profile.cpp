// Profile specs (common/profile.h): one profile object (parse_profile_json, what Lp-Profiles
// and the transcoder channel's profiles go through) and a whole spec (parse_profiles: a JSON
// list, a preset list, a gst-launch quoted value). A parsed profile written back
// (profile_to_json) must parse to the same profile.
#include "fuzz_common.h"
#include "profile.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

namespace {

bool same(const lp::Profile& a, const lp::Profile& b) {
  return a.name == b.name && a.width == b.width && a.height == b.height && a.bitrate == b.bitrate && a.fps == b.fps &&
         a.fps_den == b.fps_den && a.h264_profile == b.h264_profile && a.gop.kind == b.gop.kind &&
         a.gop.seconds == b.gop.seconds && a.codec == b.codec && a.quality == b.quality;
}

void check(const lp::Profile& p) {
  auto again = lp::parse_profile_json(lp::profile_to_json(p));
  if (!again) lp::fuzz::fail("profile: profile_to_json output does not parse");
  if (!same(*again, p)) lp::fuzz::fail("profile: profile_to_json round trip changed the profile");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = lp::fuzz::text(data, size);
  if (auto p = lp::parse_profile_json(text)) check(*p);
  // parse_profiles() reads a spec that names an existing file: keep the fuzzer off the file
  // system. Without '/' (or a backslash, through which a quoted JSON string could spell one) a spec
  // names at most a file in the working directory, which is harmless.
  if (text.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos) {
    if (auto list = lp::parse_profiles(text))
      for (const auto& p : *list) check(p);
  }
  return 0;
}
