// Mapping of rendition fields onto each built-in adapter's encoder properties, and adapter
// selection.
#include <gtest/gtest.h>

#include <string>

#include "adapter_registry.h"

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

// The named adapter, or a skip when its encoder is not installed here.
const lp::CodecAdapter* adapter(const char* name, lp::VideoCodec codec) {
  auto found = lp::find_codec_adapter(name, codec);
  EXPECT_TRUE(found.ok()) << (found.ok() ? "" : found.error().message);
  return found.ok() ? *found : nullptr;
}

#define ADAPTER_OR_SKIP(var, name, codec)                        \
  auto var##_found = lp::find_codec_adapter(name, codec);        \
  if (!var##_found) GTEST_SKIP() << var##_found.error().message; \
  const lp::CodecAdapter* var = *var##_found

ElementPtr make(const lp::CodecAdapter* adapter, const lp::EncodeSettings& s) {
  if (!adapter) return nullptr;
  auto e = adapter->make_encoder(s);
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
  return ElementPtr(e.ok() ? GST_ELEMENT(gst_object_ref_sink(*e)) : nullptr);
}

std::string enum_nick(GstElement* e, const char* prop) {
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop)));
  g_object_get_property(G_OBJECT(e), prop, &v);
  GEnumClass* klass = G_ENUM_CLASS(g_type_class_ref(G_VALUE_TYPE(&v)));
  std::string nick = g_enum_get_value(klass, g_value_get_enum(&v))->value_nick;
  g_type_class_unref(klass);
  g_value_unset(&v);
  return nick;
}

std::string string_prop(GstElement* e, const char* prop) {
  g_autofree char* value = nullptr;
  g_object_get(e, prop, &value, nullptr);
  return value ? value : "";
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

TEST(PublicSettings, CarryTheResolvedFields) {
  auto s = settings_720p();
  s.speed_preset = "slow";
  s.quality = 20;
  s.h264_profile = lp::H264Profile::Main;
  LpEncodeSettings p = lp::public_settings(s);
  EXPECT_EQ(p.width, 1280);
  EXPECT_EQ(p.height, 720);
  EXPECT_EQ(p.fps_n, 30);
  EXPECT_EQ(p.fps_d, 1);
  EXPECT_EQ(p.bitrate, 3'000'000);
  EXPECT_EQ(p.keyframe_interval, 60);
  EXPECT_EQ(p.quality, 20);
  EXPECT_EQ(p.speed_preset, LP_SPEED_PRESET_SLOW);
  EXPECT_EQ(p.h264_profile, LP_H264_PROFILE_MAIN);
  EXPECT_EQ(p.device, -1);
  EXPECT_STREQ(lp_speed_preset_name(LP_SPEED_PRESET_SLOW), "slow");
  EXPECT_STREQ(lp_video_codec_name(LP_VIDEO_CODEC_HEVC), "HEVC");
  EXPECT_EQ(lp_video_codec_name(static_cast<LpVideoCodec>(42)), nullptr);
}

TEST(X264Adapter, BitrateModeMapsToAbrWithVbv) {
  auto enc = make(adapter("x264", lp::VideoCodec::H264), settings_720p());
  ASSERT_TRUE(enc);
  guint bitrate = 0, keyint = 0, vbv = 0;
  g_object_get(enc.get(), "bitrate", &bitrate, "key-int-max", &keyint, "vbv-buf-capacity", &vbv, nullptr);
  EXPECT_EQ(bitrate, 3000u);  // kbit/s
  EXPECT_EQ(keyint, 60u);
  EXPECT_EQ(vbv, 1000u);
  EXPECT_EQ(enum_nick(enc.get(), "pass"), "cbr");
  EXPECT_EQ(enum_nick(enc.get(), "speed-preset"), "veryfast");
  EXPECT_EQ(string_prop(enc.get(), "option-string"), "scenecut=0");  // exact GOPs
}

TEST(X264Adapter, QualityModeIsCrfCappedByBitrate) {
  auto s = settings_720p();
  s.quality = 23;
  s.speed_preset = "medium";
  auto enc = make(adapter("x264", lp::VideoCodec::H264), s);
  ASSERT_TRUE(enc);
  guint quantizer = 0, bitrate = 0;
  g_object_get(enc.get(), "quantizer", &quantizer, "bitrate", &bitrate, nullptr);
  EXPECT_EQ(enum_nick(enc.get(), "pass"), "qual");
  EXPECT_EQ(quantizer, 23u);
  EXPECT_EQ(bitrate, 3000u);
  EXPECT_EQ(enum_nick(enc.get(), "speed-preset"), "medium");
}

TEST(X264Adapter, ProfilesGoThroughCaps) {
  const lp::CodecAdapter* x264 = adapter("x264", lp::VideoCodec::H264);
  ASSERT_NE(x264, nullptr);
  auto s = settings_720p();
  const std::pair<lp::H264Profile, const char*> cases[] = {{lp::H264Profile::Baseline, "constrained-baseline"},
                                                           {lp::H264Profile::Main, "main"},
                                                           {lp::H264Profile::High, "high"},
                                                           {lp::H264Profile::ConstrainedHigh, "high"}};
  for (auto [profile, caps_name] : cases) {
    s.h264_profile = profile;
    auto caps = x264->output_caps(s);
    ASSERT_TRUE(caps.ok());
    EXPECT_STREQ(gst_structure_get_string(gst_caps_get_structure(caps->get(), 0), "profile"), caps_name);
  }
  s.h264_profile = lp::H264Profile::ConstrainedHigh;
  auto enc = make(x264, s);
  guint bframes = 99;
  g_object_get(enc.get(), "bframes", &bframes, nullptr);
  EXPECT_EQ(bframes, 0u);  // constrained high = high without B-frames
  s.h264_profile = lp::H264Profile::Unset;
  auto plain = x264->output_caps(s);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(gst_structure_has_field(gst_caps_get_structure(plain->get(), 0), "profile"));
  EXPECT_STREQ(x264->parser(), "h264parse");
}

TEST(OpenH264Adapter, MapsBitrateGopAndComplexity) {
  ADAPTER_OR_SKIP(openh264, "openh264", lp::VideoCodec::H264);
  auto s = settings_720p();
  s.speed_preset = "slow";
  auto enc = make(openh264, s);
  guint bitrate = 0, gop = 0;
  gboolean skip = TRUE, scene_cuts = TRUE;
  g_object_get(enc.get(), "bitrate", &bitrate, "gop-size", &gop, "enable-frame-skip", &skip, "scene-change-detection",
               &scene_cuts, nullptr);
  EXPECT_EQ(bitrate, 3'000'000u);
  EXPECT_EQ(gop, 60u);
  EXPECT_FALSE(skip);
  EXPECT_FALSE(scene_cuts);
  EXPECT_EQ(enum_nick(enc.get(), "complexity"), "high");
  EXPECT_EQ(enum_nick(enc.get(), "rate-control"), "bitrate");
}

TEST(X265Adapter, BitrateModeIsAbrWithVbvAndExactClosedGops) {
  ADAPTER_OR_SKIP(x265, "x265", lp::VideoCodec::HEVC);
  EXPECT_STREQ(x265->parser(), "h265parse");
  auto enc = make(x265, settings_720p());
  guint bitrate = 0;
  gint keyint = 0;
  g_object_get(enc.get(), "bitrate", &bitrate, "key-int-max", &keyint, nullptr);
  EXPECT_EQ(bitrate, 3000u);  // kbit/s
  EXPECT_EQ(keyint, 60);
  EXPECT_EQ(enum_nick(enc.get(), "speed-preset"), "veryfast");
  EXPECT_EQ(string_prop(enc.get(), "option-string"),
            "keyint=60:min-keyint=60:scenecut=0:open-gop=0:vbv-maxrate=3000:vbv-bufsize=3000");
  auto caps = x265->output_caps(settings_720p());
  ASSERT_TRUE(caps.ok());
  EXPECT_TRUE(gst_structure_has_name(gst_caps_get_structure(caps->get(), 0), "video/x-h265"));
}

TEST(X265Adapter, QualityModeIsCrfThroughTheOptionString) {
  ADAPTER_OR_SKIP(x265, "x265", lp::VideoCodec::HEVC);
  auto s = settings_720p();
  s.quality = 28;
  s.bitrate = 0;
  s.gop.kind = lp::Gop::Kind::Intra;
  s.speed_preset = "fast";
  auto enc = make(x265, s);
  EXPECT_EQ(string_prop(enc.get(), "option-string"), "keyint=1:min-keyint=1:scenecut=0:open-gop=0:crf=28");
  EXPECT_EQ(enum_nick(enc.get(), "speed-preset"), "fast");
  s.bitrate = 2'000'000;  // also a cap
  auto capped = make(x265, s);
  EXPECT_EQ(string_prop(capped.get(), "option-string"),
            "keyint=1:min-keyint=1:scenecut=0:open-gop=0:crf=28:vbv-maxrate=2000:vbv-bufsize=2000");
}

TEST(Vp9Adapter, BitrateModeIsCbrWithForcedKeyframes) {
  ADAPTER_OR_SKIP(vp9, "vpx-vp9", lp::VideoCodec::VP9);
  EXPECT_STREQ(vp9->parser(), "vp9parse");
  auto enc = make(vp9, settings_720p());
  gint bitrate = 0, kf_dist = 0, buffer = 0, cpu_used = 0;
  gint64 deadline = 0;
  gboolean row_mt = FALSE;
  g_object_get(enc.get(), "target-bitrate", &bitrate, "keyframe-max-dist", &kf_dist, "buffer-size", &buffer, "cpu-used",
               &cpu_used, "deadline", &deadline, "row-mt", &row_mt, nullptr);
  EXPECT_EQ(bitrate, 3'000'000);  // bit/s
  EXPECT_EQ(kf_dist, 60);
  EXPECT_EQ(buffer, 1000);
  EXPECT_EQ(enum_nick(enc.get(), "end-usage"), "cbr");
  // Keyframes come from lpgst's pacing, not libvpx's scene detection.
  EXPECT_EQ(enum_nick(enc.get(), "keyframe-mode"), "disabled");
  EXPECT_EQ(deadline, 1);  // veryfast: realtime
  EXPECT_EQ(cpu_used, 6);
  EXPECT_TRUE(row_mt);
}

TEST(Vp9Adapter, QualityModeIsConstrainedQuality) {
  ADAPTER_OR_SKIP(vp9, "vpx-vp9", lp::VideoCodec::VP9);
  auto s = settings_720p();
  s.quality = 33;
  s.speed_preset = "veryslow";
  auto enc = make(vp9, s);
  gint cq = 0, bitrate = 0, cpu_used = -1;
  gint64 deadline = 0;
  g_object_get(enc.get(), "cq-level", &cq, "target-bitrate", &bitrate, "cpu-used", &cpu_used, "deadline", &deadline,
               nullptr);
  EXPECT_EQ(enum_nick(enc.get(), "end-usage"), "cq");
  EXPECT_EQ(cq, 33);
  EXPECT_EQ(bitrate, 3'000'000);   // the cap
  EXPECT_EQ(deadline, 1'000'000);  // good quality
  EXPECT_EQ(cpu_used, 0);
}

TEST(Av1Adapter, BitrateModeIsCbrWithKeyframesAtTheMaximumDistance) {
  ADAPTER_OR_SKIP(av1, "aom-av1", lp::VideoCodec::AV1);
  EXPECT_STREQ(av1->parser(), "av1parse");
  auto enc = make(av1, settings_720p());
  guint bitrate = 0, buf = 0;
  gint kf_dist = 0, cpu_used = 0;
  g_object_get(enc.get(), "target-bitrate", &bitrate, "keyframe-max-dist", &kf_dist, "buf-sz", &buf, "cpu-used",
               &cpu_used, nullptr);
  EXPECT_EQ(bitrate, 3000u);  // kbit/s
  EXPECT_EQ(kf_dist, 60);
  EXPECT_EQ(buf, 1000u);
  EXPECT_EQ(enum_nick(enc.get(), "end-usage"), "cbr");
  EXPECT_EQ(enum_nick(enc.get(), "keyframe-mode"), "auto");  // at exactly keyframe-max-dist
  EXPECT_EQ(enum_nick(enc.get(), "usage-profile"), "realtime");
  EXPECT_EQ(cpu_used, 8);
}

TEST(Av1Adapter, QualityModeIsAFixedQuantizerOrCappedByBitrate) {
  ADAPTER_OR_SKIP(av1, "aom-av1", lp::VideoCodec::AV1);
  auto s = settings_720p();
  s.quality = 35;
  s.bitrate = 0;
  s.speed_preset = "medium";
  auto enc = make(av1, s);
  guint min_q = 0, max_q = 0;
  g_object_get(enc.get(), "min-quantizer", &min_q, "max-quantizer", &max_q, nullptr);
  EXPECT_EQ(enum_nick(enc.get(), "end-usage"), "q");
  EXPECT_EQ(min_q, 35u);
  EXPECT_EQ(max_q, 35u);
  EXPECT_EQ(enum_nick(enc.get(), "usage-profile"), "good-quality");
  s.bitrate = 1'000'000;
  auto capped = make(av1, s);
  guint bitrate = 0;
  g_object_get(capped.get(), "min-quantizer", &min_q, "target-bitrate", &bitrate, nullptr);
  EXPECT_EQ(enum_nick(capped.get(), "end-usage"), "cq");
  EXPECT_EQ(min_q, 35u);
  EXPECT_EQ(bitrate, 1000u);
}

TEST(FindCodecAdapter, AutoPicksHighestRankedAvailable) {
  auto found = lp::find_codec_adapter("auto", lp::VideoCodec::H264);
  ASSERT_TRUE(found.ok());
  EXPECT_STREQ((*found)->name(), "x264");
  EXPECT_EQ((*found)->origin(), "lpgst");
  auto by_name = lp::find_codec_adapter("openh264", lp::VideoCodec::H264);
  if (by_name.ok()) {
    EXPECT_STREQ((*by_name)->name(), "openh264");
  }
  const std::pair<lp::VideoCodec, const char*> automatic[] = {
      {lp::VideoCodec::HEVC, "x265"}, {lp::VideoCodec::VP9, "vpx-vp9"}, {lp::VideoCodec::AV1, "aom-av1"}};
  for (auto [codec, name] : automatic) {
    auto a = lp::find_codec_adapter("", codec);
    if (!a.ok()) continue;  // encoder not installed here
    EXPECT_STREQ((*a)->name(), name);
  }
}

TEST(FindCodecAdapter, ListIsSortedByRank) {
  auto all = lp::codec_adapters();
  ASSERT_GE(all.size(), 5u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1]->rank(), all[i]->rank());
}

TEST(FindCodecAdapter, UnknownNameAndMissingCodecAreClearErrors) {
  auto unknown = lp::find_codec_adapter("nvenc9000", lp::VideoCodec::H264);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, lp::ErrorCode::Unsupported);
  EXPECT_NE(unknown.error().message.find("nvenc9000"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("x264"), std::string::npos);  // lists known ones
  EXPECT_NE(unknown.error().message.find("vpx-vp9"), std::string::npos);
  // No built-in adapter makes VP8: that is the codec plugin tutorial's.
  auto vp8 = lp::find_codec_adapter("auto", lp::VideoCodec::VP8);
  ASSERT_FALSE(vp8.ok());
  EXPECT_EQ(vp8.error().message.rfind("no installed encoder produces VP8", 0), 0u) << vp8.error().message;
  auto wrong = lp::find_codec_adapter("x264", lp::VideoCodec::HEVC);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "encoder 'x264' produces H.264, not HEVC");
}

TEST(SpeedPresets, OrderedLikeX264) {
  EXPECT_EQ(lp::speed_preset_index("ultrafast"), 0);
  EXPECT_EQ(lp::speed_preset_index("veryfast"), 2);
  EXPECT_EQ(lp::speed_preset_index("veryslow"), 8);
  EXPECT_EQ(lp::speed_preset_index("ludicrous"), -1);
}

}  // namespace
