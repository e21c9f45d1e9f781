// The segmenter on generated media of every kind it meets: containers, audio or none, long
// GOPs, stdin, and the inputs it must refuse with a clear reason.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "media.h"
#include "segmenter.h"

namespace lp::test {
namespace {

struct Cut {
  std::vector<SourceSegment> segments;
  Result<SegmenterSummary> summary = Error{ErrorCode::Internal, "not run"};
};

Cut cut(const std::string& input, const TempDir& work, double seconds = 2.0) {
  Cut c;
  SegmenterOptions options{input, work.path(), seconds, nullptr, std::nullopt};
  c.summary = segment_input(options, [&](const SourceSegment& s) { c.segments.push_back(s); });
  return c;
}

// Every segment decodes alone, starts with a keyframe, and the segments' PTS run on.
void expect_playable_run(const Cut& c, int total_frames, bool audio) {
  ASSERT_TRUE(c.summary) << c.summary.error().message;
  ASSERT_EQ(static_cast<size_t>(c.summary->segments), c.segments.size());
  int frames = 0;
  int64_t next_pts = -1;
  for (size_t i = 0; i < c.segments.size(); ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_EQ(c.segments[i].seq, static_cast<int64_t>(i));
    MediaInfo info = inspect_media(c.segments[i].path);
    EXPECT_EQ(info.container, "video/mpegts");
    if (info.video_caps_name == "video/x-h264") {
      EXPECT_TRUE(info.first_is_idr);
    }
    ASSERT_FALSE(info.keyframes.empty());
    EXPECT_EQ(info.keyframes.front(), 0);
    EXPECT_EQ(info.has_audio, audio);
    frames += info.decoded_frames;
    auto pts = ts_video_pts_list(read_file(c.segments[i].path));
    ASSERT_FALSE(pts.empty());
    const int64_t first = *std::min_element(pts.begin(), pts.end());
    if (next_pts >= 0) {
      EXPECT_NEAR(first, next_pts, 3003 + 10);  // within a frame of the previous end
    }
    next_pts = *std::max_element(pts.begin(), pts.end()) + 3000;
  }
  EXPECT_EQ(frames, total_frames);
}

TEST(Segmenter, MpegTsWithAudioIsCutAtKeyframesEveryTwoSeconds) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 6;
  spec.gop_frames = 30;
  spec.audio_codec = "aac";
  make_media(spec, dir.file("in.ts"));
  Cut c = cut(dir.file("in.ts"), dir);
  expect_playable_run(c, 180, true);
  ASSERT_EQ(c.segments.size(), 3u);
  for (const auto& s : c.segments) EXPECT_NEAR(static_cast<double>(s.duration) / 1e9, 2.0, 0.05);
  EXPECT_TRUE(c.summary->has_audio);
  EXPECT_EQ(c.summary->video_codec, "video/x-h264");
}

TEST(Segmenter, LongGopSegmentsFollowTheKeyframes) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 10;
  spec.gop_frames = 150;  // a keyframe every 5 s
  make_media(spec, dir.file("long-gop.ts"));
  Cut c = cut(dir.file("long-gop.ts"), dir);
  expect_playable_run(c, 300, false);
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_NEAR(static_cast<double>(c.segments[0].duration) / 1e9, 5.0, 0.05);
}

TEST(Segmenter, OtherContainersAndAudioCodecs) {
  struct Case {
    const char* container;
    const char* video;
    const char* audio;
    const char* file;
  };
  for (const Case& k : {Case{"mp4", "h264", "aac", "in.mp4"}, Case{"matroska", "h264", "opus", "in.mkv"},
                        Case{"mpegps", "h264", "mp3", "in.mpg"}, Case{"matroska", "h264", "pcm", "pcm.mkv"}}) {
    SCOPED_TRACE(k.file);
    TempDir dir;
    MediaSpec spec;
    spec.width = 320;
    spec.height = 180;
    spec.seconds = 4;
    spec.gop_frames = 30;
    spec.container = k.container;
    spec.video_codec = k.video;
    spec.audio_codec = k.audio;
    make_media(spec, dir.file(k.file));
    Cut c = cut(dir.file(k.file), dir);
    expect_playable_run(c, 120, true);
    // Opus and PCM are not HLS-in-TS material: they come out as AAC.
    MediaInfo info = inspect_media(c.segments.at(0).path);
    if (std::string(k.audio) == "opus" || std::string(k.audio) == "pcm") {
      EXPECT_EQ(info.audio_caps_name, "audio/mpeg");
      EXPECT_EQ(info.audio_mpegversion, 4);
    }
  }
}

// MPEG-2 video in a program stream, as DVDs and broadcast archives carry it.
TEST(Segmenter, Mpeg2InProgramStreamGivesDecodableSegments) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 4;
  spec.gop_frames = 30;
  spec.container = "mpegps";
  spec.video_codec = "mpeg2";
  spec.audio_codec = "mp3";
  make_media(spec, dir.file("in.mpg"));
  Cut c = cut(dir.file("in.mpg"), dir);
  ASSERT_TRUE(c.summary) << c.summary.error().message;
  int frames = 0;
  for (const auto& s : c.segments) {
    MediaInfo info = inspect_media(s.path);
    EXPECT_GT(info.decoded_frames, 0) << s.path;
    EXPECT_TRUE(info.has_audio);
    frames += info.decoded_frames;
  }
  EXPECT_EQ(frames, 120);
}

TEST(Segmenter, ReadsMpegTsFromStandardInput) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 4;
  spec.gop_frames = 30;
  spec.audio_codec = "aac";
  make_media(spec, dir.file("in.ts"));
  const int saved = dup(STDIN_FILENO);
  const int fd = open(dir.file("in.ts").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  dup2(fd, STDIN_FILENO);
  close(fd);
  Cut c = cut("-", dir);
  dup2(saved, STDIN_FILENO);
  close(saved);
  expect_playable_run(c, 120, true);
}

TEST(Segmenter, RefusesWhatItCannotSegmentWithTheReason) {
  TempDir dir;
  write_file(dir.file("noise.ts"), std::vector<uint8_t>(50000, 0x5a));
  Cut noise = cut(dir.file("noise.ts"), dir);
  ASSERT_FALSE(noise.summary);
  EXPECT_NE(noise.summary.error().message.find("not a media file"), std::string::npos) << noise.summary.error().message;

  Cut missing = cut(dir.file("nope.ts"), dir);
  ASSERT_FALSE(missing.summary);
  EXPECT_EQ(missing.summary.error().code, ErrorCode::NotFound);

  MediaSpec audio_only;
  audio_only.video_codec = "none";
  audio_only.audio_codec = "aac";
  audio_only.seconds = 2;
  make_media(audio_only, dir.file("audio.ts"));
  Cut no_video = cut(dir.file("audio.ts"), dir);
  ASSERT_FALSE(no_video.summary);
  EXPECT_NE(no_video.summary.error().message.find("no video track"), std::string::npos)
      << no_video.summary.error().message;

  MediaSpec vp9;
  vp9.width = 320;
  vp9.height = 180;
  vp9.seconds = 1;
  vp9.video_codec = "vp9";
  vp9.container = "matroska";
  make_media(vp9, dir.file("vp9.mkv"));
  Cut not_ts = cut(dir.file("vp9.mkv"), dir);
  ASSERT_FALSE(not_ts.summary);
  EXPECT_EQ(not_ts.summary.error().code, ErrorCode::Unsupported);
  EXPECT_NE(not_ts.summary.error().message.find("video/x-vp9"), std::string::npos) << not_ts.summary.error().message;

  // A file cut off mid-way still gives the segments it holds, all playable.
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 4;
  spec.gop_frames = 30;
  make_media(spec, dir.file("whole.ts"));
  auto bytes = read_file(dir.file("whole.ts"));
  bytes.resize(bytes.size() / 2);
  write_file(dir.file("half.ts"), bytes);
  Cut half = cut(dir.file("half.ts"), dir);
  ASSERT_TRUE(half.summary) << half.summary.error().message;
  EXPECT_GE(half.segments.size(), 1u);
  for (const auto& s : half.segments) EXPECT_GT(inspect_media(s.path).decoded_frames, 0);
}

}  // namespace
}  // namespace lp::test
