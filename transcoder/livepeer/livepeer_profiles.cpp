#include "livepeer/livepeer_profiles.h"

#include <cmath>

namespace lp::livepeer {
namespace {

Error bad(const net::VideoProfile& p, const std::string& why) {
  return Error{ErrorCode::InvalidProfile,
               "profile " + (p.name().empty() ? std::string("(unnamed)") : p.name()) + ": " + why};
}

}  // namespace

Result<Profile> profile_from_net(const net::VideoProfile& p) {
  Profile out;
  out.name = p.name();
  if (p.width() <= 0 || p.height() <= 0)
    return bad(p, "width and height must be positive (got " + std::to_string(p.width()) + "x" +
                      std::to_string(p.height()) + ")");
  out.width = p.width();
  out.height = p.height();
  out.size_rule = SizeRule::Lpms;
  if (p.bitrate() < 0) return bad(p, "bitrate must not be negative");
  out.bitrate = p.bitrate();
  out.quality = static_cast<int>(std::min<uint32_t>(p.quality(), 63));
  if (out.bitrate == 0 && out.quality == 0) return bad(p, "neither bitrate nor quality is set");
  if (p.fps() > 0) {
    out.fps = static_cast<int>(std::min<uint32_t>(p.fps(), 1000000));
    out.fps_den = p.fpsden() > 0 ? static_cast<int>(std::min<uint32_t>(p.fpsden(), 1000000)) : 1;
  }
  switch (p.format()) {
    case net::VideoProfile::MPEGTS: out.container = ProfileContainer::MpegTs; break;
    case net::VideoProfile::MP4: out.container = ProfileContainer::Mp4; break;
    default: return bad(p, "unknown format " + std::to_string(p.format()));
  }
  switch (p.profile()) {
    case net::VideoProfile::ENCODER_DEFAULT: out.h264_profile = H264Profile::Unset; break;
    case net::VideoProfile::H264_BASELINE: out.h264_profile = H264Profile::Baseline; break;
    case net::VideoProfile::H264_MAIN: out.h264_profile = H264Profile::Main; break;
    case net::VideoProfile::H264_HIGH: out.h264_profile = H264Profile::High; break;
    case net::VideoProfile::H264_CONSTRAINED_HIGH: out.h264_profile = H264Profile::ConstrainedHigh; break;
    default: return bad(p, "unknown codec profile " + std::to_string(p.profile()));
  }
  // go-livepeer sends the GOP in milliseconds, and lpms's GOPIntraOnly (-1) as -1; anything
  // below that lpms refuses (ErrTranscoderGOP).
  if (p.gop() == -1) {
    out.gop.kind = Gop::Kind::Intra;
  } else if (p.gop() < -1) {
    return bad(p, "invalid gop " + std::to_string(p.gop()));
  } else if (p.gop() > 0) {
    out.gop.kind = Gop::Kind::Seconds;
    out.gop.seconds = p.gop() / 1000.0;
  }
  switch (p.encoder()) {
    case net::VideoProfile::H264: out.codec = VideoCodec::H264; break;
    case net::VideoProfile::H265: out.codec = VideoCodec::HEVC; break;
    case net::VideoProfile::VP8: out.codec = VideoCodec::VP8; break;
    case net::VideoProfile::VP9: out.codec = VideoCodec::VP9; break;
    default: return bad(p, "unknown encoder " + std::to_string(p.encoder()));
  }
  if (p.colordepth() != 0 && p.colordepth() != 8)
    return Error{ErrorCode::Unsupported, "profile " + p.name() + ": colorDepth " + std::to_string(p.colordepth()) +
                                             " (lpgst encodes 8-bit renditions)"};
  if (p.chromaformat() != net::VideoProfile::CHROMA_420)
    return Error{ErrorCode::Unsupported, "profile " + p.name() + ": chroma format " +
                                             (p.chromaformat() == net::VideoProfile::CHROMA_422 ? "4:2:2" : "4:4:4") +
                                             " (lpgst encodes 4:2:0 renditions)"};
  return out;
}

Result<std::vector<Profile>> profiles_from_segment(const net::SegData& segment) {
  const auto& chosen = segment.fullprofiles3_size() > 0   ? segment.fullprofiles3()
                       : segment.fullprofiles2_size() > 0 ? segment.fullprofiles2()
                                                          : segment.fullprofiles();
  if (chosen.empty()) return Error{ErrorCode::InvalidProfile, "the segment names no profiles (fullProfiles, 2 or 3)"};
  std::vector<Profile> out;
  for (const auto& p : chosen) {
    auto profile = profile_from_net(p);
    if (!profile) return profile.error();
    out.push_back(std::move(*profile));
  }
  return out;
}

Result<net::VideoProfile> profile_to_net(const Profile& p) {
  net::VideoProfile out;
  out.set_name(p.name);
  out.set_width(p.width);
  out.set_height(p.height);
  out.set_bitrate(p.bitrate);
  out.set_quality(static_cast<uint32_t>(std::max(0, p.quality)));
  if (p.fps > 0) {
    out.set_fps(static_cast<uint32_t>(p.fps));
    out.set_fpsden(static_cast<uint32_t>(std::max(1, p.fps_den)));
  }
  switch (p.container) {
    case ProfileContainer::Unset:
    case ProfileContainer::MpegTs: out.set_format(net::VideoProfile::MPEGTS); break;
    case ProfileContainer::Mp4: out.set_format(net::VideoProfile::MP4); break;
    case ProfileContainer::WebM:
      return Error{ErrorCode::Unsupported, "profile " + p.name + ": go-livepeer transcoders make no WebM"};
  }
  switch (p.h264_profile) {
    case H264Profile::Unset: out.set_profile(net::VideoProfile::ENCODER_DEFAULT); break;
    case H264Profile::Baseline: out.set_profile(net::VideoProfile::H264_BASELINE); break;
    case H264Profile::Main: out.set_profile(net::VideoProfile::H264_MAIN); break;
    case H264Profile::High: out.set_profile(net::VideoProfile::H264_HIGH); break;
    case H264Profile::ConstrainedHigh: out.set_profile(net::VideoProfile::H264_CONSTRAINED_HIGH); break;
  }
  switch (p.gop.kind) {
    case Gop::Kind::Unset: break;
    case Gop::Kind::Intra: out.set_gop(-1); break;
    case Gop::Kind::Seconds: out.set_gop(static_cast<int32_t>(std::lround(p.gop.seconds * 1000))); break;
  }
  switch (p.codec) {
    case VideoCodec::H264: out.set_encoder(net::VideoProfile::H264); break;
    case VideoCodec::HEVC: out.set_encoder(net::VideoProfile::H265); break;
    case VideoCodec::VP8: out.set_encoder(net::VideoProfile::VP8); break;
    case VideoCodec::VP9: out.set_encoder(net::VideoProfile::VP9); break;
    case VideoCodec::AV1:
      return Error{ErrorCode::Unsupported, "profile " + p.name + ": go-livepeer transcoders encode no AV1"};
  }
  return out;
}

const char* rendition_extension(const net::VideoProfile& profile) {
  return profile.format() == net::VideoProfile::MP4 ? ".mp4" : ".ts";
}

}  // namespace lp::livepeer
