// A go-livepeer segment's renditions (SegData.fullProfiles3, else 2, else 1) as lpgst
// profiles, field by field, sized as lpms sizes them (SizeRule::Lpms). What lpgst cannot
// make (10-bit or 4:2:2/4:4:4 output, a GOP go-livepeer itself refuses) is an error naming
// the profile and the field, sent back as the segment's transcoding error.
#pragma once

#include <vector>

#include "error.h"
#include "lp_rpc.pb.h"
#include "profile.h"

namespace lp::livepeer {

Result<std::vector<Profile>> profiles_from_segment(const net::SegData& segment);

// One VideoProfile (exposed for tests).
Result<Profile> profile_from_net(const net::VideoProfile& profile);

// The reverse, for sending an lpgst profile to a go-livepeer transcoder. go-livepeer has no
// AV1, WebM or fit-box sizing: AV1 and WebM are errors; a fit-box profile is sent as it is
// and sized as lpms sizes it.
Result<net::VideoProfile> profile_to_net(const Profile& profile);

// The file extension go-livepeer gives a rendition of this profile: ".ts" or ".mp4".
const char* rendition_extension(const net::VideoProfile& profile);

}  // namespace lp::livepeer
