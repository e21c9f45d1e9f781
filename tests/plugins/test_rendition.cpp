// lprendition on its own: GstHarness-driven, and from gst-launch descriptions.
#include <gst/check/gstharness.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "media.h"

namespace {

using lp::test::MediaInfo;
using lp::test::TempDir;

struct HarnessDeleter {
  void operator()(GstHarness* h) const { gst_harness_teardown(h); }
};
using HarnessPtr = std::unique_ptr<GstHarness, HarnessDeleter>;

// Pushes `frames` raw frames of `caps` through an lprendition configured by `setup`, then EOS;
// returns everything it output.
std::vector<uint8_t> run_harness(GstHarness* h, const std::string& caps, int frames) {
  std::string src = "videotestsrc pattern=smpte horizontal-speed=2 ! capsfilter caps=\"" + caps + "\"";
  gst_harness_add_src_parse(h, src.c_str(), FALSE);
  gst_harness_play(h);
  for (int i = 0; i < frames; ++i) {
    EXPECT_EQ(gst_harness_push_from_src(h), GST_FLOW_OK) << "frame " << i;
  }
  EXPECT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  std::vector<uint8_t> out;
  // Muxed output trails the input by the encoder's lookahead: pull until EOS (bounded by the
  // harness's own 60 s timeout).
  for (;;) {
    GstBuffer* buffer = nullptr;
    if (!gst_harness_pull_until_eos(h, &buffer)) {
      ADD_FAILURE() << "timed out waiting for output";
      break;
    }
    if (!buffer) break;  // EOS
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_READ);
    out.insert(out.end(), map.data, map.data + map.size);
    gst_buffer_unmap(buffer, &map);
    gst_buffer_unref(buffer);
  }
  return out;
}

MediaInfo inspect(const std::vector<uint8_t>& bytes) {
  g_autoptr(GBytes) b = g_bytes_new(bytes.data(), bytes.size());
  return lp::test::inspect_media_bytes(b);
}

// A harness around an lprendition whose properties are set before it starts.
GstStaticPadTemplate any_src = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
GstStaticPadTemplate any_sink = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

template <typename Setup>
HarnessPtr rendition_harness(Setup setup) {
  GstElement* element = gst_element_factory_make("lprendition", nullptr);
  setup(element);
  return HarnessPtr(gst_harness_new_full(element, &any_src, "video", &any_sink, "src"));
}

TEST(Rendition, HarnessScalesEncodesAndCounts) {
  auto h = rendition_harness([](GstElement* e) { g_object_set(e, "profile", "P144p30fps16x9", nullptr); });
  auto out = run_harness(h.get(), "video/x-raw,format=I420,width=320,height=240,framerate=30/1", 30);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.size() % 188, 0u);
  auto info = inspect(out);
  EXPECT_EQ(info.width, 192);  // 4:3 picture inside 256x144
  EXPECT_EQ(info.height, 144);
  EXPECT_EQ(info.frames, 30);
  EXPECT_TRUE(info.first_is_idr);
  guint64 frames = 0, pixels = 0;
  g_object_get(h->element, "frames", &frames, "pixels", &pixels, nullptr);
  EXPECT_EQ(frames, 30u);
  EXPECT_EQ(pixels, 30u * 192 * 144);
}

TEST(Rendition, PropertiesOverrideTheProfileAndTimestampOffsetShiftsPts) {
  auto h = rendition_harness([](GstElement* e) {
    g_object_set(e, "profile", "P360p30fps16x9", "width", 320, "gop", "intra", "timestamp-offset",
                 static_cast<gint64>(10 * GST_SECOND), nullptr);
    gst_util_set_object_arg(G_OBJECT(e), "h264-profile", "baseline");
  });
  auto out = run_harness(h.get(), "video/x-raw,format=I420,width=640,height=360,framerate=30/1", 10);
  auto info = inspect(out);
  EXPECT_EQ(info.width, 320);
  EXPECT_EQ(info.height, 180);
  EXPECT_EQ(info.h264_profile, "constrained-baseline");
  EXPECT_EQ(static_cast<int>(info.keyframes.size()), info.frames);
  auto pts = lp::test::ts_first_video_pts(out);
  ASSERT_TRUE(pts);
  EXPECT_NEAR(static_cast<double>(*pts), 10.0 * 90000, 1);  // stream time 0 + 10 s
}

TEST(Rendition, ProfileGetterReturnsJson) {
  g_autoptr(GstElement) r = gst_element_factory_make("lprendition", nullptr);
  ASSERT_NE(r, nullptr);
  g_object_set(r, "profile", "P240p30fps16x9", "bitrate", 500000, nullptr);
  g_autofree char* json = nullptr;
  g_object_get(r, "profile", &json, nullptr);
  std::string text = json;
  EXPECT_NE(text.find("\"width\":426"), std::string::npos) << text;
  EXPECT_NE(text.find("\"bitrate\":500000"), std::string::npos) << text;
}

TEST(Rendition, GstLaunchWithAudioAndMp4) {
  TempDir dir;
  std::string ts = dir.file("r.ts"), mp4 = dir.file("r.mp4");
  auto err = lp::test::run_launch(
      "videotestsrc num-buffers=30 ! video/x-raw,width=640,height=480,framerate=30/1 ! "
      "lprendition name=r profile=P240p30fps16x9 quality=28 speed-preset=ultrafast ! "
      "filesink location=" +
      ts + " audiotestsrc num-buffers=20 ! r.audio");
  ASSERT_FALSE(err) << *err;
  auto info = lp::test::inspect_media(ts);
  EXPECT_EQ(info.width, 320);
  EXPECT_EQ(info.height, 240);
  EXPECT_TRUE(info.has_audio);
  EXPECT_EQ(info.audio_caps_name, "audio/mpeg");  // raw audio encoded to AAC

  err = lp::test::run_launch(
      "videotestsrc num-buffers=30 ! video/x-raw,width=640,height=360,framerate=30/1 ! "
      "lprendition container=mp4 "
      "profile='{\"name\":\"x\",\"width\":320,\"height\":180,\"bitrate\":300000,\"gop\":\"0.5\"}' ! "
      "filesink location=" +
      mp4);
  ASSERT_FALSE(err) << *err;
  auto mp4_info = lp::test::inspect_media(mp4);
  EXPECT_EQ(mp4_info.container, "video/quicktime");
  EXPECT_EQ(mp4_info.width, 320);
  EXPECT_EQ(mp4_info.keyframes, (std::vector<int>{0, 15}));
}

TEST(Rendition, InvalidSettingsFailAtStartWithTheirName) {
  auto err = lp::test::run_launch("videotestsrc num-buffers=5 ! lprendition profile=P999p ! fakesink");
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("P999p"), std::string::npos) << *err;
  err = lp::test::run_launch("videotestsrc num-buffers=5 ! lprendition width=320 height=240 gop=soon ! fakesink");
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("gop"), std::string::npos) << *err;
  err = lp::test::run_launch("videotestsrc num-buffers=5 ! lprendition profile=P240p30fps16x9 encoder=nope ! fakesink");
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("nope"), std::string::npos) << *err;
  err = lp::test::run_launch("videotestsrc num-buffers=5 ! lprendition ! fakesink");
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("no output size"), std::string::npos) << *err;
}

TEST(Rendition, TheProfilesContainerOverridesThePropertyAndBadPairsFailAsBefore) {
  TempDir dir;
  const std::string mp4 = dir.file("r.mp4");
  auto err = lp::test::run_launch(
      "videotestsrc num-buffers=15 ! video/x-raw,width=320,height=240,framerate=30/1 ! "
      "lprendition container=mpegts "
      "profile='{\"name\":\"x\",\"width\":160,\"height\":120,\"bitrate\":200000,\"container\":\"mp4\"}' ! "
      "filesink location=" +
      mp4);
  ASSERT_FALSE(err) << *err;
  auto info = lp::test::inspect_media(mp4);
  EXPECT_EQ(info.container, "video/quicktime");
  EXPECT_EQ(info.frames, 15);

  // H.264 in WebM: choose_container's error, as container=webm gives it.
  err = lp::test::run_launch(
      "videotestsrc num-buffers=5 ! lprendition "
      "profile='{\"width\":160,\"height\":120,\"bitrate\":200000,\"container\":\"webm\"}' ! fakesink");
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("container webm cannot carry H.264: use container=mpegts or mp4 (or auto)"), std::string::npos)
      << *err;
}

TEST(Rendition, LpmsSizeRuleSetsGoLivepeersSizeAndKeepsTheDisplayAspect) {
  // Portrait 360x640 into 640x360: height 360, width round(360*360 / 1280) * 2 = 202, and the
  // pixels are 202*640 / (360*360) = 404/405 wide, as ffmpeg's scale filter would make them.
  auto h = rendition_harness([](GstElement* e) {
    g_object_set(e, "profile", R"({"width":640,"height":360,"bitrate":300000,"size_rule":"lpms"})", nullptr);
  });
  auto out = run_harness(h.get(), "video/x-raw,format=I420,width=360,height=640,framerate=30/1", 10);
  auto info = inspect(out);
  EXPECT_EQ(info.width, 202);
  EXPECT_EQ(info.height, 360);
  EXPECT_EQ(info.par_n, 404);
  EXPECT_EQ(info.par_d, 405);
  EXPECT_EQ(info.frames, 10);
  guint64 pixels = 0;
  g_object_get(h->element, "pixels", &pixels, nullptr);
  EXPECT_EQ(pixels, 10u * 202 * 360);
}

}  // namespace
