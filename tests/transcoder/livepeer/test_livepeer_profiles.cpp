// go-livepeer VideoProfiles (what a NotifySegment's SegData carries) onto lpgst profiles.
#include <gtest/gtest.h>

#include "livepeer/livepeer_profiles.h"

namespace lp::livepeer {
namespace {

net::VideoProfile p360() {
  net::VideoProfile p;
  p.set_name("P360p30fps16x9");
  p.set_width(640);
  p.set_height(360);
  p.set_bitrate(1200000);
  p.set_fps(30);
  return p;
}

TEST(LivepeerProfiles, MapsEveryField) {
  net::VideoProfile p = p360();
  p.set_fps(30000);
  p.set_fpsden(1001);
  p.set_format(net::VideoProfile::MP4);
  p.set_profile(net::VideoProfile::H264_CONSTRAINED_HIGH);
  p.set_gop(2000);
  p.set_encoder(net::VideoProfile::H264);
  p.set_quality(23);
  auto got = profile_from_net(p);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->name, "P360p30fps16x9");
  EXPECT_EQ(got->width, 640);
  EXPECT_EQ(got->height, 360);
  EXPECT_EQ(got->bitrate, 1200000);
  EXPECT_EQ(got->fps, 30000);
  EXPECT_EQ(got->fps_den, 1001);
  EXPECT_EQ(got->container, ProfileContainer::Mp4);
  EXPECT_EQ(got->size_rule, SizeRule::Lpms);
  EXPECT_EQ(got->h264_profile, H264Profile::ConstrainedHigh);
  EXPECT_EQ(got->gop.kind, Gop::Kind::Seconds);
  EXPECT_DOUBLE_EQ(got->gop.seconds, 2.0);
  EXPECT_EQ(got->codec, VideoCodec::H264);
  EXPECT_EQ(got->quality, 23);
  EXPECT_STREQ(rendition_extension(p), ".mp4");
}

TEST(LivepeerProfiles, DefaultsFollowGoLivepeer) {
  net::VideoProfile p = p360();
  p.set_fps(0);  // keep the source's rate
  auto got = profile_from_net(p);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->fps, 0);
  EXPECT_EQ(got->container, ProfileContainer::MpegTs);
  EXPECT_EQ(got->h264_profile, H264Profile::Unset);
  EXPECT_EQ(got->gop.kind, Gop::Kind::Unset);
  EXPECT_STREQ(rendition_extension(p), ".ts");
  p.set_fps(25);  // fpsDen 0 means 1
  EXPECT_EQ(profile_from_net(p)->fps_den, 1);
}

TEST(LivepeerProfiles, CodecsAndIntraOnly) {
  net::VideoProfile p = p360();
  p.set_gop(-1);
  p.set_encoder(net::VideoProfile::H265);
  auto got = profile_from_net(p);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->gop.kind, Gop::Kind::Intra);
  EXPECT_EQ(got->codec, VideoCodec::HEVC);
  p.set_encoder(net::VideoProfile::VP9);
  EXPECT_EQ(profile_from_net(p)->codec, VideoCodec::VP9);
  p.set_encoder(net::VideoProfile::VP8);
  EXPECT_EQ(profile_from_net(p)->codec, VideoCodec::VP8);
}

TEST(LivepeerProfiles, RefusesWhatCannotBeMadeNamingTheField) {
  net::VideoProfile p = p360();
  p.set_gop(-2);
  auto got = profile_from_net(p);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("gop"), std::string::npos);
  p = p360();
  p.set_colordepth(10);
  got = profile_from_net(p);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::Unsupported);
  EXPECT_NE(got.error().message.find("colorDepth 10"), std::string::npos);
  p = p360();
  p.set_chromaformat(net::VideoProfile::CHROMA_444);
  got = profile_from_net(p);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("4:4:4"), std::string::npos);
  p = p360();
  p.set_width(0);
  EXPECT_FALSE(profile_from_net(p));
  p = p360();
  p.set_bitrate(0);
  got = profile_from_net(p);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("P360p30fps16x9"), std::string::npos);
}

TEST(LivepeerProfiles, ReadsFullProfiles3ThenTwoThenOne) {
  net::SegData seg;
  EXPECT_FALSE(profiles_from_segment(seg));
  net::VideoProfile a = p360();
  a.set_name("one");
  *seg.add_fullprofiles() = a;
  EXPECT_EQ(profiles_from_segment(seg)->at(0).name, "one");
  a.set_name("two");
  *seg.add_fullprofiles2() = a;
  EXPECT_EQ(profiles_from_segment(seg)->at(0).name, "two");
  a.set_name("three");
  *seg.add_fullprofiles3() = a;
  a.set_name("three-b");
  *seg.add_fullprofiles3() = a;
  auto got = profiles_from_segment(seg);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].name, "three");
  EXPECT_EQ((*got)[1].name, "three-b");
}

TEST(LivepeerProfiles, LpgstProfilesGoToGoLivepeerTranscodersAndBack) {
  Profile p;
  p.name = "P720p30fps16x9";
  p.width = 1280;
  p.height = 720;
  p.bitrate = 4000000;
  p.fps = 30000;
  p.fps_den = 1001;
  p.h264_profile = H264Profile::High;
  p.gop.kind = Gop::Kind::Seconds;
  p.gop.seconds = 2;
  p.codec = VideoCodec::HEVC;
  p.container = ProfileContainer::Mp4;
  auto net = profile_to_net(p);
  ASSERT_TRUE(net) << net.error().message;
  EXPECT_EQ(net->gop(), 2000);
  EXPECT_EQ(net->encoder(), net::VideoProfile::H265);
  EXPECT_EQ(net->format(), net::VideoProfile::MP4);
  auto back = profile_from_net(*net);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, p.name);
  EXPECT_EQ(back->width, 1280);
  EXPECT_EQ(back->fps, 30000);
  EXPECT_EQ(back->fps_den, 1001);
  EXPECT_EQ(back->h264_profile, H264Profile::High);
  EXPECT_EQ(back->gop.seconds, 2);
  EXPECT_EQ(back->codec, VideoCodec::HEVC);
  p.gop.kind = Gop::Kind::Intra;
  EXPECT_EQ(profile_to_net(p)->gop(), -1);
  // What go-livepeer has no words for.
  p.codec = VideoCodec::AV1;
  EXPECT_EQ(profile_to_net(p).error().code, ErrorCode::Unsupported);
  p.codec = VideoCodec::VP8;
  p.container = ProfileContainer::WebM;
  EXPECT_NE(profile_to_net(p).error().message.find("WebM"), std::string::npos);
}

}  // namespace
}  // namespace lp::livepeer
