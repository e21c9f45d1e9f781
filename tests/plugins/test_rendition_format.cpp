// Output geometry, frame rate and audio decisions of lprendition.
#include <gtest/gtest.h>

#include <string>
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

struct LpmsCase {
  int iw, ih, W, H;
  int width, height;
};

// go-livepeer's scale='w=if(gte(iw,ih),W,-2):h=if(lt(iw,ih),H,-2)', worked by hand.
TEST(LpmsOutputSize, MatchesFfmpegsScaleExpression) {
  const LpmsCase cases[] = {
      {1920, 1080, 426, 240, 426, 240},  // 426*1080/3840 = 119.8 -> 120 -> 240
      {1920, 1080, 1280, 720, 1280, 720},
      {640, 480, 640, 360, 640, 480},      // 4:3 into a 16:9 box: width kept, height not boxed
      {1080, 1920, 1280, 720, 406, 720},   // portrait: 720*1080/3840 = 202.5 -> 203 (half up)
      {1920, 1080, 1000, 720, 1000, 562},  // 1000*1080/3840 = 281.25 -> 281 -> 562
      {1920, 1080, 427, 240, 427, 240},    // W itself is kept, odd or not; 120.09 -> 120
      {1000, 1000, 300, 200, 300, 300},    // square counts as landscape: width W
      {1366, 768, 854, 480, 854, 480},     // 854*768/2732 = 240.07 -> 240
      {1366, 768, 853, 480, 853, 480},     // 239.79 -> 240
      {720, 1280, 640, 360, 202, 360},     // 360*720/2560 = 101.25 -> 101 -> 202
      {720, 576, 640, 360, 640, 512},      // anamorphic PAL: pixels only, 256 -> 512
      {1440, 1080, 1280, 720, 1280, 960},
      {4000, 10, 100, 100, 100, 2},      // 100*10/8000 = 0.125 -> 0: kept at 2
      {1920, 1080, 0, 240, 1920, 1080},  // W 0 is the source's width (ffmpeg's 0)
      {1080, 1920, 640, 0, 1080, 1920},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.iw) + "x" + std::to_string(c.ih) + " -> " + std::to_string(c.W) + "x" +
                 std::to_string(c.H));
    auto s = lp::lpms_output_size(c.iw, c.ih, c.W, c.H);
    EXPECT_EQ(s.width, c.width);
    EXPECT_EQ(s.height, c.height);
  }
}

TEST(OutputFrame, FitBoxIsSquareLpmsKeepsTheDisplayAspectInTheSar) {
  auto fit = lp::output_frame(lp::SizeRule::FitBox, 1440, 1080, 4, 3, 1280, 720);
  EXPECT_EQ(fit.size.width, 1280);
  EXPECT_EQ(fit.size.height, 720);
  EXPECT_EQ(fit.par_n, 1);
  EXPECT_EQ(fit.par_d, 1);
  // Same aspect: square stays square.
  auto same = lp::output_frame(lp::SizeRule::Lpms, 1920, 1080, 1, 1, 1280, 720);
  EXPECT_EQ(same.par_n, 1);
  EXPECT_EQ(same.par_d, 1);
  // SAR_out = SAR_in * (ow*ih) / (oh*iw): 406*1920 / (720*1080) = 406/405.
  auto portrait = lp::output_frame(lp::SizeRule::Lpms, 1080, 1920, 1, 1, 1280, 720);
  EXPECT_EQ(portrait.size.width, 406);
  EXPECT_EQ(portrait.size.height, 720);
  EXPECT_EQ(portrait.par_n, 406);
  EXPECT_EQ(portrait.par_d, 405);
  // Anamorphic 4:3 pixels scaled proportionally keep them.
  auto ana = lp::output_frame(lp::SizeRule::Lpms, 1440, 1080, 4, 3, 1280, 720);
  EXPECT_EQ(ana.size.width, 1280);
  EXPECT_EQ(ana.size.height, 960);
  EXPECT_EQ(ana.par_n, 4);
  EXPECT_EQ(ana.par_d, 3);
  // 426x240 from 1920x1080: 426*1080 / (240*1920) = 460080/460800 = 639/640 (reduced).
  auto p240 = lp::output_frame(lp::SizeRule::Lpms, 1920, 1080, 1, 1, 426, 240);
  EXPECT_EQ(p240.par_n, 639);
  EXPECT_EQ(p240.par_d, 640);
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
  g_autoptr(GstCaps) with_max = gst_caps_from_string("video/x-raw,framerate=0/1,max-framerate=60/1");
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
  const std::pair<lp::VideoCodec, C> cases[] = {{lp::VideoCodec::H264, C::MpegTs},
                                                {lp::VideoCodec::HEVC, C::MpegTs},
                                                {lp::VideoCodec::VP9, C::Mp4},
                                                {lp::VideoCodec::AV1, C::Mp4},
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
  auto h264_webm = lp::choose_container(lp::requested_container(LP_CONTAINER_MPEGTS, lp::ProfileContainer::WebM),
                                        lp::VideoCodec::H264);
  ASSERT_FALSE(h264_webm.ok());
  EXPECT_NE(h264_webm.error().message.find("H.264"), std::string::npos);
}

TEST(ChooseContainer, TheProfilesContainerOverridesTheProperty) {
  using P = lp::ProfileContainer;
  EXPECT_EQ(lp::requested_container(LP_CONTAINER_AUTO, P::Unset), LP_CONTAINER_AUTO);
  EXPECT_EQ(lp::requested_container(LP_CONTAINER_WEBM, P::Unset), LP_CONTAINER_WEBM);
  EXPECT_EQ(lp::requested_container(LP_CONTAINER_AUTO, P::Mp4), LP_CONTAINER_MP4);
  EXPECT_EQ(lp::requested_container(LP_CONTAINER_MP4, P::MpegTs), LP_CONTAINER_MPEGTS);
  EXPECT_EQ(lp::requested_container(LP_CONTAINER_MPEGTS, P::WebM), LP_CONTAINER_WEBM);
}

}  // namespace
