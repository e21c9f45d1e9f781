// lpladder + lprendition end to end through the C++ API (lp::transcode_segment), on media
// generated here, checking what every rendition must be: H.264 8-bit 4:2:0, fitted inside the
// profile's box with the display aspect kept, square pixels, even sides, constant frame rate,
// IDR first, GOP as configured, the source's timestamps, audio carried.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "media.h"
#include "profile.h"
#include "transcode.h"

namespace {

using lp::test::MediaInfo;
using lp::test::MediaSpec;
using lp::test::TempDir;

constexpr int64_t kTicks30fps = 3000;  // one frame at 30 fps in 90 kHz ticks

std::vector<uint8_t> to_vector(GBytes* bytes) {
  gsize size = 0;
  auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes, &size));
  return std::vector<uint8_t>(data, data + size);
}

struct Ladder {
  std::vector<lp::Rendition> renditions;
  std::vector<MediaInfo> info;
};

Ladder transcode_file(const std::string& path, const std::string& profiles, lp::TranscodeOptions options = {}) {
  auto parsed = lp::parse_profiles(profiles);
  if (!parsed) throw std::runtime_error(parsed.error().message);
  g_autoptr(GBytes) input = lp::test::bytes_from_file(path);
  options.timeout = std::chrono::seconds(120);
  auto result = lp::transcode_segment(input, *parsed, options);
  if (!result) throw std::runtime_error("transcode failed: " + result.error().message);
  Ladder ladder;
  ladder.renditions = std::move(*result);
  for (const auto& r : ladder.renditions) ladder.info.push_back(lp::test::inspect_media_bytes(r.bytes.get()));
  return ladder;
}

std::string make(const TempDir& dir, const std::string& name, const MediaSpec& spec) {
  std::string path = dir.file(name);
  lp::test::make_media(spec, path);
  return path;
}

// The invariants every H.264 rendition has, whatever the input.
void expect_h264_420_square(const MediaInfo& info) {
  EXPECT_EQ(info.video_caps_name, "video/x-h264");
  EXPECT_EQ(info.chroma_format, "4:2:0");
  EXPECT_EQ(info.bit_depth, 8);
  EXPECT_EQ(info.par_n, 1);
  EXPECT_EQ(info.par_d, 1);
  EXPECT_EQ(info.width % 2, 0);
  EXPECT_EQ(info.height % 2, 0);
  EXPECT_TRUE(info.first_is_idr);
  ASSERT_FALSE(info.keyframes.empty());
  EXPECT_EQ(info.keyframes.front(), 0);
  EXPECT_EQ(info.decoded_frames, info.frames);
}

// Constant frame rate: every PTS step is one frame (within a tick of rounding).
void expect_constant_rate(const MediaInfo& info, int fps_n, int fps_d) {
  double step = 1e9 * fps_d / fps_n;
  for (size_t i = 1; i < info.pts.size(); ++i) {
    double d = static_cast<double>(info.pts[i] - info.pts[i - 1]);
    ASSERT_NEAR(d, step, 2e5) << "frame " << i;
  }
}

// Keyframes exactly every `gop` frames from frame 0.
void expect_gop(const MediaInfo& info, int gop) {
  std::vector<int> expected;
  for (int k = 0; k < info.frames; k += gop) expected.push_back(k);
  EXPECT_EQ(info.keyframes, expected);
}

TEST(Ladder, HdSourceToThreeRungsWithAudio) {
  TempDir dir;
  MediaSpec spec;  // 1920x1080 30 fps, 2 s
  spec.audio_codec = "aac";
  std::string in = make(dir, "in.ts", spec);
  auto ladder = transcode_file(in, "P720p30fps16x9,P360p30fps16x9,P240p30fps16x9");
  const int expected[][2] = {{1280, 720}, {640, 360}, {426, 240}};
  ASSERT_EQ(ladder.renditions.size(), 3u);
  auto source_pts = lp::test::ts_first_video_pts(lp::test::read_file(in));
  ASSERT_TRUE(source_pts);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(ladder.renditions[i].name);
    const auto& info = ladder.info[i];
    const auto& r = ladder.renditions[i];
    expect_h264_420_square(info);
    EXPECT_EQ(info.container, "video/mpegts");
    EXPECT_EQ(info.width, expected[i][0]);
    EXPECT_EQ(info.height, expected[i][1]);
    EXPECT_NEAR(info.frames, 60, 1);
    expect_constant_rate(info, 30, 1);
    // The API's counts are what was really encoded.
    EXPECT_EQ(r.frames, static_cast<uint64_t>(info.frames));
    EXPECT_EQ(r.width, info.width);
    EXPECT_EQ(r.pixels, r.frames * static_cast<uint64_t>(info.width * info.height));
    // Source timestamps kept.
    auto pts = lp::test::ts_first_video_pts(to_vector(r.bytes.get()));
    ASSERT_TRUE(pts);
    EXPECT_LE(std::llabs(*pts - *source_pts), kTicks30fps);
    // Audio carried (AAC copied).
    EXPECT_TRUE(info.has_audio);
    EXPECT_EQ(info.audio_caps_name, "audio/mpeg");
    EXPECT_EQ(info.audio_channels, 2);
    EXPECT_NEAR(static_cast<double>(info.audio_duration) / GST_SECOND, 2.0, 0.1);
  }
}

TEST(Ladder, OddSourceSizeIsFittedWithEvenSides) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 1366;
  spec.height = 768;
  spec.seconds = 1;
  std::string in = make(dir, "odd.ts", spec);
  auto ladder = transcode_file(in, R"([{"name":"480p","width":854,"height":480,"bitrate":1400000},
             {"name":"square","width":300,"height":300,"bitrate":300000}])");
  expect_h264_420_square(ladder.info[0]);
  EXPECT_EQ(ladder.info[0].width, 854);
  EXPECT_EQ(ladder.info[0].height, 480);
  // A 16:9 picture inside a square box: width limits, height = 300 * 768 / 1366 = 168.7 -> 168.
  EXPECT_EQ(ladder.info[1].width, 300);
  EXPECT_EQ(ladder.info[1].height, 168);
}

TEST(Ladder, ChromaFourFourFourAndFourTwoTwoBecomeFourTwoZero) {
  TempDir dir;
  for (const char* chroma : {"Y444", "Y42B"}) {
    SCOPED_TRACE(chroma);
    MediaSpec spec;
    spec.width = 640;
    spec.height = 360;
    spec.seconds = 1;
    spec.chroma = chroma;
    std::string in = make(dir, std::string(chroma) + ".ts", spec);
    ASSERT_NE(lp::test::inspect_media(in).chroma_format, "4:2:0");  // the input really is not
    auto ladder = transcode_file(in, "P240p30fps16x9");
    expect_h264_420_square(ladder.info[0]);
    EXPECT_NE(ladder.info[0].h264_profile.find("high"), std::string::npos);
    EXPECT_EQ(ladder.info[0].h264_profile.find("4:4:4"), std::string::npos);
  }
}

TEST(Ladder, AnamorphicSourceGetsSquarePixelsAndDisplayAspect) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 1440;
  spec.height = 1080;
  spec.par_n = 4;
  spec.par_d = 3;  // a 16:9 picture stored in 1440 columns
  spec.seconds = 1;
  std::string in = make(dir, "anamorphic.ts", spec);
  ASSERT_EQ(lp::test::inspect_media(in).par_n, 4);
  auto ladder = transcode_file(in, "P720p30fps16x9,P360p30fps4x3");
  EXPECT_EQ(ladder.info[0].width, 1280);
  EXPECT_EQ(ladder.info[0].height, 720);
  // Inside the 4:3 box 480x360 a 16:9 picture is 480x270.
  EXPECT_EQ(ladder.info[1].width, 480);
  EXPECT_EQ(ladder.info[1].height, 270);
  expect_h264_420_square(ladder.info[1]);
}

TEST(Ladder, VariableFrameRateBecomesConstant) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 2;
  spec.variable_frame_rate = true;
  spec.container = "matroska";
  std::string in = make(dir, "vfr.mkv", spec);
  auto source = lp::test::inspect_media(in);
  ASSERT_LT(source.frames, 60);  // frames really were dropped
  auto ladder = transcode_file(in, R"([{"name":"a","width":426,"height":240,"bitrate":400000,"fps":30},
                                       {"name":"b","width":426,"height":240,"bitrate":400000,"fps":0}])");
  for (const auto& info : ladder.info) {
    expect_h264_420_square(info);
    EXPECT_NEAR(info.frames, 60, 1);  // duration x fps; fps 0 on VFR input falls back to 30
    expect_constant_rate(info, 30, 1);
  }
}

TEST(Ladder, FpsZeroKeepsSourceRateAndGopFollowsIt) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.fps_n = 25;
  spec.seconds = 2;
  std::string in = make(dir, "pal.ts", spec);
  auto ladder = transcode_file(in, R"([{"name":"src","width":640,"height":360,"bitrate":800000,"fps":0,"gop":"0.4"},
             {"name":"intra","width":320,"height":180,"bitrate":800000,"fps":0,"gop":"intra"},
             {"name":"p15","width":320,"height":180,"bitrate":300000,"fps":15,"gop":"1.0"}])");
  const auto& src = ladder.info[0];
  EXPECT_NEAR(src.frames, 50, 1);
  expect_constant_rate(src, 25, 1);
  expect_gop(src, 10);  // 0.4 s x 25 fps
  const auto& intra = ladder.info[1];
  EXPECT_EQ(static_cast<int>(intra.keyframes.size()), intra.frames);
  const auto& p15 = ladder.info[2];
  EXPECT_NEAR(p15.frames, 30, 1);
  expect_constant_rate(p15, 15, 1);
  expect_gop(p15, 15);
}

TEST(Ladder, Mpeg2ProgramStreamWithMp3) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 720;
  spec.height = 576;
  spec.fps_n = 25;
  spec.seconds = 1;
  spec.video_codec = "mpeg2";
  spec.audio_codec = "mp3";
  spec.container = "mpegps";
  std::string in = make(dir, "dvd.mpg", spec);
  auto ladder = transcode_file(in, "P360p25fps16x9");
  const auto& info = ladder.info[0];
  expect_h264_420_square(info);
  EXPECT_EQ(info.height, 360);
  EXPECT_NEAR(info.frames, 25, 1);
  EXPECT_TRUE(info.has_audio);
  EXPECT_EQ(info.audio_caps_name, "audio/mpeg");
  EXPECT_EQ(info.audio_mpegversion, 1);  // MP3 copied, not re-encoded
}

TEST(Ladder, ConsecutiveSegmentsKeepTheirTimestampsAndPlayGaplessly) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 4;
  spec.audio_codec = "aac";
  auto segments = lp::test::make_ts_segments(spec, 2.0, dir);
  ASSERT_EQ(segments.size(), 2u);
  std::vector<std::vector<int64_t>> out_pts;
  for (const auto& seg : segments) {
    SCOPED_TRACE(seg);
    auto source_pts = lp::test::ts_first_video_pts(lp::test::read_file(seg));
    ASSERT_TRUE(source_pts);
    auto ladder = transcode_file(seg, "P360p30fps16x9,P240p30fps16x9");
    for (const auto& r : ladder.renditions) {
      auto pts = lp::test::ts_video_pts_list(to_vector(r.bytes.get()));
      ASSERT_FALSE(pts.empty());
      int64_t first = *std::min_element(pts.begin(), pts.end());
      EXPECT_LE(std::llabs(first - *source_pts), kTicks30fps) << r.name;
    }
    out_pts.push_back(lp::test::ts_video_pts_list(to_vector(ladder.renditions[0].bytes.get())));
  }
  int64_t end_of_first = *std::max_element(out_pts[0].begin(), out_pts[0].end());
  int64_t start_of_second = *std::min_element(out_pts[1].begin(), out_pts[1].end());
  EXPECT_NEAR(static_cast<double>(start_of_second - end_of_first), kTicks30fps, 2);
}

TEST(Ladder, SourceClockIsFoundPastLeadingNonVideoPackets) {
  // Real segments can open with PSI, audio or null packets before the first video PES; the
  // clock scanner must follow the bytes past typefind's overlapping reads.
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 240;
  spec.seconds = 4;
  auto segments = lp::test::make_ts_segments(spec, 2.0, dir);
  ASSERT_EQ(segments.size(), 2u);
  auto original = lp::test::read_file(segments[1]);
  std::vector<uint8_t> padded;
  for (int i = 0; i < 40; ++i) {
    uint8_t null_packet[188] = {0x47, 0x1f, 0xff, 0x10};
    std::fill(null_packet + 4, null_packet + 188, 0xff);
    padded.insert(padded.end(), null_packet, null_packet + 188);
  }
  padded.insert(padded.end(), original.begin(), original.end());
  std::string path = dir.file("padded.ts");
  lp::test::write_file(path, padded);
  auto source_pts = lp::test::ts_first_video_pts(original);
  ASSERT_TRUE(source_pts);
  auto ladder = transcode_file(path, "P144p30fps16x9");
  auto pts = lp::test::ts_first_video_pts(to_vector(ladder.renditions[0].bytes.get()));
  ASSERT_TRUE(pts);
  EXPECT_LE(std::llabs(*pts - *source_pts), kTicks30fps);
}

TEST(Ladder, AudioIsCopiedOrEncodedToAac) {
  TempDir dir;
  struct Case {
    const char* audio;
    const char* container;
    const char* out_caps;
    int mpegversion;
  };
  const Case cases[] = {
      {"ac3", "mpegts", "audio/x-ac3", 0},    // TS carries AC-3: copied
      {"opus", "matroska", "audio/mpeg", 4},  // Opus is not HLS-safe in TS: AAC
      {"pcm", "matroska", "audio/mpeg", 4},   // raw PCM: AAC
      {"none", "mpegts", "", 0},              // no audio in, none out
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.audio);
    MediaSpec spec;
    spec.width = 320;
    spec.height = 240;
    spec.seconds = 1;
    spec.audio_codec = c.audio;
    spec.container = c.container;
    std::string in = make(dir, std::string("audio-") + c.audio, spec);
    auto ladder = transcode_file(in, "P144p30fps16x9");
    const auto& info = ladder.info[0];
    expect_h264_420_square(info);
    EXPECT_EQ(info.has_audio, *c.out_caps != '\0');
    if (info.has_audio) {
      EXPECT_EQ(info.audio_caps_name, c.out_caps);
      if (c.mpegversion) {
        EXPECT_EQ(info.audio_mpegversion, c.mpegversion);
      }
      EXPECT_NEAR(static_cast<double>(info.audio_duration) / GST_SECOND, 1.0, 0.15);
    }
  }
}

TEST(Ladder, Mp4InputAndMp4Output) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 1;
  spec.audio_codec = "aac";
  spec.container = "mp4";
  std::string in = make(dir, "in.mp4", spec);
  lp::TranscodeOptions options;
  options.container = "mp4";
  auto ladder = transcode_file(in, "P240p30fps16x9", options);
  const auto& info = ladder.info[0];
  EXPECT_EQ(info.container, "video/quicktime");
  expect_h264_420_square(info);
  EXPECT_NEAR(info.frames, 30, 1);
  EXPECT_TRUE(info.has_audio);
}

TEST(Ladder, RunsAgainAfterStopping) {
  // An element goes back to NULL and plays again: the second run must match the first.
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 240;
  spec.seconds = 1;
  spec.audio_codec = "aac";
  std::string in = make(dir, "in.ts", spec);
  std::string out = dir.file("out.ts");
  lp::test::detail::Pipeline p(lp::test::detail::parse_pipeline("lpsegmentsrc location=" + in +
                                                                " ! lpladder name=l profiles=P144p30fps16x9 "
                                                                "l.src_0 ! filesink location=" +
                                                                out));
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run);
    auto err = p.run(60);
    ASSERT_FALSE(err) << *err;
    gst_element_set_state(p.get(), GST_STATE_NULL);
    auto info = lp::test::inspect_media(out);
    EXPECT_EQ(info.frames, 30);
    EXPECT_TRUE(info.has_audio);
    // The decoded counts are this run's, not both runs'.
    g_autoptr(GstElement) ladder = gst_bin_get_by_name(p.bin(), "l");
    guint64 frames = 0, pixels = 0;
    g_object_get(ladder, "decoded-frames", &frames, "decoded-pixels", &pixels, nullptr);
    EXPECT_EQ(frames, 30u);
    EXPECT_EQ(pixels, 30u * 320 * 240);
  }
}

// Which element feeds rendition `name`'s video: "video_tee" (the decoder) or a larger rendition.
std::string video_feeder(GstElement* ladder, const char* name) {
  g_autoptr(GstElement) r = gst_bin_get_by_name(GST_BIN(ladder), name);
  g_autoptr(GstPad) video = gst_element_get_static_pad(r, "video");
  g_autoptr(GstPad) peer = gst_pad_get_peer(video);
  if (!peer) return "";
  // A ghost pad's peer is either the tee's pad or a rendition's scaled_N ghost pad.
  g_autoptr(GstObject) owner = gst_pad_get_parent(peer);
  return GST_OBJECT_NAME(owner);
}

TEST(Ladder, SmallRenditionsScaleFromALargerOneAtTwiceTheSize) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 1280;
  spec.height = 720;
  spec.seconds = 1;
  std::string in = make(dir, "in.ts", spec);
  std::string desc = "lpsegmentsrc location=" + in +
                     " ! lpladder name=l profiles=P720p30fps16x9,P576p30fps16x9,P360p30fps16x9,"
                     "P240p30fps16x9,P240p25fps16x9";
  for (int i = 0; i < 5; ++i)
    desc += " l.src_" + std::to_string(i) + " ! filesink location=" + dir.file(std::to_string(i));
  lp::test::detail::Pipeline p(lp::test::detail::parse_pipeline(desc));
  g_autoptr(GstElement) ladder = gst_bin_get_by_name(p.bin(), "l");
  ASSERT_EQ(gst_element_set_state(p.get(), GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  EXPECT_EQ(video_feeder(ladder, "rendition_0"), "video_tee");    // 720p from the decoder
  EXPECT_EQ(video_feeder(ladder, "rendition_1"), "video_tee");    // 576p: ratio 1.25 < 2
  EXPECT_EQ(video_feeder(ladder, "rendition_2"), "rendition_0");  // 360p from 720p
  EXPECT_EQ(video_feeder(ladder, "rendition_3"), "rendition_0");  // 240p from the largest
  EXPECT_EQ(video_feeder(ladder, "rendition_4"), "video_tee");    // 25 fps: no 25 fps parent
  auto err = p.run(120);
  ASSERT_FALSE(err) << *err;
  const int sizes[][2] = {{1280, 720}, {1024, 576}, {640, 360}, {426, 240}, {426, 240}};
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    auto info = lp::test::inspect_media(dir.file(std::to_string(i)));
    expect_h264_420_square(info);
    EXPECT_EQ(info.width, sizes[i][0]);
    EXPECT_EQ(info.height, sizes[i][1]);
    EXPECT_NEAR(info.frames, i == 4 ? 25 : 30, 1);
  }
}

TEST(Ladder, ProfileQualityAndOpenH264Adapter) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 1;
  std::string in = make(dir, "in.ts", spec);
  auto ladder = transcode_file(in, R"([{"name":"main","width":640,"height":360,"bitrate":900000,"profile":"H264Main"},
             {"name":"base","width":320,"height":180,"bitrate":300000,"profile":"H264Baseline"},
             {"name":"crf","width":320,"height":180,"quality":30}])");
  EXPECT_EQ(ladder.info[0].h264_profile, "main");
  EXPECT_EQ(ladder.info[1].h264_profile, "constrained-baseline");
  EXPECT_GT(ladder.renditions[2].frames, 0u);

  lp::TranscodeOptions openh264;
  openh264.encoder = "openh264";
  auto other = transcode_file(in, "P240p30fps16x9", openh264);
  expect_h264_420_square(other.info[0]);
  EXPECT_NEAR(other.info[0].frames, 30, 1);
}

// The last segment of a live stream often ends with audio alone (its audio outlasts its
// video): lprendition's audio queue must hold that audio while the video is in the encoder,
// or the demuxer blocks before the video's end and nothing finishes.
TEST(Ladder, AudioOutlastingVideoDoesNotStall) {
  TempDir dir;
  const std::string in = dir.file("long-audio.ts");
  ASSERT_EQ(
      lp::test::run_launch("videotestsrc num-buffers=60 ! video/x-raw,width=320,height=180,framerate=30/1 ! "
                           "x264enc key-int-max=60 ! h264parse ! mpegtsmux name=m ! filesink location=" +
                           in + " audiotestsrc num-buffers=140 ! audio/x-raw,rate=48000 ! avenc_aac ! aacparse ! m."),
      std::nullopt);
  auto ladder = transcode_file(in, "P240p30fps16x9,P144p30fps16x9");
  ASSERT_EQ(ladder.renditions.size(), 2u);
  for (const auto& info : ladder.info) {
    EXPECT_NEAR(info.frames, 60, 1);
    EXPECT_TRUE(info.has_audio);
  }
}

// go-livepeer's transcoder reports the decoded input's pixels with every result.
TEST(Ladder, ReportsDecodedFramesAndPixels) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 240;
  spec.seconds = 1;
  std::string in = make(dir, "in.ts", spec);
  lp::LadderStats stats;
  lp::TranscodeOptions options;
  options.stats = &stats;
  auto ladder = transcode_file(in, "P144p30fps16x9,P240p30fps16x9", options);
  ASSERT_EQ(ladder.renditions.size(), 2u);
  EXPECT_EQ(stats.decoded_frames, 30u);  // decoded once, whatever the number of renditions
  EXPECT_EQ(stats.decoded_pixels, 30u * 320 * 240);
}

// go-livepeer's MP4 output ("format: MP4") sized by its rule: a profile's container and
// size_rule, next to one that keeps the ladder's container.
TEST(Ladder, GoLivepeerMp4AndLpmsSizes) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 480;  // 4:3 into 16:9 boxes: go-livepeer keeps the width, not the box
  spec.seconds = 1;
  spec.audio_codec = "aac";
  std::string in = make(dir, "in.ts", spec);
  auto ladder = transcode_file(
      in, R"([{"name":"mp4","width":640,"height":360,"bitrate":600000,"container":"mp4","size_rule":"lpms"},
             {"name":"ts","width":320,"height":180,"bitrate":300000,"size_rule":"lpms"},
             {"name":"box","width":320,"height":180,"bitrate":300000}])");
  ASSERT_EQ(ladder.renditions.size(), 3u);
  const auto& mp4 = ladder.renditions[0];
  EXPECT_EQ(mp4.container, "mp4");
  EXPECT_STREQ(lp::rendition_media_type(mp4), "video/mp4");
  EXPECT_EQ(ladder.info[0].container, "video/quicktime");
  EXPECT_EQ(ladder.info[0].width, 640);
  EXPECT_EQ(ladder.info[0].height, 480);
  EXPECT_EQ(ladder.info[0].frames, 30);
  EXPECT_TRUE(ladder.info[0].has_audio);
  EXPECT_EQ(mp4.pixels, 30u * 640 * 480);
  EXPECT_EQ(ladder.renditions[1].container, "mpegts");
  EXPECT_EQ(ladder.info[1].width, 320);  // scaled from the source, not from the 640x480 rung
  EXPECT_EQ(ladder.info[1].height, 240);
  EXPECT_EQ(ladder.info[2].width, 240);  // fitted inside the box
  EXPECT_EQ(ladder.info[2].height, 180);
  for (const auto& info : ladder.info) expect_h264_420_square(info);
}

}  // namespace
