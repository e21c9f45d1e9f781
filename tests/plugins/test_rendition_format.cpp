// Output geometry, frame rate and audio decisions of lprendition.
#include <gtest/gtest.h>

#include <utility>

#include "rendition_format.h"

namespace {

TEST(FitInsideBox, SameAspectFillsTheBox) {
  auto s = lp::fit_inside_box(1920, 1080, 1, 1, 1280, 720);
  EXPECT_EQ(s.width, 1280);
  EXPECT_EQ(s.height, 720);
}

TEST(FitInsideBox, GoLivepeer240pWidthRoundsToEven) {
  auto s = lp::fit_inside_box(1920, 1080, 1, 1, 426, 240);
  EXPECT_EQ(s.width, 426);
  EXPECT_EQ(s.height, 240);
}

TEST(FitInsideBox, OddSourceSizeKeepsAspectWithEvenSides) {
  auto s = lp::fit_inside_box(1366, 768, 1, 1, 854, 480);
  EXPECT_EQ(s.width % 2, 0);
  EXPECT_EQ(s.height % 2, 0);
  EXPECT_EQ(s.width, 854);
  EXPECT_EQ(s.height, 480);  // 854 / (1366/768) = 480.1
}

TEST(FitInsideBox, PortraitSourceIsPillarboxedInsideLandscapeBox) {
  auto s = lp::fit_inside_box(1080, 1920, 1, 1, 1280, 720);
  EXPECT_EQ(s.height, 720);
  EXPECT_EQ(s.width, 406);  // 720 * 9/16 = 405 -> nearest even
}

TEST(FitInsideBox, AnamorphicPixelsUseDisplayAspect) {
  // 1440x1080 with 4:3 pixels is a 16:9 picture.
  auto s = lp::fit_inside_box(1440, 1080, 4, 3, 1280, 720);
  EXPECT_EQ(s.width, 1280);
  EXPECT_EQ(s.height, 720);
  // PAL 720x576 with 16:15 pixels is 4:3: inside a 16:9 box the height limits.
  auto pal = lp::fit_inside_box(720, 576, 16, 15, 640, 360);
  EXPECT_EQ(pal.height, 360);
  EXPECT_EQ(pal.width, 480);
}

TEST(FitInsideBox, ZeroSidesAreDerived) {
  auto w_only = lp::fit_inside_box(1920, 1080, 1, 1, 640, 0);
  EXPECT_EQ(w_only.height, 360);
  auto h_only = lp::fit_inside_box(1920, 1080, 1, 1, 0, 480);
  EXPECT_EQ(h_only.width, 854);
  auto none = lp::fit_inside_box(1441, 1081, 1, 1, 0, 0);
  EXPECT_EQ(none.width % 2, 0);
  EXPECT_EQ(none.height % 2, 0);
}

TEST(ChooseFrameRate, ProfileRateWins) {
  g_autoptr(GstCaps) caps = gst_caps_from_string("video/x-raw,framerate=25/1");
  int n = 0, d = 0;
  lp::choose_frame_rate(30, 1, gst_caps_get_structure(caps, 0), &n, &d);
  EXPECT_EQ(n, 30);
  EXPECT_EQ(d, 1);
}

TEST(ChooseFrameRate, ZeroKeepsSourceRate) {
  g_autoptr(GstCaps) caps = gst_caps_from_string("video/x-raw,framerate=30000/1001");
  int n = 0, d = 0;
  lp::choose_frame_rate(0, 1, gst_caps_get_structure(caps, 0), &n, &d);
  EXPECT_EQ(n, 30000);
  EXPECT_EQ(d, 1001);
}

TEST(ChooseFrameRate, VariableRateUsesMaxRateElseThirty) {
  g_autoptr(GstCaps) with_max =
      gst_caps_from_string("video/x-raw,framerate=0/1,max-framerate=60/1");
  int n = 0, d = 0;
  lp::choose_frame_rate(0, 1, gst_caps_get_structure(with_max, 0), &n, &d);
  EXPECT_EQ(n, 60);
  g_autoptr(GstCaps) vfr = gst_caps_from_string("video/x-raw,framerate=0/1");
  lp::choose_frame_rate(0, 1, gst_caps_get_structure(vfr, 0), &n, &d);
  EXPECT_EQ(n, 30);
  EXPECT_EQ(d, 1);
}

struct AudioCase {
  const char* caps;
  lp::OutputContainer container;
  lp::AudioPlan plan;
  const char* parser;
};

TEST(PlanAudio, CopiesWhatTheContainerCarriesElseAacOrOpus) {
  using C = lp::OutputContainer;
  const AudioCase cases[] = {
      {"audio/x-raw,format=S16LE,rate=48000,channels=2", C::MpegTs, lp::AudioPlan::Encode, nullptr},
      {"audio/mpeg,mpegversion=4,stream-format=adts", C::MpegTs, lp::AudioPlan::Copy, "aacparse"},
      {"audio/mpeg,mpegversion=4,stream-format=adts", C::Mp4, lp::AudioPlan::Copy, "aacparse"},
      {"audio/mpeg,mpegversion=1,layer=3", C::MpegTs, lp::AudioPlan::Copy, "mpegaudioparse"},
      {"audio/x-ac3", C::MpegTs, lp::AudioPlan::Copy, "ac3parse"},
      {"audio/x-ac3", C::Mp4, lp::AudioPlan::DecodeAndEncode, nullptr},
      {"audio/x-opus,channel-mapping-family=0", C::MpegTs, lp::AudioPlan::DecodeAndEncode, nullptr},
      {"audio/x-flac", C::MpegTs, lp::AudioPlan::DecodeAndEncode, nullptr},
      // WebM carries Opus and Vorbis only.
      {"audio/x-raw,format=S16LE,rate=48000,channels=2", C::WebM, lp::AudioPlan::Encode, nullptr},
      {"audio/x-opus,channel-mapping-family=0", C::WebM, lp::AudioPlan::Copy, "opusparse"},
      {"audio/x-vorbis", C::WebM, lp::AudioPlan::Copy, "vorbisparse"},
      {"audio/mpeg,mpegversion=4,stream-format=adts", C::WebM, lp::AudioPlan::DecodeAndEncode, nullptr},
  };
  for (const auto& c : cases) {
    g_autoptr(GstCaps) caps = gst_caps_from_string(c.caps);
    const char* parser = nullptr;
    const char* where = lp::container_name(c.container);
    EXPECT_EQ(lp::plan_audio(caps, c.container, &parser), c.plan) << c.caps << " in " << where;
    if (c.parser) {
      ASSERT_NE(parser, nullptr) << c.caps;
      EXPECT_STREQ(parser, c.parser);
    }
  }
  EXPECT_STREQ(lp::audio_encoding_name(C::WebM), "Opus");
  EXPECT_STREQ(lp::audio_encoding_name(C::Mp4), "AAC");
}

TEST(ChooseContainer, AutoFollowsTheCodec) {
  using C = lp::OutputContainer;
  const std::pair<lp::VideoCodec, C> cases[] = {
      {lp::VideoCodec::H264, C::MpegTs}, {lp::VideoCodec::HEVC, C::MpegTs},
      {lp::VideoCodec::VP9, C::Mp4},     {lp::VideoCodec::AV1, C::Mp4},
      {lp::VideoCodec::VP8, C::WebM}};
  for (auto [codec, container] : cases) {
    auto chosen = lp::choose_container(LP_CONTAINER_AUTO, codec);
    ASSERT_TRUE(chosen.ok()) << lp::video_codec_name(codec);
    EXPECT_EQ(*chosen, container) << lp::video_codec_name(codec);
  }
  EXPECT_STREQ(lp::muxer_factory(C::MpegTs), "mpegtsmux");
  EXPECT_STREQ(lp::muxer_factory(C::Mp4), "mp4mux");
  EXPECT_STREQ(lp::muxer_factory(C::WebM), "webmmux");
}

TEST(ChooseContainer, ExplicitContainerIsKeptOrRefusedWithTheAlternatives) {
  auto hevc_mp4 = lp::choose_container(LP_CONTAINER_MP4, lp::VideoCodec::HEVC);
  ASSERT_TRUE(hevc_mp4.ok());
  EXPECT_EQ(*hevc_mp4, lp::OutputContainer::Mp4);
  auto vp9_webm = lp::choose_container(LP_CONTAINER_WEBM, lp::VideoCodec::VP9);
  ASSERT_TRUE(vp9_webm.ok());
  EXPECT_EQ(*vp9_webm, lp::OutputContainer::WebM);

  auto vp9_ts = lp::choose_container(LP_CONTAINER_MPEGTS, lp::VideoCodec::VP9);
  ASSERT_FALSE(vp9_ts.ok());
  EXPECT_EQ(vp9_ts.error().code, lp::ErrorCode::Unsupported);
  EXPECT_EQ(vp9_ts.error().message, "container mpegts cannot carry VP9: use container=mp4 or webm (or auto)");
  auto vp8_mp4 = lp::choose_container(LP_CONTAINER_MP4, lp::VideoCodec::VP8);
  ASSERT_FALSE(vp8_mp4.ok());
  EXPECT_EQ(vp8_mp4.error().message, "container mp4 cannot carry VP8: use container=webm (or auto)");
  auto h264_webm = lp::choose_container(LP_CONTAINER_WEBM, lp::VideoCodec::H264);
  ASSERT_FALSE(h264_webm.ok());
  EXPECT_NE(h264_webm.error().message.find("H.264"), std::string::npos);
}

}  // namespace
