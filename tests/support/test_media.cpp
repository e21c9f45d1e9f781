// Self-tests of the media test-support library: every generator combination must come back
// from the inspector with the properties it was asked for.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "media.h"

namespace lp::test {
namespace {

constexpr GstClockTime kFrame30 = GST_SECOND / 30;

MediaSpec small_spec() {
  MediaSpec s;
  s.width = 320;
  s.height = 240;
  s.seconds = 2.0;
  s.gop_frames = 30;
  s.x264_speed_preset = "superfast";
  return s;
}

// All keyframe intervals (in frames) of a stream; the last, partial GOP is not an interval.
std::set<int> keyframe_intervals(const MediaInfo& mi) {
  std::set<int> out;
  for (size_t i = 1; i < mi.keyframes.size(); ++i) out.insert(mi.keyframes[i] - mi.keyframes[i - 1]);
  return out;
}

std::set<GstClockTime> pts_deltas(const MediaInfo& mi) {
  std::set<GstClockTime> out;
  for (size_t i = 1; i < mi.pts.size(); ++i) out.insert(mi.pts[i] - mi.pts[i - 1]);
  return out;
}

bool near(GstClockTime a, GstClockTime b, GstClockTime tol) { return (a > b ? a - b : b - a) <= tol; }

TEST(TempDir, CreatesAndRemoves) {
  std::string path;
  {
    TempDir dir;
    path = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(path));
    EXPECT_EQ(dir.file("a.ts"), path + "/a.ts");
    std::filesystem::create_directories(dir.file("sub/deeper"));
    write_file(dir.file("sub/deeper/x.bin"), {1, 2, 3});
    EXPECT_EQ(read_file(dir.file("sub/deeper/x.bin")), (std::vector<uint8_t>{1, 2, 3}));
    GBytes* b = bytes_from_file(dir.file("sub/deeper/x.bin"));
    EXPECT_EQ(g_bytes_get_size(b), 3u);
    g_bytes_unref(b);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(read_file(path + "/nope"), std::runtime_error);
  EXPECT_THROW(bytes_from_file(path + "/nope"), std::runtime_error);
}

TEST(RunLaunch, ReportsEosErrorsAndTimeout) {
  EXPECT_EQ(run_launch("videotestsrc num-buffers=3 ! fakesink"), std::nullopt);
  auto bad = run_launch("videotestsrc ! no_such_element_xyz ! fakesink");
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->find("no_such_element_xyz"), std::string::npos) << *bad;
  auto runtime = run_launch("filesrc location=/nonexistent/lpgst.ts ! fakesink");
  ASSERT_TRUE(runtime.has_value());
  EXPECT_NE(runtime->find("/nonexistent/lpgst.ts"), std::string::npos) << *runtime;
  auto notneg = run_launch("audiotestsrc num-buffers=2 ! video/x-raw ! fakesink");
  ASSERT_TRUE(notneg.has_value());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(run_launch("videotestsrc is-live=true ! fakesink", 0.3), std::optional<std::string>("timeout"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(Media, H264AacMpegTs) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.audio_codec = "aac";
  make_media(spec, dir.file("a.ts"));
  const MediaInfo mi = inspect_media(dir.file("a.ts"));
  EXPECT_EQ(mi.container, "video/mpegts");
  ASSERT_TRUE(mi.has_video);
  EXPECT_EQ(mi.video_caps_name, "video/x-h264");
  EXPECT_EQ(mi.h264_profile, "high");
  EXPECT_EQ(mi.chroma_format, "4:2:0");
  EXPECT_EQ(mi.bit_depth, 8);
  EXPECT_EQ(mi.width, 320);
  EXPECT_EQ(mi.height, 240);
  EXPECT_EQ(mi.par_n, 1);
  EXPECT_EQ(mi.par_d, 1);
  EXPECT_EQ(mi.frames, 60);
  EXPECT_EQ(mi.decoded_frames, 60);
  EXPECT_EQ(mi.demuxed_video_buffers, 60);
  EXPECT_EQ(mi.decoded_format, "I420");
  EXPECT_EQ(mi.keyframes, (std::vector<int>{0, 30}));
  EXPECT_TRUE(mi.first_is_idr);
  ASSERT_EQ(mi.pts.size(), 60u);
  for (GstClockTime d : pts_deltas(mi)) EXPECT_TRUE(near(d, kFrame30, GST_MSECOND / 10)) << d;
  EXPECT_EQ(mi.first_pts, mi.pts.front());
  EXPECT_EQ(mi.last_pts, mi.pts.back());
  ASSERT_TRUE(mi.has_audio);
  EXPECT_EQ(mi.audio_caps_name, "audio/mpeg");
  EXPECT_EQ(mi.audio_mpegversion, 4);
  EXPECT_EQ(mi.audio_rate, 48000);
  EXPECT_EQ(mi.audio_channels, 2);
  EXPECT_TRUE(near(mi.audio_duration, 2 * GST_SECOND, 100 * GST_MSECOND)) << mi.audio_duration;

  // Raw TS timestamps: mpegtsmux starts at 3600 s (+ the b-frame delay), and every video PES has one.
  const auto bytes = read_file(dir.file("a.ts"));
  const auto first = ts_first_video_pts(bytes);
  ASSERT_TRUE(first.has_value());
  const auto list = ts_video_pts_list(bytes);
  ASSERT_EQ(list.size(), 60u);
  EXPECT_EQ(*first, *std::min_element(list.begin(), list.end()));
  EXPECT_GE(*first, 3600 * 90000);
  EXPECT_FALSE(std::is_sorted(list.begin(), list.end())) << "b-frames: PES order is not PTS order";
}

struct Combo {
  std::string container, video, audio, container_caps, video_caps, audio_caps;
  int mpegversion;
};

class MediaCombo : public testing::TestWithParam<Combo> {};

TEST_P(MediaCombo, GeneratesAndInspects) {
  const Combo& c = GetParam();
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.container = c.container;
  spec.video_codec = c.video;
  spec.audio_codec = c.audio;
  make_media(spec, dir.file("m"));
  const MediaInfo mi = inspect_media(dir.file("m"));
  EXPECT_EQ(mi.container, c.container_caps);
  ASSERT_TRUE(mi.has_video);
  EXPECT_EQ(mi.video_caps_name, c.video_caps);
  EXPECT_EQ(mi.width, 320);
  EXPECT_EQ(mi.height, 240);
  EXPECT_EQ(mi.frames, 60);
  EXPECT_EQ(mi.decoded_frames, 60);
  EXPECT_EQ(mi.chroma_format, "4:2:0");
  ASSERT_FALSE(mi.keyframes.empty());
  EXPECT_EQ(mi.keyframes.front(), 0);
  EXPECT_EQ(keyframe_intervals(mi), (std::set<int>{30}));
  EXPECT_EQ(mi.pts.size(), 60u);
  if (c.video == "h264") {
    EXPECT_TRUE(mi.first_is_idr);
  }
  if (c.container != "mpegps") {
    EXPECT_EQ(mi.demuxed_video_buffers, 60);
  }
  ASSERT_EQ(mi.has_audio, c.audio != "none");
  if (mi.has_audio) {
    EXPECT_EQ(mi.audio_caps_name, c.audio_caps);
    EXPECT_EQ(mi.audio_mpegversion, c.mpegversion);
    EXPECT_EQ(mi.audio_rate, 48000);
    EXPECT_EQ(mi.audio_channels, 2);
    EXPECT_TRUE(near(mi.audio_duration, 2 * GST_SECOND, 150 * GST_MSECOND)) << mi.audio_duration;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, MediaCombo,
    testing::Values(Combo{"mpegts", "h264", "none", "video/mpegts", "video/x-h264", "", 0},
                    Combo{"mpegts", "h264", "mp3", "video/mpegts", "video/x-h264", "audio/mpeg", 1},
                    Combo{"mpegts", "h264", "ac3", "video/mpegts", "video/x-h264", "audio/x-ac3", 0},
                    Combo{"mpegts", "h264", "opus", "video/mpegts", "video/x-h264", "audio/x-opus", 0},
                    Combo{"mpegts", "mpeg2", "aac", "video/mpegts", "video/mpeg", "audio/mpeg", 4},
                    Combo{"mp4", "h264", "aac", "video/quicktime", "video/x-h264", "audio/mpeg", 4},
                    Combo{"mp4", "h264", "mp3", "video/quicktime", "video/x-h264", "audio/mpeg", 1},
                    Combo{"matroska", "h264", "opus", "video/x-matroska", "video/x-h264", "audio/x-opus", 0},
                    Combo{"matroska", "h264", "pcm", "video/x-matroska", "video/x-h264", "audio/x-raw", 0},
                    Combo{"matroska", "h264", "aac", "video/x-matroska", "video/x-h264", "audio/mpeg", 4},
                    Combo{"mpegps", "mpeg2", "mp3", "video/mpeg", "video/mpeg", "audio/mpeg", 1},
                    Combo{"mpegps", "mpeg2", "aac", "video/mpeg", "video/mpeg", "audio/mpeg", 4},
                    Combo{"mpegps", "h264", "none", "video/mpeg", "video/x-h264", "", 0},
                    Combo{"mpegts", "h265", "aac", "video/mpegts", "video/x-h265", "audio/mpeg", 4},
                    Combo{"mp4", "h265", "none", "video/quicktime", "video/x-h265", "", 0},
                    Combo{"matroska", "vp9", "opus", "video/x-matroska", "video/x-vp9", "audio/x-opus", 0}),
    [](const testing::TestParamInfo<Combo>& i) {
      return i.param.container + "_" + i.param.video + "_" + i.param.audio;
    });

TEST(Media, AudioOnly) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.video_codec = "none";
  spec.audio_codec = "aac";
  make_media(spec, dir.file("a.ts"));
  const MediaInfo mi = inspect_media(dir.file("a.ts"));
  EXPECT_FALSE(mi.has_video);
  EXPECT_EQ(mi.frames, 0);
  ASSERT_TRUE(mi.has_audio);
  EXPECT_EQ(mi.audio_caps_name, "audio/mpeg");
}

TEST(Media, Chroma444And422) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.seconds = 0.5;
  spec.chroma = "Y444";
  spec.pattern = "ball";
  make_media(spec, dir.file("444.ts"));
  MediaInfo mi = inspect_media(dir.file("444.ts"));
  EXPECT_EQ(mi.h264_profile, "high-4:4:4");
  EXPECT_EQ(mi.chroma_format, "4:4:4");
  EXPECT_EQ(mi.bit_depth, 8);
  EXPECT_EQ(mi.decoded_format, "Y444");
  EXPECT_EQ(mi.decoded_frames, 15);

  spec.chroma = "Y42B";
  spec.container = "mp4";
  make_media(spec, dir.file("422.mp4"));
  mi = inspect_media(dir.file("422.mp4"));
  EXPECT_EQ(mi.h264_profile, "high-4:2:2");
  EXPECT_EQ(mi.chroma_format, "4:2:2");
  EXPECT_EQ(mi.bit_depth, 8);
  EXPECT_EQ(mi.decoded_format, "Y42B");
  EXPECT_EQ(mi.decoded_frames, 15);
}

TEST(Media, AnamorphicPar) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.seconds = 0.5;
  spec.width = 720;
  spec.height = 576;
  spec.par_n = 16;
  spec.par_d = 15;
  make_media(spec, dir.file("pal.ts"));
  MediaInfo mi = inspect_media(dir.file("pal.ts"));
  EXPECT_EQ(mi.width, 720);
  EXPECT_EQ(mi.height, 576);
  EXPECT_EQ(mi.par_n, 16);
  EXPECT_EQ(mi.par_d, 15);

  spec.width = 1440;
  spec.height = 1080;
  spec.par_n = 4;
  spec.par_d = 3;
  spec.seconds = 0.2;
  spec.container = "mp4";
  make_media(spec, dir.file("hdv.mp4"));
  mi = inspect_media(dir.file("hdv.mp4"));
  EXPECT_EQ(mi.width, 1440);
  EXPECT_EQ(mi.height, 1080);
  EXPECT_EQ(mi.par_n, 4);
  EXPECT_EQ(mi.par_d, 3);
  EXPECT_EQ(mi.decoded_frames, 6);
}

TEST(Media, Default1080pSpec) {
  TempDir dir;
  MediaSpec spec;  // the defaults: 1920x1080 30 fps h264 in MPEG-TS, GOP 60
  spec.audio_codec = "aac";
  make_media(spec, dir.file("hd.ts"));
  const MediaInfo mi = inspect_media(dir.file("hd.ts"));
  EXPECT_EQ(mi.width, 1920);
  EXPECT_EQ(mi.height, 1080);
  EXPECT_EQ(mi.frames, 60);
  EXPECT_EQ(mi.decoded_frames, 60);
  EXPECT_EQ(mi.keyframes, (std::vector<int>{0}));
  EXPECT_TRUE(mi.first_is_idr);
  EXPECT_GT(mi.video_bytes, 500000u) << "moving content, not a still image";
}

class VfrMedia : public testing::TestWithParam<std::string> {};

TEST_P(VfrMedia, HasIrregularPts) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.variable_frame_rate = true;
  spec.container = GetParam();
  make_media(spec, dir.file("vfr"));
  const MediaInfo mi = inspect_media(dir.file("vfr"));
  const int expected = expected_frames(spec);
  EXPECT_LT(expected, 60);
  EXPECT_EQ(mi.frames, expected);
  EXPECT_EQ(mi.decoded_frames, expected);
  const auto deltas = pts_deltas(mi);
  EXPECT_GE(deltas.size(), 2u) << "irregular frame spacing";
  for (GstClockTime d : deltas) {
    EXPECT_GE(d + GST_MSECOND, kFrame30);
    EXPECT_LE(d, 4 * kFrame30);
  }
  // matroska: framerate 0/1. Raw TS: h264parse reads x264's VUI timing (time base 1 ns) as 1e9/1.
  EXPECT_TRUE(mi.fps_n == 0 || mi.fps_n / mi.fps_d >= 1000) << mi.fps_n << "/" << mi.fps_d;
  // Same pattern every time: frame 2 and frame 3 are dropped, so the 3rd kept frame is frame 4.
  ASSERT_GE(mi.pts.size(), 3u);
  EXPECT_TRUE(near(mi.pts[2] - mi.pts[0], 4 * kFrame30, 2 * GST_MSECOND));
}

INSTANTIATE_TEST_SUITE_P(Containers, VfrMedia, testing::Values("matroska", "mpegts"));

TEST(Media, TsSegmentsAreContinuousAndDecodableAlone) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.seconds = 4.0;
  spec.gop_frames = 60;
  spec.audio_codec = "aac";
  const auto segs = make_ts_segments(spec, 2.0, dir);
  ASSERT_EQ(segs.size(), 2u);
  std::vector<std::vector<int64_t>> raw;
  for (const auto& s : segs) {
    const MediaInfo mi = inspect_media(s);
    EXPECT_EQ(mi.container, "video/mpegts") << s;
    EXPECT_EQ(mi.frames, 60) << s;
    EXPECT_EQ(mi.decoded_frames, 60) << s;
    EXPECT_TRUE(mi.first_is_idr) << s;
    EXPECT_EQ(mi.keyframes, (std::vector<int>{0})) << s;
    EXPECT_TRUE(mi.has_audio) << s;
    const auto bytes = read_file(s);
    ASSERT_EQ(bytes.size() % 188, 0u);
    EXPECT_EQ((((bytes[1] & 0x1F) << 8) | bytes[2]), 0) << "segment starts with the PAT";
    raw.push_back(ts_video_pts_list(bytes));
    ASSERT_EQ(raw.back().size(), 60u);
    EXPECT_EQ(ts_first_video_pts(bytes), *std::min_element(raw.back().begin(), raw.back().end()));
  }
  const int64_t last1 = *std::max_element(raw[0].begin(), raw[0].end());
  const int64_t first2 = *std::min_element(raw[1].begin(), raw[1].end());
  EXPECT_NEAR(first2 - last1, 3000, 1) << "one 30 fps frame in 90 kHz ticks (1/30 s rounds to 3000 +- 1)";

  // Segments concatenated are the whole stream again.
  std::vector<uint8_t> all;
  for (const auto& s : segs) {
    const auto b = read_file(s);
    all.insert(all.end(), b.begin(), b.end());
  }
  write_file(dir.file("all.ts"), all);
  EXPECT_EQ(inspect_media(dir.file("all.ts")).decoded_frames, 120);
}

TEST(Media, MidGopCutDoesNotFullyDecodeAndTsParserSurvivesJunk) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.gop_frames = 30;
  make_media(spec, dir.file("a.ts"));
  const auto ts = read_file(dir.file("a.ts"));
  // Keep the PAT and PMT, drop everything before the 10th video PES: starts mid-GOP, without an IDR
  // (nor SPS/PPS) until frame 30.
  std::vector<uint8_t> cut(ts.begin(), ts.begin() + 2 * 188);
  int pes = 0;
  for (size_t o = 0; o + 188 <= ts.size(); o += 188) {
    const uint8_t* p = &ts[o];
    const size_t payload = 4 + ((p[3] & 0x20) ? 1 + p[4] : 0);
    const bool video_start = (p[1] & 0x40) && payload + 4 <= 188 && p[payload] == 0 && p[payload + 1] == 0 &&
                             p[payload + 2] == 1 && (p[payload + 3] & 0xF0) == 0xE0;
    if (video_start) ++pes;
    if (pes >= 10) cut.insert(cut.end(), p, p + 188);
  }
  write_file(dir.file("cut.ts"), cut);
  const MediaInfo mi = inspect_media(dir.file("cut.ts"));
  EXPECT_FALSE(mi.first_is_idr);
  EXPECT_EQ(mi.demuxed_video_buffers, 51);
  EXPECT_EQ(mi.frames, 30) << "h264parse drops the AUs before the first SPS/PPS";
  EXPECT_EQ(mi.decoded_frames, 30);
  EXPECT_EQ(ts_video_pts_list(cut).size(), 51u);

  // Truncated and corrupted TS must not crash the raw parser.
  for (size_t n : {size_t{0}, size_t{1}, size_t{187}, size_t{188}, size_t{376}, size_t{1000}, ts.size() / 2}) {
    std::vector<uint8_t> part(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>(n));
    (void)ts_first_video_pts(part);
    (void)ts_video_pts_list(part);
  }
  std::vector<uint8_t> junk = ts;
  for (size_t o = 0; o < junk.size(); o += 188)
    for (size_t i = 1; i < 188; i += 7) junk[o + i] = static_cast<uint8_t>(junk[o + i] * 31u + i);
  (void)ts_first_video_pts(junk);
  (void)ts_video_pts_list(junk);
}

TEST(Media, InspectBytesAndFailures) {
  TempDir dir;
  MediaSpec spec = small_spec();
  spec.seconds = 0.5;
  spec.container = "mp4";
  make_media(spec, dir.file("a.mp4"));
  GBytes* bytes = bytes_from_file(dir.file("a.mp4"));
  const MediaInfo mi = inspect_media_bytes(bytes);
  g_bytes_unref(bytes);
  EXPECT_EQ(mi.container, "video/quicktime");
  EXPECT_EQ(mi.decoded_frames, 15);
  EXPECT_FALSE(ts_first_video_pts(read_file(dir.file("a.mp4"))).has_value());
  EXPECT_TRUE(ts_video_pts_list(read_file(dir.file("a.mp4"))).empty());

  std::vector<uint8_t> junk(50000);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>((i * 7919u) >> 3);
  write_file(dir.file("junk.bin"), junk);
  EXPECT_THROW(inspect_media(dir.file("junk.bin")), std::runtime_error);
  EXPECT_THROW(inspect_media(dir.file("missing.ts")), std::runtime_error);

  spec.audio_codec = "pcm";
  spec.container = "mpegts";
  EXPECT_THROW(make_media(spec, dir.file("bad.ts")), std::runtime_error);
  spec.audio_codec = "none";
  spec.container = "avi";
  EXPECT_THROW(make_media(spec, dir.file("bad.avi")), std::runtime_error);
}

}  // namespace
}  // namespace lp::test
