// Mapping of rendition fields onto encoder properties, and adapter selection.
#include <gtest/gtest.h>

#include "codec_adapter.h"
#include "x264_adapter.h"

namespace {

struct ElementUnref {
  void operator()(GstElement* e) const { gst_object_unref(e); }
};
using ElementPtr = std::unique_ptr<GstElement, ElementUnref>;

lp::EncodeSettings settings_720p() {
  lp::EncodeSettings s;
  s.width = 1280;
  s.height = 720;
  s.fps_n = 30;
  s.bitrate = 3'000'000;
  s.gop.kind = lp::Gop::Kind::Seconds;
  s.gop.seconds = 2.0;
  return s;
}

ElementPtr make(const lp::CodecAdapter& adapter, const lp::EncodeSettings& s) {
  auto e = adapter.make_encoder(s);
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
  return ElementPtr(e.ok() ? GST_ELEMENT(gst_object_ref_sink(*e)) : nullptr);
}

std::string enum_nick(GstElement* e, const char* prop) {
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_OBJECT_CLASS_TYPE(g_type_class_peek(
                       G_PARAM_SPEC_VALUE_TYPE(g_object_class_find_property(
                           G_OBJECT_GET_CLASS(e), prop)))));
  g_object_get_property(G_OBJECT(e), prop, &v);
  GEnumClass* klass = G_ENUM_CLASS(g_type_class_peek(G_VALUE_TYPE(&v)));
  std::string nick = g_enum_get_value(klass, g_value_get_enum(&v))->value_nick;
  g_value_unset(&v);
  return nick;
}

TEST(GopFrames, SecondsTimesRateIntraIsOneDefaultIsTwoSeconds) {
  auto s = settings_720p();
  EXPECT_EQ(lp::gop_frames(s), 60);
  s.fps_n = 30000;
  s.fps_d = 1001;
  EXPECT_EQ(lp::gop_frames(s), 60);
  s.gop.kind = lp::Gop::Kind::Intra;
  EXPECT_EQ(lp::gop_frames(s), 1);
  s.gop.kind = lp::Gop::Kind::Unset;
  s.fps_n = 25;
  s.fps_d = 1;
  EXPECT_EQ(lp::gop_frames(s), 50);
}

TEST(X264Adapter, BitrateModeMapsToAbrWithVbv) {
  lp::X264Adapter adapter;
  auto enc = make(adapter, settings_720p());
  guint bitrate = 0, keyint = 0, vbv = 0;
  g_object_get(enc.get(), "bitrate", &bitrate, "key-int-max", &keyint, "vbv-buf-capacity", &vbv,
               nullptr);
  EXPECT_EQ(bitrate, 3000u);  // kbit/s
  EXPECT_EQ(keyint, 60u);
  EXPECT_EQ(vbv, 1000u);
  EXPECT_EQ(enum_nick(enc.get(), "pass"), "cbr");
  EXPECT_EQ(enum_nick(enc.get(), "speed-preset"), "veryfast");
  g_autofree char* options = nullptr;
  g_object_get(enc.get(), "option-string", &options, nullptr);
  EXPECT_STREQ(options, "scenecut=0");  // exact GOPs
}

TEST(X264Adapter, QualityModeIsCrfCappedByBitrate) {
  lp::X264Adapter adapter;
  auto s = settings_720p();
  s.quality = 23;
  s.speed_preset = "medium";
  auto enc = make(adapter, s);
  guint quantizer = 0, bitrate = 0;
  g_object_get(enc.get(), "quantizer", &quantizer, "bitrate", &bitrate, nullptr);
  EXPECT_EQ(enum_nick(enc.get(), "pass"), "qual");
  EXPECT_EQ(quantizer, 23u);
  EXPECT_EQ(bitrate, 3000u);
  EXPECT_EQ(enum_nick(enc.get(), "speed-preset"), "medium");
}

TEST(X264Adapter, ProfilesGoThroughCaps) {
  lp::X264Adapter adapter;
  auto s = settings_720p();
  const std::pair<lp::H264Profile, const char*> cases[] = {
      {lp::H264Profile::Baseline, "constrained-baseline"},
      {lp::H264Profile::Main, "main"},
      {lp::H264Profile::High, "high"},
      {lp::H264Profile::ConstrainedHigh, "high"}};
  for (auto [profile, caps_name] : cases) {
    s.h264_profile = profile;
    g_autoptr(GstCaps) caps = adapter.output_caps(s);
    EXPECT_STREQ(gst_structure_get_string(gst_caps_get_structure(caps, 0), "profile"), caps_name);
  }
  s.h264_profile = lp::H264Profile::ConstrainedHigh;
  auto enc = make(adapter, s);
  guint bframes = 99;
  g_object_get(enc.get(), "bframes", &bframes, nullptr);
  EXPECT_EQ(bframes, 0u);  // constrained high = high without B-frames
  s.h264_profile = lp::H264Profile::Unset;
  g_autoptr(GstCaps) plain = adapter.output_caps(s);
  EXPECT_FALSE(gst_structure_has_field(gst_caps_get_structure(plain, 0), "profile"));
}

TEST(OpenH264Adapter, MapsBitrateGopAndComplexity) {
  auto found = lp::find_codec_adapter("openh264", lp::VideoCodec::H264);
  if (!found) GTEST_SKIP() << found.error().message;
  auto s = settings_720p();
  s.speed_preset = "slow";
  auto enc = make(**found, s);
  guint bitrate = 0, gop = 0;
  gboolean skip = TRUE;
  g_object_get(enc.get(), "bitrate", &bitrate, "gop-size", &gop, "enable-frame-skip", &skip,
               nullptr);
  EXPECT_EQ(bitrate, 3'000'000u);
  EXPECT_EQ(gop, 60u);
  EXPECT_FALSE(skip);
  EXPECT_EQ(enum_nick(enc.get(), "complexity"), "high");
  EXPECT_EQ(enum_nick(enc.get(), "rate-control"), "bitrate");
}

TEST(FindCodecAdapter, AutoPicksHighestRankedAvailable) {
  auto found = lp::find_codec_adapter("auto", lp::VideoCodec::H264);
  ASSERT_TRUE(found.ok());
  EXPECT_STREQ((*found)->name(), "x264");
  auto by_name = lp::find_codec_adapter("x264", lp::VideoCodec::H264);
  ASSERT_TRUE(by_name.ok());
}

TEST(FindCodecAdapter, UnknownNameAndMissingCodecAreClearErrors) {
  auto unknown = lp::find_codec_adapter("nvenc9000", lp::VideoCodec::H264);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, lp::ErrorCode::Unsupported);
  EXPECT_NE(unknown.error().message.find("nvenc9000"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("x264"), std::string::npos);  // lists known ones
  auto vp9 = lp::find_codec_adapter("auto", lp::VideoCodec::VP9);
  ASSERT_FALSE(vp9.ok());
  EXPECT_NE(vp9.error().message.find("VP9"), std::string::npos);
  auto wrong = lp::find_codec_adapter("x264", lp::VideoCodec::HEVC);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("HEVC"), std::string::npos);
}

TEST(SpeedPresets, OrderedLikeX264) {
  EXPECT_EQ(lp::speed_preset_index("ultrafast"), 0);
  EXPECT_EQ(lp::speed_preset_index("veryfast"), 2);
  EXPECT_EQ(lp::speed_preset_index("veryslow"), 8);
  EXPECT_EQ(lp::speed_preset_index("ludicrous"), -1);
}

}  // namespace
